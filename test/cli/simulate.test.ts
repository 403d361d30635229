import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimulationOutput } from '../../src/simulate/simulator';
import { writeSmallPlan } from '../fixtures/small-plan-file';
import { spawnDuban } from '../helpers/process';

jest.setTimeout(600_000);

describe('duban simulate --json (the CLI, end to end)', () => {
  let dir: string;
  let output: SimulationOutput;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-simulate-cli-'));
    const { plan, directory } = writeSmallPlan(dir);
    const scenario = path.join(dir, 'scenario.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        events: [
          { at: '2017-05-26T10:00:00+08:00', type: 'fulfil', unit: '福州市', obligation: 'implementation-plan' },
          {
            at: '2017-07-10T08:30:00+08:00',
            type: 'incident',
            unit: '福州市',
            incident: 'flood-0710',
            occurredAt: '2017-07-10T08:00:00+08:00',
            level: '重大',
          },
          // A step done and a reply name their window, not a unit.
          {
            at: '2017-07-10T11:30:00+08:00',
            type: 'fulfil',
            obligation: 'emergency-information',
            incident: 'flood-0710',
          },
          {
            at: '2017-09-29T10:00:00+08:00',
            type: 'information-request',
            unit: '厦门市',
            request: 'req-0929',
            receivedOn: '2017-09-29',
          },
          {
            at: '2017-10-20T15:00:00+08:00',
            type: 'fulfil',
            obligation: 'information-request',
            request: 'req-0929',
          },
        ],
      }),
    );
    const run = spawnDuban(['simulate', '--plan', plan, '--directory', directory, '--scenario', scenario, '--json'], {
      DUBAN_DATA_DIR: dir,
    });
    const code = await run.exit;
    stderr = run.output();
    if (code !== 0) throw new Error(`duban simulate exited ${code}:\n${stderr.slice(-3000)}`);
    // stdout holds the JSON document alone: progress and logs go to stderr.
    output = JSON.parse(run.stdout());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints {plan, notifications, outcomes} with +08:00 instants and progress on stderr', () => {
    expect(output.plan).toBe('fj-2017-zwgk');
    expect(output.notifications.length).toBeGreaterThan(50);
    for (const n of output.notifications) {
      expect(Object.keys(n).sort()).toEqual([
        'at',
        'due',
        'obligation',
        'period',
        'recipients',
        'stage',
        'taskNo',
        'unit',
      ]);
      expect(n.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    }
    expect(stderr).toContain('simulate: started');
  });

  it('runs the deadline obligations and the fulfilment of the scenario', () => {
    const impl = output.outcomes.find((o) => o.unit === '福州市' && o.obligation === 'implementation-plan');
    expect(impl).toMatchObject({ status: 'on-time', fulfilledAt: '2017-05-26T10:00:00.000+08:00', taskNo: null });
    const ningde = output.notifications.filter((n) => n.unit === '省农业厅' && n.obligation === 'implementation-plan');
    expect(ningde.map((n) => n.stage)).toEqual([
      'reminder-5',
      'reminder-2',
      'reminder-1',
      'reminder-0',
      'escalation-1',
      'escalation-2',
      'escalation-3',
    ]);
  });

  it('opens the incident window at the report and breaches the missed press conference at t0+24h', () => {
    const incident = output.notifications.filter((n) => n.unit === '福州市' && n.obligation.startsWith('emergency-'));
    expect(incident.find((n) => n.stage === 'opened')?.at).toBe('2017-07-10T08:30:00.000+08:00');
    expect(incident.find((n) => n.stage === 'breach' && n.obligation === 'emergency-press-conference')?.at).toBe(
      '2017-07-11T08:00:00.000+08:00',
    );
    expect(incident.some((n) => n.stage === 'breach' && n.obligation === 'emergency-information')).toBe(false);
  });

  it('counts the information request received before National Day 15 working days, to 2017-10-26', () => {
    const request = output.outcomes.find((o) => o.obligation === 'information-request' && o.unit === '厦门市');
    expect(request).toMatchObject({ due: '2017-10-26', status: 'on-time' });
  });
});

describe('duban simulate with a bad scenario', () => {
  let dir: string;
  let plan: string;
  let directory: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-simulate-bad-'));
    ({ plan, directory } = writeSmallPlan(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(events: unknown[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const scenario = path.join(dir, `scenario-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(scenario, JSON.stringify({ events }));
    const p = spawnDuban(['simulate', '--plan', plan, '--directory', directory, '--scenario', scenario], {
      DUBAN_DATA_DIR: dir,
    });
    const code = await p.exit;
    return { code, stderr: p.output().replaceAll(scenario, 'SCENARIO'), stdout: p.stdout() };
  }

  it('is checked whole against the plan before anything starts: every problem named by event and field', async () => {
    const { code, stderr, stdout } = await run([
      { at: '2017-05-26T10:00:00+08:00', type: 'fulfil', unit: '福州市', obligation: 'implementation-plan' },
      { at: '2017-06-01T10:00:00+08:00', type: 'designate', unit: '福州市', taskNo: 99 },
      { at: '2017-06-02T10:00:00+08:00', type: 'waive', unit: '福州', obligation: 'implementation-plan' },
      { at: '2017-06-03T10:00:00+08:00', type: 'fulfill', unit: '福州市' },
      { at: '2017-06-04T10:00:00+08:00', type: 'fulfil', unit: '福州市', obligation: 'year-end-reprot' },
    ]);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('starting the time-skipping test server');
    // The cut-down plan file's import warnings come first (see test/cli/plan-files.test.ts), then the scenario's.
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => !/: \d+ import warnings:$|: warning: /.test(l));
    expect(lines.slice(0, 6)).toEqual([
      expect.stringMatching(
        /^duban simulate: SCENARIO: events\.1 \(designate at .*\): taskNo: plan \S+ has no task 99$/,
      ),
      expect.stringMatching(/^SCENARIO: events\.2 \(waive at .*\): reason: required/),
      expect.stringMatching(/^SCENARIO: events\.2 \(waive at .*\): approver: required/),
      expect.stringMatching(
        /^SCENARIO: events\.2 \(waive at .*\): unit: no unit '福州' in the directory \(did you mean 福州市\?\)$/,
      ),
      expect.stringMatching(/^SCENARIO: events\.3 \(fulfill at .*\): type: unknown event type 'fulfill'/),
      expect.stringMatching(
        /^SCENARIO: events\.4 \(fulfil at .*\): obligation: unknown obligation kind 'year-end-reprot'/,
      ),
    ]);
    expect(code).toBe(2);
  });

  it('an event refused while the year runs names the event, without a stack trace', async () => {
    const { code, stderr } = await run([
      { at: '2017-05-26T10:00:00+08:00', type: 'fulfil', unit: '福州市', obligation: 'implementation-plan' },
      {
        at: '2017-05-27T10:00:00+08:00',
        type: 'waive',
        unit: '福州市',
        obligation: 'implementation-plan',
        reason: '已完成',
        approver: '王五',
      },
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toMatch(/duban simulate: SCENARIO: scenario event 1 \(waive at 2017-05-27T10:00:00\+08:00\): .+/);
    expect(code).toBe(1);
  });
});
