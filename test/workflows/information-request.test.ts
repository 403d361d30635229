import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { requestWorkflowId } from '../../src/domain/ids';
import type { informationRequestWorkflow } from '../../workflows/information-request';
import {
  requestCorrectUpdate,
  requestExtendUpdate,
  requestPauseUpdate,
  requestReplyUpdate,
  requestResumeUpdate,
  requestStatusQuery,
} from '../../workflows/messages';
import { createWindowHarness, PLAN_ID, type WindowHarness } from '../windows/harness';

jest.setTimeout(60_000);

const OFFICER = 'fuzhou.officer@duban.example';
const HEAD = 'fuzhou.head@duban.example';

describe('information request reply limits on the time-skipping server', () => {
  let h: WindowHarness;
  beforeAll(async () => {
    h = await createWindowHarness();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  /** Receives a request at plan instant `at` and returns its handle. */
  const receive = async (id: string, receivedOn: string, at: string) => {
    await h.startClockAt(at);
    const r = await h
      .duban()
      .requests.receive({ unit: '福州市', requestId: id, receivedOn }, { nowMs: Date.parse(at) });
    expect(r.created).toBe(true);
    return { ...r, handle: h.env.client.workflow.getHandle<typeof informationRequestWorkflow>(r.workflowId) };
  };
  const reply = (handle: WorkflowHandle, at: string) =>
    handle.executeUpdate(requestReplyUpdate, {
      args: [{ at, evidence: { recordedBy: 'test', url: 'https://x.test/r' } }],
    });

  it('received just before the 2017 National Day week: 15 working days skip 10-01..10-08 and count Saturday 09-30, so due 10-26; escalated, then answered late', async () => {
    await h.withWorker(async () => {
      const { handle, due } = await receive('fz-r1', '2017-09-29', '2017-09-29T10:00:00+08:00');
      expect(due).toEqual({ receivedOn: '2017-09-29', due: '2017-10-26', workingDays: 15, regulation: '2008' });
      await h.sleepUntil('2017-10-27T15:00:00+08:00');
      expect((await handle.query(requestStatusQuery)).state).toBe('overdue');
      const s = await reply(handle, '2017-10-27T15:00:00+08:00');
      expect(s).toMatchObject({ due: '2017-10-26', state: 'late', repliedAt: '2017-10-27T15:00:00.000+08:00' });
      await handle.result();
    });
    expect(await h.notices('fz-r1')).toEqual([
      `information-request reminder-5 2017-10-19T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-2 2017-10-24T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-1 2017-10-25T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-0 2017-10-26T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request escalation-1 2017-10-27T09:00:00.000+08:00 → ${HEAD}`,
    ]);
    const [outcome] = (await h.store.listOutcomes({ planId: PLAN_ID })).filter((o) => o.period === 'fz-r1');
    expect(outcome).toMatchObject({ obligation: 'information-request', due: '2017-10-26', status: 'late' });
  });

  it('one extension of 15 working days approved on 06-20 moves 06-22 to 07-13; reminders start over for the new date; a second extension is refused', async () => {
    await h.withWorker(async () => {
      const { handle } = await receive('fz-r2', '2017-06-01', '2017-06-01T09:30:00+08:00');
      await h.sleepUntil('2017-06-20T10:00:00+08:00');
      const extended = await handle.executeUpdate(requestExtendUpdate, {
        args: [{ approver: '福州市政府办 张主任', reason: '需调取档案' }],
      });
      expect(extended).toMatchObject({ due: '2017-07-13', workingDays: 30 });
      await expect(
        handle.executeUpdate(requestExtendUpdate, { args: [{ approver: '张主任', reason: '再延', workingDays: 5 }] }),
      ).rejects.toMatchObject({ cause: { type: 'SecondExtension' } });
      expect(await handle.query(requestStatusQuery)).toEqual(extended);
      await h.sleepUntil('2017-07-12T16:00:00+08:00');
      expect((await reply(handle, '2017-07-12T16:00:00+08:00')).state).toBe('on-time');
    });
    expect(await h.notices('fz-r2')).toEqual([
      `information-request reminder-5 2017-06-15T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-2 2017-06-20T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-5 2017-07-06T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-2 2017-07-11T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-1 2017-07-12T09:00:00.000+08:00 → ${OFFICER}`,
    ]);
    const events = await h.store.listEvents({ planId: PLAN_ID, period: 'fz-r2', type: 'extension' });
    expect(events.map((e) => e.event)).toEqual([
      expect.objectContaining({ newDue: '2017-07-13', approver: '福州市政府办 张主任' }),
    ]);
  });

  it('paused for a third party 08-08 → 08-15: 5 working days not counted, no reminder while paused, due 08-22 becomes 08-29', async () => {
    await h.withWorker(async () => {
      const { handle } = await receive('fz-r3', '2017-08-01', '2017-08-01T09:30:00+08:00');
      await h.sleepUntil('2017-08-08T17:00:00+08:00');
      const paused = await handle.executeUpdate(requestPauseUpdate, { args: [{ reason: '征求第三方（某公司）意见' }] });
      expect(paused).toMatchObject({ state: 'paused', due: null });
      await h.sleepUntil('2017-08-15T10:00:00+08:00');
      const resumed = await handle.executeUpdate(requestResumeUpdate, { args: [{ reason: '第三方已答复' }] });
      expect(resumed).toMatchObject({
        state: 'pending',
        due: '2017-08-29',
        workingDays: 20,
        pauses: [{ from: '2017-08-08', to: '2017-08-15', workingDays: 5, reason: '征求第三方（某公司）意见' }],
      });
      await h.sleepUntil('2017-08-29T11:00:00+08:00');
      expect((await reply(handle, '2017-08-29T11:00:00+08:00')).state).toBe('on-time');
    });
    expect(await h.notices('fz-r3')).toEqual([
      `information-request reminder-5 2017-08-22T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-2 2017-08-25T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-1 2017-08-28T09:00:00.000+08:00 → ${OFFICER}`,
      `information-request reminder-0 2017-08-29T09:00:00.000+08:00 → ${OFFICER}`,
    ]);
  });

  it('received after 2019-05-15: 20 working days (2019 regulation) over the Dragon Boat holiday, due 2019-07-02; one received on 05-14 still gets 15', async () => {
    await h.withWorker(async () => {
      const before = await receive('fz-r4a', '2019-05-14', '2019-05-14T09:00:00+08:00');
      expect(before.due).toMatchObject({ due: '2019-06-04', workingDays: 15, regulation: '2008' });
      // Closed by a reply, not terminated: a termination during a workflow task keeps the test server from skipping time.
      await reply(before.handle, '2019-05-14T09:00:00+08:00');
      const { handle, due } = await receive('fz-r4', '2019-06-03', '2019-06-03T09:30:00+08:00');
      expect(due).toEqual({ receivedOn: '2019-06-03', due: '2019-07-02', workingDays: 20, regulation: '2019' });
      await h.sleepUntil('2019-06-27T10:00:00+08:00');
      expect((await reply(handle, '2019-06-27T10:00:00+08:00')).state).toBe('on-time');
    });
    expect(await h.notices('fz-r4')).toEqual([
      `information-request reminder-5 2019-06-25T09:00:00.000+08:00 → ${OFFICER}`,
    ]);
  });

  it('a corrected request (补正) restarts the count from the day it arrives', async () => {
    await h.withWorker(async () => {
      const { handle } = await receive('fz-r5', '2017-11-01', '2017-11-01T09:00:00+08:00');
      await h.sleepUntil('2017-11-06T10:00:00+08:00');
      const s = await handle.executeUpdate(requestCorrectUpdate, {
        args: [{ receivedOn: '2017-11-06', note: '补正申请内容' }],
      });
      // wd(2017-11-06, +15) = 2017-11-27
      expect(s).toMatchObject({ receivedOn: '2017-11-06', firstReceivedOn: '2017-11-01', due: '2017-11-27' });
      expect((await reply(handle, '2017-11-06T10:00:00+08:00')).state).toBe('on-time');
    });
  });

  describe('refuses bad input with a reason and changes nothing', () => {
    it('a reply before receipt, a receipt in the future, an unknown unit', async () => {
      await h.withWorker(async () => {
        const { handle } = await receive('fz-r6', '2017-12-01', '2017-12-04T09:00:00+08:00');
        const before = await handle.query(requestStatusQuery);
        await expect(reply(handle, '2017-11-30T16:00:00+08:00')).rejects.toMatchObject({
          cause: {
            type: 'ReplyBeforeReceipt',
            message: 'at: 2017-11-30T16:00:00+08:00 is before the request was received (2017-12-01)',
          },
        });
        expect(await handle.query(requestStatusQuery)).toEqual(before);
        await reply(handle, '2017-12-04T09:00:00+08:00');
      });
      const base = { unit: '福州市', requestId: 'fz-r7', receivedOn: '2017-12-05' };
      const at = { nowMs: Date.parse('2017-12-04T09:00:00+08:00') };
      const requests = h.duban().requests;
      await expect(requests.receive(base, at)).rejects.toMatchObject({
        type: 'InvalidInput',
        message: 'receivedOn: 2017-12-05 is in the future (today is 2017-12-04)',
      });
      await expect(requests.receive({ ...base, receivedOn: '2017-12-01', unit: '某某局' }, at)).rejects.toThrow(
        "unknown unit '某某局'",
      );
      await expect(
        h.env.client.workflow.getHandle(requestWorkflowId(PLAN_ID, 'fz-r7')).describe(),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });

    it('an id another unit’s request already has is refused naming that unit; the same request again changes nothing', async () => {
      await h.withWorker(async () => {
        const { handle } = await receive('shared-001', '2017-12-01', '2017-12-01T09:00:00+08:00');
        const before = await handle.query(requestStatusQuery);
        const requests = h.duban().requests;
        const at = { nowMs: Date.parse('2017-12-01T09:00:00+08:00') };
        await expect(
          requests.receive({ unit: '省财政厅', requestId: 'shared-001', receivedOn: '2017-12-01' }, at),
        ).rejects.toMatchObject({
          type: 'InvalidInput',
          message: expect.stringContaining('requestId: shared-001 is already a request of 福州市 (fj-fuzhou)'),
        });
        const again = await requests.receive({ unit: '福州市', requestId: 'shared-001', receivedOn: '2017-12-01' }, at);
        expect(again.created).toBe(false);
        expect(await handle.query(requestStatusQuery)).toEqual(before);
        await reply(handle, '2017-12-01T09:00:00+08:00');
      });
    });
  });
});
