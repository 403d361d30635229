/**
 * Every command that needs the Temporal server, run with none reachable: one line naming the address tried and
 * how to get a server, exit 1, no gRPC stack trace; bad input and bad settings are told first, exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execDuban, freePort } from '../helpers/process';

const ROOT = path.resolve(__dirname, '../..');
const PLAN = path.join(ROOT, 'examples/fujian-2017/tasks.txt');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-no-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function duban(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return execDuban(args, { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', ...env });
}

const COMMANDS: string[][] = [
  ['status'],
  ['plan', 'start'],
  ['plan', 'close', '--reason', '年度结束'],
  ['read-model', 'rebuild'],
  [
    'fulfil',
    '--unit',
    'fj-czt',
    '--obligation',
    'implementation-plan',
    '--document',
    '闽财办〔2017〕12号',
    '--by',
    '李四',
  ],
  ['history', '--unit', 'fj-czt', '--obligation', 'implementation-plan'],
  ['emergency', 'status'],
  ['request', 'status'],
];

describe('with no Temporal server reachable', () => {
  let address: string;
  beforeAll(async () => {
    address = `127.0.0.1:${await freePort()}`;
  });

  // The connection attempt waits for its deadline, so the commands run side by side.
  it('every command says which address it tried and how to start a server, in one line, exit 4', async () => {
    const results = await Promise.all(
      COMMANDS.map((args) => duban({ TEMPORAL_ADDRESS: address }, [...args, '--plan', PLAN])),
    );
    results.forEach(({ code, out, err }, i) => {
      const command = `duban ${COMMANDS[i]!.join(' ')}`;
      expect({ command, out, lines: err.trim().split('\n').length, code }).toEqual({
        command,
        out: '',
        lines: 1,
        code: 4,
      });
      expect(err).not.toMatch(/\n\s+at /);
      expect(err).toContain(`cannot reach the Temporal server at ${address} (`);
      expect(err).toContain('check TEMPORAL_ADDRESS');
    });
  });

  it('without TEMPORAL_ADDRESS the hint is `npm start`', async () => {
    const port = await freePort();
    const { code, err } = await duban({ TEMPORAL_ADDRESS: '', DUBAN_DEV_SERVER_PORT: String(port) }, [
      'status',
      '--plan',
      PLAN,
    ]);
    expect(err).toMatch(
      /^duban status: cannot reach the Temporal server at [\w.]+:\d+ \(.*\): start one with `npm start`/,
    );
    expect(code).toBe(4);
  });
});

describe('bad input or a bad setting, with no Temporal server reachable', () => {
  const CASES: { args: string[]; env?: NodeJS.ProcessEnv; says: string }[] = [
    {
      args: [
        'request',
        'extend',
        '--id',
        'r1',
        '--reason',
        '需调取档案',
        '--approver',
        '王五',
        '--working-days',
        'abc',
      ],
      says: "duban request extend: --working-days: 'abc' is not a whole number",
    },
    {
      args: ['request', 'reply', '--id', 'r1', '--url', 'ftp://x.test/r'],
      says: "duban request reply: --url: 'ftp://x.test/r' is not an http(s) URL",
    },
    {
      args: ['emergency', 'done', '--id', 'flood-0710', '--step', 'press', '--document', '通报'],
      says: "duban emergency done: --step: expected information | press-conference, got 'press'",
    },
    {
      args: ['serve'],
      env: { DATABASE_URL: 'mysql://x' },
      // A long-running process logs, here as JSON (stderr is no terminal): its last word is a log line too.
      says: '"exitCode":2,"msg":"invalid store configuration: DATABASE_URL:',
    },
  ];

  it('is refused before any connection: one line naming the flag or variable, exit 2', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const results = await Promise.all(
      CASES.map(({ args, env }) => duban({ TEMPORAL_ADDRESS: address, ...env }, [...args, '--plan', PLAN])),
    );
    results.forEach(({ code, out, err }, i) => {
      const { args, says } = CASES[i]!;
      expect({ command: args.slice(0, 2).join(' '), out, err: err.trim().split('\n'), code }).toEqual({
        command: args.slice(0, 2).join(' '),
        out: '',
        err: [expect.stringContaining(says)],
        code: 2,
      });
    });
  });
});
