/**
 * Loopback HTTP servers standing in for the DingTalk and Feishu custom robots, a WeCom group robot, a generic webhook
 * receiver and an SMS gateway. Each checks what its vendor documents — DingTalk's `timestamp`/`sign` query (Base64
 * HMAC-SHA256 of `timestamp\nsecret` keyed with the secret, within an hour), Feishu's `timestamp`/`sign` body fields
 * (Base64 HMAC-SHA256 keyed with `timestamp\nsecret` over nothing), WeCom's `key`, the webhook's body HMAC, the
 * gateway's key — with its own code written from the vendors' documents, not duban's. They answer in the vendors'
 * shapes, enforce a per-minute limit by an injectable clock, and can be told to answer 429 or 5xx, or to be down.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VendorRequest {
  vendor: 'dingtalk' | 'feishu' | 'wecom' | 'webhook' | 'sms';
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  raw: string;
  /** By the server's clock. */
  atMs: number;
  /** Whether the signature (or key) checked out. */
  verified: boolean;
  /** What the server answered. */
  status: number;
  answer: string;
}

export interface VendorSecrets {
  dingtalkToken: string;
  dingtalkSecret: string;
  feishuHook: string;
  feishuSecret: string;
  wecomKey: string;
  webhookSecret: string;
  smsKey: string;
}

export const SECRETS: VendorSecrets = {
  dingtalkToken: 'dt-token-8c1f0e9a47b2',
  dingtalkSecret: 'SECdingtalk0b5e27c94f3a81d6',
  feishuHook: 'fs-hook-5e3d587e-d78e',
  feishuSecret: 'feishu-secret-nIMtb7r3N9pk',
  wecomKey: 'wecom-key-693a91f6-7aaa',
  webhookSecret: 'webhook-secret-4f1c9d2e',
  smsKey: 'sms-gateway-key-71b0c3',
};

export class VendorServers {
  readonly requests: VendorRequest[] = [];
  /** Answers queued for the next requests of a vendor, before any check: `[status, body]`. */
  private readonly forced = new Map<string, [number, string][]>();
  private server = http.createServer((req, res) => void this.handle(req, res));
  /** While true, every request gets 503. */
  down = false;
  /** Messages a minute each robot accepts before DingTalk's 130101 / WeCom's 45009. */
  perMinute = 20;
  port = 0;

  constructor(
    private readonly secrets: VendorSecrets = SECRETS,
    /** The vendors' clock (epoch ms). (Default: Date.now) */
    public clock: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The webhook URLs duban is given (through the environment): each embeds its credential, as the vendors' do. */
  get urls() {
    return {
      dingtalk: `${this.base}/robot/send?access_token=${this.secrets.dingtalkToken}`,
      feishu: `${this.base}/open-apis/bot/v2/hook/${this.secrets.feishuHook}`,
      wecom: `${this.base}/cgi-bin/webhook/send?key=${this.secrets.wecomKey}`,
      webhook: `${this.base}/duban-hook`,
      sms: `${this.base}/sms/send`,
    };
  }

  /** The next `n` requests to `vendor` get `status` with `body`. */
  force(vendor: VendorRequest['vendor'], status: number, body = '', n = 1): void {
    const list = this.forced.get(vendor) ?? [];
    for (let i = 0; i < n; i++) list.push([status, body]);
    this.forced.set(vendor, list);
  }

  /** Accepted requests of a vendor (verified, answered as a success). */
  accepted(vendor: VendorRequest['vendor']): VendorRequest[] {
    return this.requests.filter(
      (r) => r.vendor === vendor && r.verified && r.status === 200 && /"(errcode|code)":0|ok/.test(r.answer),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const vendor: VendorRequest['vendor'] = url.pathname.startsWith('/robot/send')
      ? 'dingtalk'
      : url.pathname.startsWith('/open-apis/')
        ? 'feishu'
        : url.pathname.startsWith('/cgi-bin/')
          ? 'wecom'
          : url.pathname.startsWith('/sms/')
            ? 'sms'
            : 'webhook';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // left empty: the checks below fail
    }
    const nowMs = this.clock();
    const record = (verified: boolean, status: number, answer: string) => {
      this.requests.push({
        vendor,
        url: req.url ?? '',
        headers: req.headers,
        body,
        raw,
        atMs: nowMs,
        verified,
        status,
        answer,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    };
    if (this.down) return record(false, 503, '{"error":"service unavailable"}');
    const forced = this.forced.get(vendor)?.shift();
    if (forced) return record(false, forced[0], forced[1]);
    const hmacB64 = (key: string, msg: string) => crypto.createHmac('sha256', key).update(msg).digest('base64');
    const recent = (pred: (r: VendorRequest) => boolean) =>
      this.requests.filter((r) => pred(r) && r.verified && r.atMs > nowMs - 60_000).length;
    switch (vendor) {
      case 'dingtalk': {
        const ts = Number(url.searchParams.get('timestamp'));
        const sign = url.searchParams.get('sign') ?? '';
        const ok =
          url.searchParams.get('access_token') === this.secrets.dingtalkToken &&
          Math.abs(Date.now() - ts) < 3_600_000 &&
          sign === hmacB64(this.secrets.dingtalkSecret, `${ts}\n${this.secrets.dingtalkSecret}`);
        if (!ok) return record(false, 200, '{"errcode":310000,"errmsg":"sign not match"}');
        if (recent((r) => r.vendor === 'dingtalk') >= this.perMinute)
          return record(false, 200, '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}');
        return record(true, 200, '{"errcode":0,"errmsg":"ok"}');
      }
      case 'feishu': {
        const ts = Number(body.timestamp);
        const ok =
          url.pathname.endsWith(`/${this.secrets.feishuHook}`) &&
          Math.abs(Date.now() / 1000 - ts) < 3600 &&
          body.sign === crypto.createHmac('sha256', `${ts}\n${this.secrets.feishuSecret}`).digest('base64');
        if (!ok)
          return record(
            false,
            200,
            '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
          );
        return record(true, 200, '{"code":0,"msg":"success","data":{}}');
      }
      case 'wecom': {
        if (url.searchParams.get('key') !== this.secrets.wecomKey)
          return record(false, 200, '{"errcode":93000,"errmsg":"invalid webhook url"}');
        if (recent((r) => r.vendor === 'wecom') >= this.perMinute)
          return record(false, 200, '{"errcode":45009,"errmsg":"api freq out of limit"}');
        const content = (body.markdown as { content?: string } | undefined)?.content ?? '';
        if (Buffer.byteLength(content) > 4096)
          return record(false, 200, '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}');
        return record(true, 200, '{"errcode":0,"errmsg":"ok"}');
      }
      case 'webhook': {
        const expected = `sha256=${crypto.createHmac('sha256', this.secrets.webhookSecret).update(raw).digest('hex')}`;
        if (req.headers['x-duban-signature'] !== expected) return record(false, 401, '{"error":"bad signature"}');
        return record(true, 200, '{"ok":true}');
      }
      case 'sms': {
        if (req.headers.authorization !== `Bearer ${this.secrets.smsKey}`)
          return record(false, 401, '{"error":"bad key"}');
        const text = String(body.text ?? '');
        const segments = text.length <= 70 ? 1 : Math.ceil(text.length / 67);
        if (body.segments !== segments || !/^\+?[0-9]{6,15}$/.test(String(body.to)))
          return record(false, 400, '{"error":"bad message"}');
        return record(true, 200, '{"ok":true}');
      }
    }
  }
}
