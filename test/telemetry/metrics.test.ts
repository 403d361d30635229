import { loadMetricsAddress, noticesCounter, startMetricsServer, watchOutbox } from '../../src/telemetry/metrics';

describe('the metrics server', () => {
  it('is off unless DUBAN_METRICS_ADDRESS names host:port, and refuses anything else naming the variable', () => {
    expect(loadMetricsAddress({})).toBeUndefined();
    expect(loadMetricsAddress({ DUBAN_METRICS_ADDRESS: 'off' })).toBeUndefined();
    expect(loadMetricsAddress({ DUBAN_METRICS_ADDRESS: '127.0.0.1:9464' })).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(() => loadMetricsAddress({ DUBAN_METRICS_ADDRESS: '9464' })).toThrow(
      "invalid configuration: DUBAN_METRICS_ADDRESS: '9464' is not host:port (e.g. 127.0.0.1:9464) or off",
    );
  });

  it("serves duban's series with the outbox read at scrape time, and only /metrics", async () => {
    let queued = 3;
    watchOutbox({
      countDeliveries: async () => ({ queued, sending: 1, sent: 9 }),
      nextDueMs: async () => Date.now() - 90_000,
    });
    noticesCounter.inc({ channel: 'mail', stage: 'reminder-5', result: 'queued' });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    try {
      const first = await fetch(server.url);
      expect(first.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await first.text();
      expect(text).toContain('duban_outbox_depth{status="queued"} 3');
      expect(text).toContain('duban_outbox_depth{status="sending"} 1');
      expect(text).toMatch(/^duban_outbox_oldest_age_seconds (9\d|1\d\d)(\.\d+)?$/m);
      expect(text).toContain('duban_notices_total{channel="mail",stage="reminder-5",result="queued"} 1');
      expect(text).toMatch(/^duban_process_cpu_seconds_total /m);
      queued = 0;
      expect(await (await fetch(server.url)).text()).toContain('duban_outbox_depth{status="queued"} 0');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
