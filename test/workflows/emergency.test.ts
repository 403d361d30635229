import { WorkflowNotFoundError } from '@temporalio/client';
import { checkIncidentReport } from '../../src/service';
import { incidentWorkflowId } from '../../src/domain/ids';
import {
  closeSignal,
  emergencyStatusQuery,
  windowAgendaQuery,
  windowTimelineQuery,
  timelineQuery,
  type EmergencyStepStatus,
  type TimelineEntry,
} from '../../workflows/messages';
import { createWindowHarness, PLAN_ID, type WindowHarness } from '../windows/harness';

jest.setTimeout(120_000);

const OFFICER = 'fuzhou.officer@duban.example';
const HEAD = 'fuzhou.head@duban.example';
const GENERAL_OFFICE = 'bgt.head@duban.example, bgt.officer@duban.example';

describe('emergency response windows on the time-skipping server', () => {
  let h: WindowHarness;
  beforeAll(async () => {
    h = await createWindowHarness();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  const report = (over: { id: string; occurredAt: string; reportedAt?: string; unit?: string; level?: string }) =>
    h.duban().incidents.report(
      {
        unit: over.unit ?? '福州市',
        incidentId: over.id,
        level: over.level ?? '重大',
        summary: '闽江大桥垮塌',
        occurredAt: over.occurredAt,
        reportedAt: over.reportedAt,
      },
      { nowMs: Date.parse(over.reportedAt ?? over.occurredAt) },
    );
  const done = (args: { incidentId: string; step: string; at?: string; url?: string }) =>
    h.duban().incidents.done({
      incidentId: args.incidentId,
      step: args.step,
      at: args.at,
      evidence: { ...(args.url ? { url: args.url } : {}), recordedBy: 'test' },
    });

  it('reported 30 minutes late: opened at the report, information in time cancels its last reminder and breach, the press conference is breached at t0+24h', async () => {
    await h.startClockAt('2017-07-10T08:30:00+08:00');
    await h.withWorker(async () => {
      const r = await report({
        id: 'fz-a',
        occurredAt: '2017-07-10T08:00+08:00',
        reportedAt: '2017-07-10T08:30+08:00',
      });
      expect(r.created).toBe(true);
      const handle = h.env.client.workflow.getHandle(r.workflowId);
      await h.sleepUntil('2017-07-10T11:30:00+08:00');
      await done({
        incidentId: 'fz-a',
        step: 'information',
        at: '2017-07-10T11:30:00+08:00',
        url: 'https://www.fuzhou.gov.cn/zwgk/a.htm',
      });
      await h.sleepUntil('2017-07-11T09:00:00+08:00');
      const status = await handle.query(emergencyStatusQuery);
      expect(status.steps).toEqual([
        {
          step: 'information',
          obligation: 'emergency-information',
          due: '2017-07-10T13:00:00.000+08:00',
          state: 'on-time',
          doneAt: '2017-07-10T11:30:00.000+08:00',
          marginMinutes: 90,
        },
        {
          step: 'press-conference',
          obligation: 'emergency-press-conference',
          due: '2017-07-11T08:00:00.000+08:00',
          state: 'missed',
          doneAt: null,
          marginMinutes: null,
        },
      ]);
      await handle.signal(closeSignal, { reason: 'test over' });
      await handle.result();
    });
    expect(await h.notices('fz-a')).toEqual([
      `emergency-information opened 2017-07-10T08:30:00.000+08:00 → ${OFFICER}, ${HEAD}`,
      `emergency-information reminder-2h 2017-07-10T11:00:00.000+08:00 → ${OFFICER}`,
      `emergency-press-conference reminder-12h 2017-07-10T20:00:00.000+08:00 → ${OFFICER}`,
      `emergency-press-conference reminder-4h 2017-07-11T04:00:00.000+08:00 → ${OFFICER}`,
      `emergency-press-conference breach 2017-07-11T08:00:00.000+08:00 → ${HEAD}, ${GENERAL_OFFICE}`,
    ]);
    const [opened] = await h.noticeRecords('fz-a');
    const requirement = opened?.payload.kind === 'notice' ? opened.payload.notice.requirement : '';
    expect(requirement).toContain('2017-07-10T13:00:00.000+08:00');
    expect(requirement).toContain('2017-07-11T08:00:00.000+08:00');
    const outcomes = (await h.store.listOutcomes({ planId: PLAN_ID })).filter((o) => o.period === 'fz-a');
    expect(outcomes.map((o) => [o.obligation, o.status, o.due, o.fulfilledAt])).toEqual([
      ['emergency-information', 'on-time', '2017-07-10T13:00:00.000+08:00', '2017-07-10T11:30:00.000+08:00'],
      ['emergency-press-conference', 'missed', '2017-07-11T08:00:00.000+08:00', null],
    ]);
  });

  it('reported 6 hours late: the information window breaches at the report, both steps recorded with their margins', async () => {
    await h.startClockAt('2017-07-10T08:00:00+08:00');
    await h.withWorker(async () => {
      const r = await report({
        id: 'fz-b',
        occurredAt: '2017-07-10T02:00+08:00',
        reportedAt: '2017-07-10T08:00+08:00',
      });
      const handle = h.env.client.workflow.getHandle(r.workflowId);
      await h.sleepUntil('2017-07-10T09:00:00+08:00');
      const late = await done({
        incidentId: 'fz-b',
        step: 'information',
        at: '2017-07-10T09:00:00+08:00',
        url: 'https://www.fuzhou.gov.cn/zwgk/b.htm',
      });
      expect(late.steps[0]).toMatchObject({ state: 'late', marginMinutes: -120 });
      await h.sleepUntil('2017-07-10T21:00:00+08:00');
      expect((await handle.query(windowAgendaQuery)).map((a) => `${a.stage} ${a.at}`)).toEqual([
        'reminder-4h 2017-07-10T22:00:00.000+08:00',
        'breach 2017-07-11T02:00:00.000+08:00',
      ]);
      await done({
        incidentId: 'fz-b',
        step: 'press-conference',
        at: '2017-07-10T21:00:00+08:00',
        url: 'https://www.fuzhou.gov.cn/xwfb/b.htm',
      });
      const final = await handle.result();
      const sent = await handle.query(windowTimelineQuery);
      // The name incident workflows first answered and the one every workflow answers give the same timeline.
      expect(await handle.query(timelineQuery)).toEqual(sent);
      expect(
        sent
          .filter((e: TimelineEntry) => e.type === 'notice')
          .map((e: TimelineEntry) => `${e.what} ${e.stage} ${e.at}`),
      ).toEqual([
        'information opened 2017-07-10T08:00:00.000+08:00',
        'information breach 2017-07-10T08:00:00.000+08:00',
        'press-conference reminder-12h 2017-07-10T14:00:00.000+08:00',
      ]);
      expect(final.steps.map((s: EmergencyStepStatus) => [s.step, s.state, s.marginMinutes])).toEqual([
        ['information', 'late', -120],
        ['press-conference', 'on-time', 300],
      ]);
    });
    // The store lists notices of one instant by key; the workflow sent `opened` first (timeline above).
    expect(await h.notices('fz-b')).toEqual([
      `emergency-information breach 2017-07-10T08:00:00.000+08:00 → ${HEAD}, ${GENERAL_OFFICE}`,
      `emergency-information opened 2017-07-10T08:00:00.000+08:00 → ${OFFICER}, ${HEAD}`,
      `emergency-press-conference reminder-12h 2017-07-10T14:00:00.000+08:00 → ${OFFICER}`,
    ]);
  });

  it('reporting the same incident twice starts one response', async () => {
    await h.startClockAt('2017-08-01T10:00:00+08:00');
    await h.withWorker(async () => {
      const first = await report({
        id: 'fz-c',
        occurredAt: '2017-08-01T09:00+08:00',
        reportedAt: '2017-08-01T10:00+08:00',
      });
      const second = await report({
        id: 'fz-c',
        occurredAt: '2017-08-01T09:00+08:00',
        reportedAt: '2017-08-01T10:00+08:00',
      });
      expect([first.created, second.created]).toEqual([true, false]);
      expect(second.workflowId).toBe(first.workflowId);
      await h.sleepUntil('2017-08-01T10:01:00+08:00');
      const handle = h.env.client.workflow.getHandle(first.workflowId);
      await handle.signal(closeSignal, { reason: 'test over' });
      await handle.result();
    });
    expect((await h.notices('fz-c')).filter((n) => n.includes(' opened '))).toHaveLength(1);
  });

  describe('refuses bad input with a reason and changes nothing', () => {
    const notStarted = async (id: string) =>
      expect(h.env.client.workflow.getHandle(incidentWorkflowId(PLAN_ID, id)).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );

    it('an occurrence in the future', async () => {
      const now = Date.parse('2017-07-10T08:00:00+08:00');
      const future = { unit: '福州市', level: '重大', summary: 'x', occurredAt: '2017-07-10T09:00+08:00' };
      expect(() => checkIncidentReport({ directory: h.directory }, future, now)).toThrow(
        'occurredAt: 2017-07-10T09:00:00.000+08:00 is in the future (now 2017-07-10T08:00:00.000+08:00)',
      );
      await expect(
        h.duban().incidents.report({ ...future, incidentId: 'fz-future' }, { nowMs: now }),
      ).rejects.toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('is in the future') });
      await notStarted('fz-future');
    });

    it('an unknown unit, a report before the occurrence, an unknown level', async () => {
      const base = {
        unit: '福州市',
        incidentId: 'fz-bad',
        level: '重大',
        summary: 'x',
        occurredAt: '2017-07-10T08:00+08:00',
      };
      const at = { nowMs: Date.parse('2017-07-10T12:00:00+08:00') };
      const incidents = h.duban().incidents;
      await expect(incidents.report({ ...base, unit: '福州' }, at)).rejects.toThrow(
        "unknown unit '福州' (not a code, name or alias in the unit directory); did you mean 人行福州中心支行、福州市?",
      );
      await expect(incidents.report({ ...base, reportedAt: '2017-07-10T07:00+08:00' }, at)).rejects.toThrow(
        'is before the incident occurred',
      );
      await expect(incidents.report({ ...base, level: '较大' }, at)).rejects.toThrow('level: expected 特别重大 | 重大');
      await notStarted('fz-bad');
    });

    it('a step done twice, done in the future or before the occurrence, or without evidence', async () => {
      await h.startClockAt('2017-09-01T10:00:00+08:00');
      await h.withWorker(async () => {
        const r = await report({
          id: 'fz-d',
          occurredAt: '2017-09-01T09:00+08:00',
          reportedAt: '2017-09-01T10:00+08:00',
        });
        const handle = h.env.client.workflow.getHandle(r.workflowId);
        const step = (at: string, url?: string) => done({ incidentId: 'fz-d', step: 'information', at, url });
        await step('2017-09-01T09:30:00+08:00', 'https://x.test/1');
        const before = await handle.query(emergencyStatusQuery);
        await expect(step('2017-09-01T09:40:00+08:00', 'https://x.test/2')).rejects.toMatchObject({
          type: 'AlreadyDone',
          message: 'information of incident fz-d was already done at 2017-09-01T09:30:00.000+08:00',
        });
        await expect(
          done({
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T23:00:00+08:00',
            url: 'https://x.test/3',
          }),
        ).rejects.toThrow('is in the future');
        await expect(
          done({
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T08:00:00+08:00',
            url: 'https://x.test/3',
          }),
        ).rejects.toThrow('is before the incident occurred');
        await expect(
          done({
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T09:50:00+08:00',
          }),
        ).rejects.toMatchObject({ type: 'InvalidEvidence' });
        await expect(done({ incidentId: 'nope', step: 'information', url: 'https://x.test/4' })).rejects.toMatchObject({
          type: 'UnknownObligation',
          message: expect.stringContaining('incident nope of plan fj-2017-zwgk: no workflow'),
        });
        expect(await handle.query(emergencyStatusQuery)).toEqual(before);
        await handle.signal(closeSignal, { reason: 'test over' });
        await handle.result();
      });
    });
  });
});
