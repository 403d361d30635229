import { WorkflowNotFoundError } from '@temporalio/client';
import { checkIncidentReport, recordIncidentStep, reportIncident } from '../../src/cli/commands/emergency';
import {
  closeSignal,
  emergencyStatusQuery,
  incidentWorkflowId,
  windowAgendaQuery,
  windowTimelineQuery,
  type EmergencyStepStatus,
  type WindowTimelineEntry,
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
    reportIncident(h.env.client, {
      planId: PLAN_ID,
      directory: h.directory,
      unit: over.unit ?? '福州市',
      incidentId: over.id,
      level: over.level ?? '重大',
      summary: '闽江大桥垮塌',
      occurredAt: over.occurredAt,
      reportedAt: over.reportedAt,
      taskQueue: h.taskQueue,
      timeShiftMs: h.shift(),
      nowMs: Date.parse(over.reportedAt ?? over.occurredAt),
      searchAttributes: false,
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
      await recordIncidentStep(h.env.client, {
        planId: PLAN_ID,
        incidentId: 'fz-a',
        step: 'information',
        at: '2017-07-10T11:30:00+08:00',
        url: 'https://www.fuzhou.gov.cn/zwgk/a.htm',
        by: 'test',
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
      const late = await recordIncidentStep(h.env.client, {
        planId: PLAN_ID,
        incidentId: 'fz-b',
        step: 'information',
        at: '2017-07-10T09:00:00+08:00',
        url: 'https://www.fuzhou.gov.cn/zwgk/b.htm',
        by: 'test',
      });
      expect(late.steps[0]).toMatchObject({ state: 'late', marginMinutes: -120 });
      await h.sleepUntil('2017-07-10T21:00:00+08:00');
      expect((await handle.query(windowAgendaQuery)).map((a) => `${a.stage} ${a.at}`)).toEqual([
        'reminder-4h 2017-07-10T22:00:00.000+08:00',
        'breach 2017-07-11T02:00:00.000+08:00',
      ]);
      await recordIncidentStep(h.env.client, {
        planId: PLAN_ID,
        incidentId: 'fz-b',
        step: 'press-conference',
        at: '2017-07-10T21:00:00+08:00',
        url: 'https://www.fuzhou.gov.cn/xwfb/b.htm',
        by: 'test',
      });
      const final = await handle.result();
      const sent = await handle.query(windowTimelineQuery);
      expect(
        sent
          .filter((e: WindowTimelineEntry) => e.type === 'notice')
          .map((e: WindowTimelineEntry) => `${e.what} ${e.stage} ${e.at}`),
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
      expect(() =>
        checkIncidentReport({
          planId: PLAN_ID,
          directory: h.directory,
          unit: '福州市',
          level: '重大',
          summary: 'x',
          occurredAt: '2017-07-10T09:00+08:00',
          nowMs: now,
        }),
      ).toThrow('--occurred-at: 2017-07-10T09:00:00.000+08:00 is in the future (now 2017-07-10T08:00:00.000+08:00)');
      await expect(
        reportIncident(h.env.client, {
          planId: PLAN_ID,
          directory: h.directory,
          unit: '福州市',
          incidentId: 'fz-future',
          level: '重大',
          summary: 'x',
          occurredAt: '2017-07-10T09:00+08:00',
          taskQueue: h.taskQueue,
          nowMs: now,
        }),
      ).rejects.toThrow('is in the future');
      await notStarted('fz-future');
    });

    it('an unknown unit, a report before the occurrence, an unknown level', async () => {
      const base = {
        planId: PLAN_ID,
        directory: h.directory,
        unit: '福州市',
        incidentId: 'fz-bad',
        level: '重大',
        summary: 'x',
        occurredAt: '2017-07-10T08:00+08:00',
        taskQueue: h.taskQueue,
        nowMs: Date.parse('2017-07-10T12:00:00+08:00'),
      };
      await expect(reportIncident(h.env.client, { ...base, unit: '福州' })).rejects.toThrow(
        "unknown unit '福州': not a code, name or alias in the unit directory (did you mean 人行福州中心支行、福州市?)",
      );
      await expect(reportIncident(h.env.client, { ...base, reportedAt: '2017-07-10T07:00+08:00' })).rejects.toThrow(
        'is before the incident occurred',
      );
      await expect(reportIncident(h.env.client, { ...base, level: '较大' })).rejects.toThrow(
        '--level: expected 特别重大 | 重大',
      );
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
        const step = (at: string, url?: string) =>
          recordIncidentStep(h.env.client, {
            planId: PLAN_ID,
            incidentId: 'fz-d',
            step: 'information',
            at,
            url,
            by: 'test',
          });
        await step('2017-09-01T09:30:00+08:00', 'https://x.test/1');
        const before = await handle.query(emergencyStatusQuery);
        await expect(step('2017-09-01T09:40:00+08:00', 'https://x.test/2')).rejects.toThrow(
          'refused: information of incident fz-d was already done at 2017-09-01T09:30:00.000+08:00 [AlreadyDone]',
        );
        await expect(
          recordIncidentStep(h.env.client, {
            planId: PLAN_ID,
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T23:00:00+08:00',
            url: 'https://x.test/3',
            by: 'test',
          }),
        ).rejects.toThrow('is in the future');
        await expect(
          recordIncidentStep(h.env.client, {
            planId: PLAN_ID,
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T08:00:00+08:00',
            url: 'https://x.test/3',
            by: 'test',
          }),
        ).rejects.toThrow('is before the incident occurred');
        await expect(
          recordIncidentStep(h.env.client, {
            planId: PLAN_ID,
            incidentId: 'fz-d',
            step: 'press-conference',
            at: '2017-09-01T09:50:00+08:00',
            by: 'test',
          }),
        ).rejects.toThrow('[InvalidEvidence]');
        await expect(
          recordIncidentStep(h.env.client, { planId: PLAN_ID, incidentId: 'nope', step: 'information', by: 'test' }),
        ).rejects.toThrow("incident 'nope' of plan fj-2017-zwgk not found");
        expect(await handle.query(emergencyStatusQuery)).toEqual(before);
        await handle.signal(closeSignal, { reason: 'test over' });
        await handle.result();
      });
    });
  });
});
