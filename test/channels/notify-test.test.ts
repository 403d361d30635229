/** `duban notify test --channel NAME --unit U` against the loopback vendor servers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execDuban } from '../helpers/process';
import { runCli } from '../import/run-cli';
import { SECRETS, VendorServers } from './vendors';

describe('duban notify test --channel', () => {
  let vendors: VendorServers;
  let dir: string;
  let directoryFile: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    vendors = new VendorServers();
    await vendors.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-notify-test-'));
    directoryFile = path.join(dir, 'directory.json');
    fs.writeFileSync(
      directoryFile,
      JSON.stringify({
        generalOffice: 'fj-bgt',
        units: [
          {
            code: 'fj-bgt',
            name: '省政府办公厅',
            kind: 'office',
            officer: { name: '联络员', email: 'o@duban.test', mobile: '+8613800000001' },
            head: { name: '负责人', email: 'h@duban.test' },
            channels: { dingtalk: { url: 'env:DT_URL', secret: 'env:DT_SECRET' } },
          },
          {
            code: 'fj-czt',
            name: '省财政厅',
            kind: 'provincial',
            officer: { name: '王联络', email: 'c@duban.test' },
            head: { name: '李厅长', email: 'd@duban.test' },
          },
        ],
      }),
    );
    const channelsFile = path.join(dir, 'channels.json');
    fs.writeFileSync(channelsFile, JSON.stringify({ sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' } }));
    Object.assign(process.env, {
      DUBAN_CHANNELS_FILE: channelsFile,
      DT_URL: vendors.urls.dingtalk,
      DT_SECRET: SECRETS.dingtalkSecret,
      SMS_KEY: SECRETS.smsKey,
      DUBAN_DATA_DIR: dir,
    });
  });

  afterAll(async () => {
    process.env = saved;
    await vendors.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sends one signed test message to the unit's DingTalk robot and prints the answer", async () => {
    const r = await runCli(
      'notify',
      'test',
      '--channel',
      'dingtalk',
      '--unit',
      '省政府办公厅',
      '--directory',
      directoryFile,
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ channel: 'dingtalk', target: 'dingtalk:fj-bgt', response: 'HTTP 200 ok' });
    expect(vendors.accepted('dingtalk')).toHaveLength(1);
    expect(r.out + r.err).not.toContain(SECRETS.dingtalkToken);
  });

  it("sends one SMS to the unit's officer, counting its segments", async () => {
    const r = await runCli(
      'notify',
      'test',
      '--channel',
      'sms',
      '--unit',
      'fj-bgt',
      '--directory',
      directoryFile,
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ target: 'sms:fj-bgt/officer', segments: expect.any(Number) });
    expect(vendors.accepted('sms').map((q) => q.body.to)).toEqual(['+8613800000001']);
  });

  it('stops duban start (exit 2, nothing started) on a channel policy with a mistake, naming the file and field', async () => {
    const bad = path.join(dir, 'bad-channels.json');
    fs.writeFileSync(bad, JSON.stringify({ stages: { reminder: ['dingtalk', 'pager'] } }));
    const r = await execDuban(['start'], { DUBAN_CHANNELS_FILE: bad, DUBAN_LOG_FORMAT: 'pretty', DUBAN_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: channels.stages.reminder[1]: expected mail | dingtalk`);
    expect(fs.existsSync(path.join(dir, 'duban.sqlite'))).toBe(false);
  });

  it('exits 1 naming the endpoint when the unit has no robot, and 2 for an unknown channel', async () => {
    const none = await runCli('notify', 'test', '--channel', 'wecom', '--unit', 'fj-czt', '--directory', directoryFile);
    expect(none.code).toBe(1);
    expect(none.err).toContain('wecom:fj-czt: the unit has no wecom endpoint in the directory');
    const bad = await runCli('notify', 'test', '--channel', 'pager', '--unit', 'fj-czt', '--directory', directoryFile);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--channel: expected mail | dingtalk');
    const neither = await runCli('notify', 'test');
    expect(neither.code).toBe(2);
  });
});
