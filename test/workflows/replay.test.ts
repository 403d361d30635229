import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { quietRuntime, workflowBundle } from '../helpers/temporal';
import { WORKFLOW_GENERATION } from '../../workflows/generation';

jest.setTimeout(120_000);

const HISTORIES = path.resolve(__dirname, '../histories');

describe('replay of recorded histories (test/histories)', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.pb'));

  it('has recorded histories to replay', () => {
    // Recorded by scripts/record-histories.ts from a simulated year; an empty folder would make this test vacuous.
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('covers both obligation loops: v1- histories from before the batched-notices patch, the others after it', () => {
    const patchedLoop = (file: string): boolean | undefined => {
      const { events } = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
      const type = events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      if (type !== 'obligationWorkflow') return undefined;
      return (events ?? []).some(
        (e) =>
          e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
          Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? []).includes(
            'obligation-notices-batched',
          ),
      );
    };
    const legacy = files.filter((f) => f.startsWith('v1-')).map(patchedLoop);
    // generation-* runs take the batched loop without asking (their own test below).
    const current = files.filter((f) => !f.startsWith('v1-') && !f.startsWith('generation-')).map(patchedLoop);
    expect(legacy.filter((p) => p === false).length).toBeGreaterThanOrEqual(5);
    expect(legacy).not.toContain(true);
    expect(current.filter((p) => p === true).length).toBeGreaterThanOrEqual(5);
    expect(current).not.toContain(false);
  });

  it('covers the calendar: holiday years read at the start, a calendar signal that moves notices, unusable data', () => {
    const read = (file: string) => {
      const { events = [] } = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
      const type = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
      const patches = events.flatMap((e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch'
          ? [Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? []).toString()]
          : [],
      );
      const signal = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'calendar');
      // Notices handed on after the signal: a deliverDue local activity (obligations) or a sendNotice activity.
      const noticesAfter = events.slice(signal + 1).filter((e) => {
        const local = e.markerRecordedEventAttributes?.details?.['data']?.payloads?.[0]?.data;
        const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
        return (local && Buffer.from(local).includes('deliverDue')) || activity === 'sendNotice';
      }).length;
      return { type, patches, signalled: signal >= 0, noticesAfter };
    };
    const all = files.map(read);
    const has = (type: string, patch: string) =>
      all.some((h) => h.type === type && h.patches.some((p) => p.includes(patch)));
    expect(has('unitWorkflow', 'calendar-from-store')).toBe(true);
    expect(has('informationRequestWorkflow', 'calendar-from-store')).toBe(true);
    expect(has('informationRequestWorkflow', 'calendar-error-notice')).toBe(true);
    for (const type of ['obligationWorkflow', 'informationRequestWorkflow']) {
      expect(all.some((h) => h.type === type && h.signalled && h.noticesAfter >= 3)).toBe(true);
    }
  });

  it('covers the read model: obligation histories recorded with its patch (read-model-*) and from before it', () => {
    const withPatch = (file: string): boolean => {
      const { events = [] } = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
      return events.some(
        (e) =>
          e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
          Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? []).includes(
            'obligation-overview-read-model',
          ),
      );
    };
    const recorded = files.filter((f) => f.startsWith('read-model-'));
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    expect(recorded.filter(withPatch)).toEqual(recorded);
    expect(files.filter((f) => f.startsWith('implementation-plan-')).filter(withPatch)).toEqual([]);
  });

  it('covers the close at once: a unit history with the unit-close-at-once patch, one from before it', () => {
    const patchesOf = (file: string): string[] => {
      const { events = [] } = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
      return events.flatMap((e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch'
          ? [Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? []).toString()]
          : [],
      );
    };
    expect(patchesOf('close-at-once-unit-with-designation.pb').some((p) => p.includes('unit-close-at-once'))).toBe(
      true,
    );
    expect(patchesOf('unit-with-designation.pb').some((p) => p.includes('unit-close-at-once'))).toBe(false);
  });

  it('covers sign-for: the sign-for update and the unsigned-notice escalation patch', () => {
    const { events = [] } = temporal.api.history.v1.History.decode(
      readFileSync(path.join(HISTORIES, 'sign-for-unsigned-escalation.pb')),
    );
    const patches = events.flatMap((e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_patch'
        ? [Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? []).toString()]
        : [],
    );
    expect(patches.some((p) => p.includes('sign-for-unsigned-escalation'))).toBe(true);
    const updates = events.filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'sign-for',
    );
    expect(updates).toHaveLength(2);
  });

  it('covers runs of a generation: generation-* histories carry it in their input and ask no patch', () => {
    const generation = files.filter((f) => f.startsWith('generation-'));
    expect(generation.length).toBeGreaterThanOrEqual(4);
    const types = new Set<string>();
    for (const file of generation) {
      const { events = [] } = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
      const started = events[0]!.workflowExecutionStartedEventAttributes!;
      types.add(started.workflowType!.name!);
      const input = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString()) as { generation?: number };
      expect({ file, generation: input.generation }).toEqual({ file, generation: WORKFLOW_GENERATION });
      expect({
        file,
        markers: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
      }).toEqual({ file, markers: [] });
    }
    expect([...types].sort()).toEqual(['informationRequestWorkflow', 'obligationWorkflow', 'unitWorkflow']);
    // The histories from before generations ask their patches: the other branch of `patchedIn` is replayed too.
    const before = temporal.api.history.v1.History.decode(
      readFileSync(path.join(HISTORIES, 'read-model-quarterly-progress.pb')),
    );
    expect(before.events!.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  });

  it('replays every recorded history with today’s workflow code without nondeterminism', async () => {
    quietRuntime();
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.pb$/, ''),
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, f))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
