/**
 * Sending a digest on a channel other than mail: DingTalk, Feishu and WeCom group robots, a generic signed JSON
 * webhook, and SMS through an HTTP gateway. Each renders the same digest (subject, text, dashboard link) in its own
 * format and reports failures as {@link ChannelSendError}s the dispatcher treats like SMTP replies: transient ones
 * are retried forever, nothing queued is dropped. Errors and logs name the endpoint (`dingtalk:fj-czt`), never its
 * URL or secret.
 */
import type { Directory, RobotEndpoint, Unit } from '../../domain/directory';
import { type ChannelPolicy, ROBOT_CHANNELS, type RobotChannel } from './config';
import { RateLimiter } from './rate-limit';
import type { Secrets } from './secrets';
import { SecretError } from './secrets';
import { bodySignature, dingtalkSign, feishuSign } from './signatures';

/** Where a channel delivery goes, as stored in the outbox's address column: no URL, no number, no secret. */
export type ChannelAddress =
  { channel: RobotChannel; unitCode: string } | { channel: 'sms'; unitCode: string; which: 'officer' | 'head' };

const ADDRESS = /^(dingtalk|feishu|wecom|webhook):([^/\s]+)$|^sms:([^/\s]+)\/(officer|head)$/;

/** The outbox address of a channel endpoint: `dingtalk:fj-czt`, `sms:fj-czt/officer`. */
export function channelAddress(a: ChannelAddress): string {
  return a.channel === 'sms' ? `sms:${a.unitCode}/${a.which}` : `${a.channel}:${a.unitCode}`;
}

/** The channel endpoint an outbox address names, or undefined for a mail address. */
export function parseChannelAddress(address: string): ChannelAddress | undefined {
  const m = ADDRESS.exec(address);
  if (!m) return undefined;
  if (m[1] && m[2]) return { channel: m[1] as RobotChannel, unitCode: m[2] };
  return { channel: 'sms', unitCode: m[3]!, which: m[4] as 'officer' | 'head' };
}

/** One digest as a channel sends it. */
export interface ChannelMessage {
  /** Deterministic per digest (like a Message-ID): sent as `X-Duban-Message-Id`, so a receiver can drop a repeat. */
  id: string;
  subject: string;
  /** The digest's plain text, as the e-mail has it. */
  text: string;
  /** The dashboard page of the (first) notice's unit. */
  link: string;
  /** The recipient's unit, by name. */
  unitName: string;
  /** How many notices the digest holds. */
  count: number;
  /** What the generic webhook passes on for an office's own platform. */
  notices: {
    key: string;
    stage: string;
    planId: string;
    unitCode: string;
    taskNo: number | null;
    due: string;
    at: string;
  }[];
}

/** How the dispatcher treats a failed channel send (as `classifySendError` does for SMTP). */
export type ChannelFailure = 'transient' | 'undeliverable' | 'failed';

/** A failed channel send; the message names the endpoint and the answer, never a URL or secret. */
export class ChannelSendError extends Error {
  override readonly name = 'ChannelSendError';
  constructor(
    message: string,
    readonly failure: ChannelFailure,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    /** The vendor's error code (`errcode`, `code`), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Vendor error codes that mean "later": rate limits and busy servers. */
const TRANSIENT_CODES: Record<RobotChannel | 'sms', Set<string>> = {
  // 130101: send too fast, exceed 20 times per minute; -1: system busy.
  dingtalk: new Set(['130101', '-1']),
  // 11232: frequency limited; 9499: too many requests.
  feishu: new Set(['11232', '9499']),
  // 45009: api freq out of limit; -1: system busy.
  wecom: new Set(['45009', '-1']),
  webhook: new Set(),
  sms: new Set(),
};

/** Vendor error codes that mean the robot is gone (deleted, token revoked): the endpoint is undeliverable. */
const GONE_CODES: Record<RobotChannel | 'sms', Set<string>> = {
  dingtalk: new Set(['300001', '400101']),
  feishu: new Set(['19024']),
  wecom: new Set(['93000']),
  webhook: new Set(),
  sms: new Set(),
};

/** Longest a channel's HTTP exchange may take; well inside the dispatcher's lease. */
const REQUEST_TIMEOUT_MS = 15_000;
/** WeCom refuses markdown over 4096 bytes. */
const WECOM_MAX_BYTES = 4096;

/** The HTTP exchange a channel needs; injectable so tests can count requests. (Default: global fetch) */
export type Fetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

/** SMS segments: 70 characters fit one; a longer text is sent in parts of 67 (each part loses 3 to the header). */
export function smsSegments(text: string): number {
  const n = text.length;
  return n <= 70 ? 1 : Math.ceil(n / 67);
}

/** The SMS text from the template, the subject shortened (ending in `…`) until it fits `maxSegments`. */
export function smsText(
  template: string,
  vars: { unit: string; subject: string; count: number; link: string },
  maxSegments: number,
): string {
  const fill = (subject: string) =>
    template
      .replaceAll('{unit}', vars.unit)
      .replaceAll('{count}', String(vars.count))
      .replaceAll('{link}', vars.link)
      .replaceAll('{subject}', subject);
  const text = fill(vars.subject);
  const room = maxSegments === 1 ? 70 : maxSegments * 67;
  const excess = text.length - room;
  if (excess <= 0 || !template.includes('{subject}')) return text;
  const keep = vars.subject.length - excess - 1;
  return keep > 0 ? fill(`${vars.subject.slice(0, keep)}…`) : fill('…');
}

/** What a successful send returns: the endpoint's answer, shortened, for the delivery record. */
export interface ChannelSendResult {
  response: string;
  /** SMS only: how many segments the message took. */
  segments?: number;
}

export interface ChannelDeps {
  directory: Directory;
  policy: ChannelPolicy;
  secrets: Secrets;
  /** (Default: global fetch) */
  fetch?: Fetch;
  /** Clock for signatures' timestamps. (Default: () => new Date()) */
  clock?: () => Date;
}

/** Every channel but mail, with their rate limits: what the dispatcher hands channel digests to. */
export class Channels {
  readonly limiter = new RateLimiter();
  private readonly fetch: Fetch;
  private readonly clock: () => Date;

  constructor(private readonly deps: ChannelDeps) {
    this.fetch = deps.fetch ?? ((url, init) => fetch(url, init));
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The channel policy in force. */
  get policy(): ChannelPolicy {
    return this.deps.policy;
  }

  /**
   * The secret references the policy's channels need that are not set, as `fj-czt.dingtalk.url: env:NAME` (never a
   * value): what the worker warns of at start, since those deliveries would wait queued until they are set.
   */
  missingSecrets(): string[] {
    const { policy, directory, secrets } = this.deps;
    const used = new Set(Object.values(policy.stages).flat());
    const missing: string[] = [];
    const check = (ref: Parameters<Secrets['get']>[0], what: string) => {
      try {
        secrets.get(ref, what);
      } catch (err) {
        if (!(err instanceof SecretError)) throw err;
        missing.push(`${what}: ${ref}`);
      }
    };
    for (const unit of directory.units)
      for (const channel of ROBOT_CHANNELS) {
        const endpoint = unit.channels?.[channel];
        if (!endpoint || !used.has(channel)) continue;
        check(endpoint.url, `${unit.code}.${channel}.url`);
        if (endpoint.secret) check(endpoint.secret, `${unit.code}.${channel}.secret`);
      }
    if (used.has('sms') && policy.sms?.key) check(policy.sms.key, 'channels.sms.key');
    return missing;
  }

  /** Reserves a send to `address` under its channel's rate limit: 0 when it may go now, else when to try again. */
  reserve(address: ChannelAddress, nowMs: number): number {
    return this.limiter.reserve(channelAddress(address), this.deps.policy.perMinute[address.channel], nowMs);
  }

  private unit(code: string): Unit {
    const unit = this.deps.directory.units.find((u) => u.code === code);
    // A directory reloaded without the unit: an operator may put it back; keep the delivery.
    if (!unit) throw new ChannelSendError(`unit ${code} is not in the unit directory`, 'transient');
    return unit;
  }

  private secret(ref: Parameters<Secrets['get']>[0], what: string): string {
    try {
      return this.deps.secrets.get(ref, what);
    } catch (err) {
      // An operator can set it and the delivery goes out then: transient, never dropped.
      if (err instanceof SecretError) throw new ChannelSendError(err.message, 'transient');
      throw err;
    }
  }

  private robot(channel: RobotChannel, unitCode: string): RobotEndpoint {
    const endpoint = this.unit(unitCode).channels?.[channel];
    if (!endpoint)
      throw new ChannelSendError(
        `${channel}:${unitCode}: the unit has no ${channel} endpoint in the directory`,
        'transient',
      );
    return endpoint;
  }

  /** Sends one digest to one endpoint; throws {@link ChannelSendError}. */
  async send(address: ChannelAddress, message: ChannelMessage): Promise<ChannelSendResult> {
    const where = channelAddress(address);
    if (address.channel === 'sms') return this.sendSms(address, message);
    const endpoint = this.robot(address.channel, address.unitCode);
    let url = this.secret(endpoint.url, `${where} url`);
    checkEndpointUrl(url, `${where} url (${endpoint.url})`);
    const secret = endpoint.secret ? this.secret(endpoint.secret, `${where} secret`) : undefined;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-duban-message-id': message.id,
    };
    let body: string;
    const nowMs = this.clock().getTime();
    switch (address.channel) {
      case 'dingtalk': {
        if (secret) {
          const sep = url.includes('?') ? '&' : '?';
          url = `${url}${sep}timestamp=${nowMs}&sign=${encodeURIComponent(dingtalkSign(secret, nowMs))}`;
        }
        body = JSON.stringify({
          msgtype: 'markdown',
          markdown: {
            title: message.subject,
            text: `### ${message.subject}\n\n${markdownLines(message.text)}\n\n[打开督办页面](${message.link})`,
          },
        });
        break;
      }
      case 'feishu': {
        const timestampS = Math.floor(nowMs / 1000);
        body = JSON.stringify({
          ...(secret ? { timestamp: String(timestampS), sign: feishuSign(secret, timestampS) } : {}),
          msg_type: 'post',
          content: {
            post: {
              zh_cn: {
                title: message.subject,
                content: [
                  ...message.text.split('\n').map((line) => [{ tag: 'text', text: line }]),
                  [{ tag: 'a', text: '打开督办页面', href: message.link }],
                ],
              },
            },
          },
        });
        break;
      }
      case 'wecom': {
        body = JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomContent(message) } });
        break;
      }
      case 'webhook': {
        body = JSON.stringify({
          id: message.id,
          sentAt: new Date(nowMs).toISOString(),
          unit: { code: address.unitCode, name: message.unitName },
          subject: message.subject,
          text: message.text,
          link: message.link,
          notices: message.notices,
        });
        if (secret) headers[this.deps.policy.webhookHeader.toLowerCase()] = bodySignature(secret, body);
        break;
      }
    }
    const answer = await this.post(where, address.channel, url, headers, body);
    return { response: answer };
  }

  private async sendSms(
    address: Extract<ChannelAddress, { channel: 'sms' }>,
    message: ChannelMessage,
  ): Promise<ChannelSendResult> {
    const where = channelAddress(address);
    const gateway = this.deps.policy.sms;
    if (!gateway) throw new ChannelSendError(`${where}: no SMS gateway configured (channels.sms)`, 'transient');
    const mobile = this.unit(address.unitCode)[address.which].mobile;
    if (!mobile)
      throw new ChannelSendError(
        `${where}: the ${address.which} of ${address.unitCode} has no mobile number in the directory`,
        'undeliverable',
      );
    const variables = { unit: message.unitName, subject: message.subject, count: message.count, link: message.link };
    const text = smsText(gateway.template, variables, gateway.maxSegments);
    const segments = smsSegments(text);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-duban-message-id': message.id,
    };
    if (gateway.key) {
      const key = this.secret(gateway.key, 'channels.sms.key');
      headers[gateway.keyHeader.toLowerCase()] =
        gateway.keyHeader.toLowerCase() === 'authorization' ? `Bearer ${key}` : key;
    }
    const body = JSON.stringify({
      id: message.id,
      to: mobile,
      ...(gateway.templateId ? { templateId: gateway.templateId } : {}),
      variables: { ...variables, count: String(variables.count) },
      text,
      segments,
    });
    const answer = await this.post(where, 'sms', gateway.url, headers, body);
    return { response: `${answer} (${segments} segment${segments === 1 ? '' : 's'})`, segments };
  }

  private async post(
    where: string,
    channel: RobotChannel | 'sms',
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<string> {
    let status: number;
    let text: string;
    try {
      const res = await this.fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      // fetch's own errors name no URL, but their causes might: keep the code only.
      const cause = (err as { cause?: { code?: string } }).cause;
      const code = cause?.code ?? (err as Error).name;
      throw new ChannelSendError(`${where}: no answer (${code})`, 'transient', undefined, code);
    }
    const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
    if (status === 429 || status >= 500)
      throw new ChannelSendError(`${where}: HTTP ${status} ${snippet}`, 'transient', status);
    if (status === 404 || status === 410)
      throw new ChannelSendError(`${where}: HTTP ${status} ${snippet}`, 'undeliverable', status);
    if (status < 200 || status >= 300)
      throw new ChannelSendError(`${where}: HTTP ${status} ${snippet}`, 'failed', status);
    if (channel === 'webhook' || channel === 'sms') return `HTTP ${status}`;
    let reply: { errcode?: number; errmsg?: string; code?: number; msg?: string; StatusCode?: number };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      throw new ChannelSendError(
        `${where}: HTTP ${status} with a body that is not JSON: ${snippet}`,
        'transient',
        status,
      );
    }
    const code = reply.errcode ?? reply.code ?? reply.StatusCode;
    if (code === 0 || code === undefined) return `HTTP ${status} ok`;
    const msg = reply.errmsg ?? reply.msg ?? '';
    const failure: ChannelFailure = TRANSIENT_CODES[channel].has(String(code))
      ? 'transient'
      : GONE_CODES[channel].has(String(code))
        ? 'undeliverable'
        : 'failed';
    throw new ChannelSendError(
      `${where}: ${channel} error ${code} ${msg}`.slice(0, 300),
      failure,
      status,
      String(code),
    );
  }
}

/**
 * Refuses a robot URL that would carry its token in clear (not https, and not a loopback test server) or is no URL;
 * transient, so the delivery waits for the operator to fix the secret. The message never quotes the URL.
 */
function checkEndpointUrl(url: string, what: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ChannelSendError(`${what} is not a URL`, 'transient');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    throw new ChannelSendError(`${what} must be https:// (http:// only for a loopback host)`, 'transient');
}

/** Plain text lines as markdown lines (two trailing spaces keep a break). */
function markdownLines(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `${l}  `))
    .join('\n');
}

/** WeCom markdown within its 4096-byte limit; a longer digest is cut and points to the dashboard. */
function wecomContent(message: ChannelMessage): string {
  const tail = `\n\n[打开督办页面](${message.link})`;
  let body = `### ${message.subject}\n${message.text}`;
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (bytes(body + tail) > WECOM_MAX_BYTES) {
    const cut = '\n……（内容过长，详见督办页面）';
    while (bytes(body + cut + tail) > WECOM_MAX_BYTES) body = body.slice(0, Math.floor(body.length * 0.9));
    body += cut;
  }
  return body + tail;
}
