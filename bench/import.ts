/** Imports the bundled seed table N times and prints milliseconds per import. Not a timed test. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDirectory, BUNDLED_DIRECTORY_PATH } from '../src/import/directory';
import { parseTaskTable } from '../src/import/table';

const runs = Number(process.argv[2] ?? 200);
const text = readFileSync(path.resolve(__dirname, '../examples/fujian-2017/tasks.txt'), 'utf8');
const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);

for (let i = 0; i < 20; i++) parseTaskTable(text, { directory }); // warm-up
const start = process.hrtime.bigint();
for (let i = 0; i < runs; i++) parseTaskTable(text, { directory });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`seed import (60 tasks, with directory): ${(ms / runs).toFixed(3)} ms per import over ${runs} runs`);
