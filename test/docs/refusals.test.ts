/** docs/cli.md lists every refusal type of the union, in its order, and nothing else: the list cannot drift. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REFUSAL_TYPES } from '../../src/domain/refusals';

const CLI_DOC = path.resolve(__dirname, '../../docs/cli.md');

/** The backquoted names of the paragraph that introduces the refusal types. */
function documentedRefusals(): string[] {
  const text = readFileSync(CLI_DOC, 'utf8');
  const paragraph = text.split(/\n\s*\n/).find((p) => p.startsWith('The refusal types are one union'));
  if (!paragraph) throw new Error('docs/cli.md: no paragraph "The refusal types are one union …"');
  const list = paragraph.slice(paragraph.indexOf(':') + 1);
  return [...list.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!);
}

describe('docs/cli.md', () => {
  it('lists the refusal types of src/domain/refusals.ts, all of them, in order', () => {
    expect(documentedRefusals()).toEqual([...REFUSAL_TYPES]);
  });
});
