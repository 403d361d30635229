/**
 * `duban start` run as production runs it: JSON log lines only, Prometheus metrics of the SDK and of duban at one
 * address, and no secret or mail address in any line, with a mail relay that needs a password, an API key, tokens,
 * payload keys and a directory full of addresses in the configuration.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { BUNDLED_DIRECTORY_PATH } from '../../src/import/directory';
import { silentLogger } from '../../src/telemetry/logger';
import { loadTemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { freePort, spawnDuban, type DubanProcess } from '../helpers/process';

jest.setTimeout(240_000);

/** The value of every series `name{…labels}` whose labels include `match`, summed. */
function sample(text: string, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}

describe('duban start as production runs it', () => {
  const secret = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;
  const smtpUser = secret('smtpuser');
  const smtpPass = secret('smtppass');
  const apiKey = secret('apikey');
  const operatorToken = secret('operator-token');
  const unitToken = secret('unit-token');
  const payloadKey = randomBytes(32).toString('base64');
  const sender = `${secret('sender')}@mail.example`;
  let dataDir: string;
  let server: DevServer;
  let smtp: SMTPServer;
  let received = 0;
  let addresses: string[];
  let job: DubanProcess;
  let exitCode: number | null;
  let metricsBefore: string;
  let metricsAfter: string;
  let ready: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duban-production-'));
    // Every contact of the directory gets an address of its own that no log line may repeat.
    const directory = JSON.parse(readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8')) as {
      units: { officer: { email: string }; head: { email: string } }[];
    };
    addresses = [];
    for (const unit of directory.units)
      for (const contact of [unit.officer, unit.head]) {
        contact.email = `${secret('contact')}@gov.example`;
        addresses.push(contact.email);
      }
    const directoryFile = path.join(dataDir, 'directory.json');
    writeFileSync(directoryFile, JSON.stringify(directory));

    // A relay that takes mail only with the password.
    smtp = new SMTPServer({
      secure: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) =>
        auth.username === smtpUser && auth.password === smtpPass
          ? callback(null, { user: smtpUser })
          : callback(new Error('535 authentication failed')),
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => {
          received++;
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    const temporalPort = await freePort();
    server = await startDevServer(
      loadTemporalConfig({
        DUBAN_DATA_DIR: path.join(dataDir, 'server'),
        DUBAN_DEV_SERVER_PORT: String(temporalPort),
        DUBAN_DEV_UI_PORT: String(await freePort()),
      }),
      { logger: silentLogger },
    );
    const httpPort = await freePort();
    const metricsPort = await freePort();
    job = spawnDuban(['start'], {
      DUBAN_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_API_KEY: apiKey,
      TEMPORAL_TLS: 'false',
      DUBAN_PAYLOAD_KEYS: `k1:${payloadKey}`,
      DUBAN_HTTP_PORT: String(httpPort),
      DUBAN_HTTP_LOG: '1',
      DUBAN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      DUBAN_LOG_FORMAT: 'json',
      DUBAN_LOG_LEVEL: 'DEBUG',
      DUBAN_OPERATOR_TOKEN: operatorToken,
      DUBAN_UNIT_TOKENS: `fj-fuzhou=${unitToken}`,
      DUBAN_DIRECTORY: directoryFile,
      SMTP_URL: `smtp://${smtpUser}:${smtpPass}@127.0.0.1:${smtpPort}`,
      SMTP_TLS_INSECURE: '1',
      MAIL_FROM: `duban <${sender}>`,
      DUBAN_REHEARSAL_MAIL: '1',
      DUBAN_DIGEST_GRACE_MS: '100',
    });
    await job.waitFor('dashboard at', 150_000);
    const base = `http://127.0.0.1:${httpPort}`;
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    ready = (await fetch(`${base}/readyz`)).status;
    metricsBefore = await (await fetch(metrics)).text();
    // An incident sends its `opened` notice at once, to the unit's officer and head: through the relay. The example
    // runs as a rehearsal: the incident happens in its plan time.
    const { timeShiftMs } = JSON.parse(readFileSync(path.join(dataDir, 'rehearsals', 'fj-2017-zwgk.json'), 'utf8'));
    const occurredAt = new Date(Date.now() + Number(timeShiftMs) - 60_000).toISOString();
    const report = await fetch(`${base}/api/plans/fj-2017-zwgk/units/fj-fuzhou/incidents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${unitToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ level: '重大', summary: '暴雨内涝', occurredAt }),
    });
    expect([report.status, await report.text()]).toEqual([201, expect.any(String)]);
    for (let i = 0; i < 100 && received < 1; i++) await new Promise((r) => setTimeout(r, 300));
    await job.waitFor('digest sent', 30_000);
    metricsAfter = await (await fetch(metrics)).text();
    job.child.kill('SIGTERM');
    exitCode = await job.exit;
  });

  afterAll(async () => {
    job?.child.kill('SIGKILL');
    await server?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ran, was ready, sent the notice and stopped cleanly', () => {
    expect(ready).toBe(200);
    expect(received).toBeGreaterThan(0);
    expect(exitCode).toBe(0);
  });

  it('writes nothing but JSON lines with time, level and message, on stdout and stderr alike', () => {
    const lines = job.output().trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    const bad = lines.filter((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return !(typeof entry.time === 'string' && typeof entry.level === 'string' && typeof entry.msg === 'string');
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([]);
    expect(job.stdout()).toBe('');
    // The SDK's lines come through the same logger, at the same level.
    expect(lines.some((l) => l.includes('"sdk":true') && l.includes('"level":"debug"'))).toBe(true);
  });

  it('logs no password, key, token or mail address', () => {
    const output = job.output();
    for (const s of [smtpUser, smtpPass, apiKey, operatorToken, unitToken, payloadKey, sender, ...addresses])
      expect(output).not.toContain(s);
    expect(output).not.toMatch(/[\w.+-]+@gov\.example/);
  });

  it("serves the SDK's temporal_ and duban's duban_ series at one address, the notice counted", () => {
    expect(metricsAfter).toMatch(/^temporal_\w+/m);
    expect(metricsAfter).toMatch(/^duban_notices_total\{/m);
    expect(metricsAfter).toMatch(/^duban_outbox_depth\{status="queued"\} \d+/m);
    expect(metricsAfter).toMatch(/^duban_outbox_oldest_age_seconds \d/m);
    const sent = { channel: 'mail', stage: 'opened', result: 'sent' };
    expect(sample(metricsAfter, 'duban_notices_total', sent)).toBeGreaterThan(
      sample(metricsBefore, 'duban_notices_total', sent),
    );
    expect(
      sample(metricsAfter, 'duban_http_requests_total', {
        route: '/api/plans/:plan/units/:unit/incidents',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
  });
});
