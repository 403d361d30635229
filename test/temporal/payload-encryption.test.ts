/**
 * Payload encryption end to end on the real dev server: `duban start` (worker and dashboard) and `duban fulfil`
 * under DUBAN_PAYLOAD_KEYS; the server's stored history, read with a raw client that has no codec, holds no plain
 * text of the evidence, and the dashboard's codec endpoint decodes it for an operator.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadTemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { freePort, spawnDuban } from '../helpers/process';
import { silentLogger } from '../../src/telemetry/logger';

jest.setTimeout(300_000);

const WORKFLOW_ID = 'duban/fj-2017-zwgk/fj-fuzhou/implementation-plan';
const TOKEN = 'operator-token-for-the-codec-test';

describe('payload encryption (DUBAN_PAYLOAD_KEYS)', () => {
  let dataDir: string;
  let server: DevServer;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duban-codec-'));
    server = await startDevServer(
      loadTemporalConfig({
        DUBAN_DATA_DIR: path.join(dataDir, 'server'),
        DUBAN_DEV_SERVER_PORT: String(await freePort()),
        DUBAN_DEV_UI_PORT: String(await freePort()),
      }),
      { logger: silentLogger },
    );
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the evidence out of the server, and the codec endpoint decodes it for an operator', async () => {
    const httpPort = await freePort();
    const ui = 'http://127.0.0.1:18233';
    const env = {
      TEMPORAL_ADDRESS: server.address,
      DUBAN_DATA_DIR: dataDir,
      DUBAN_PAYLOAD_KEYS: `k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`,
      DUBAN_HTTP_PORT: String(httpPort),
      DUBAN_OPERATOR_TOKEN: TOKEN,
      DUBAN_TEMPORAL_UI_URL: ui,
    };
    const job = spawnDuban(['start'], env);
    const base = `http://127.0.0.1:${httpPort}`;
    try {
      await job.waitFor('dashboard at', 150_000);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { failing: string[] }).failing).toEqual([]);

      // The unit workflow starts its obligations' workflows moments after the plan starts.
      const watcher = await Connection.connect({ address: server.address });
      try {
        const handle = new Client({ connection: watcher }).workflow.getHandle(WORKFLOW_ID);
        for (
          let i = 0;
          !(await handle.describe().then(
            () => true,
            () => false,
          ));
          i++
        ) {
          if (i > 120) throw new Error(`${WORKFLOW_ID} did not start`);
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        await watcher.close();
      }

      const secret = `证据备注-${randomBytes(6).toString('hex')}`;
      const fulfil = spawnDuban(
        // prettier-ignore
        ['fulfil', '--unit', '福州市', '--obligation', 'implementation-plan', '--document', '榕政办〔2017〕88号',
          '--note', secret, '--by', '测试员'],
        env,
      );
      if ((await fulfil.exit) !== 0) throw new Error(fulfil.output());

      // The history as the server stores it, through a client without the codec.
      const connection = await Connection.connect({ address: server.address });
      let history: temporal.api.history.v1.IHistory;
      try {
        history = await new Client({ connection }).workflow.getHandle(WORKFLOW_ID).fetchHistory();
      } finally {
        await connection.close();
      }
      const stored = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(stored.includes(Buffer.from(secret))).toBe(false);
      expect(stored.includes(Buffer.from('测试员'))).toBe(false);
      // …nor the names and addresses of the directory that the workflow's input carries.
      expect(stored.includes(Buffer.from('fuzhou.officer@'))).toBe(false);
      expect(stored.includes(Buffer.from('binary/encrypted'))).toBe(true);
      const update = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!;
      const payloads = update.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads!;
      const asJson = payloads.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      }));

      const decode = (headers: Record<string, string>) =>
        fetch(`${base}/api/codec/decode`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
          body: JSON.stringify({ payloads: asJson }),
        });
      const decoded = await decode({ Authorization: `Bearer ${TOKEN}`, Origin: ui });
      expect(decoded.status).toBe(200);
      expect(decoded.headers.get('access-control-allow-origin')).toBe(ui);
      const out = (await decoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      const plain = out.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
      expect(plain).toContain(secret);
      expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');

      // Encoding through the endpoint seals with the first key.
      const encoded = await fetch(`${base}/api/codec/encode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ payloads: out.payloads }),
      });
      const sealed = (await encoded.json()) as { payloads: { metadata: Record<string, string> }[] };
      expect(Buffer.from(sealed.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('k2');

      // The Web UI's preflight is answered for its origin only; callers without the operator token are refused.
      const preflight = await fetch(`${base}/api/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: ui, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace');
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
      const foreign = await fetch(`${base}/api/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const anonymous = await decode({ Origin: ui });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('access-control-allow-origin')).toBe(ui);
      expect((await decode({ Authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
      expect(JSON.stringify(await anonymous.json())).not.toContain(secret);
    } finally {
      job.child.kill('SIGTERM');
      expect(await job.exit).toBe(0);
    }
  });
});
