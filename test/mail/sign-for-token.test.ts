/**
 * Sign-for (签收) tokens and links: a token verifies under its key until it expires, and not after any change, under
 * another key or for another purpose; the configuration comes from the environment or a secrets file; a message
 * carries the link for an obligation's reminders and escalations only.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderDigest } from '../../src/mail/message';
import {
  signForConfigFromEnv,
  signForLink,
  signForToken,
  SignForTokenError,
  verifySignForToken,
  type SignForConfig,
} from '../../src/mail/sign-for-token';
import { directory, notice } from './fixtures';

const CONFIG: SignForConfig = { key: Buffer.from('unit-test-sign-for-key-0123'), ttlMs: 3_600_000 };
const NOW = Date.parse('2017-12-22T09:00:00+08:00');

const refusal = (fn: () => unknown): SignForTokenError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignForTokenError) return err;
    throw err;
  }
  throw new Error('not refused');
};

describe('sign-for tokens', () => {
  const n = notice({ stage: 'reminder-5', at: '2017-12-22T09:00:00+08:00' });

  it('name the notice, its obligation and the recipient role, and expire after the lifetime', () => {
    const token = signForToken(CONFIG, n, 'officer', NOW);
    expect(verifySignForToken(CONFIG, token, NOW + 3_599_999)).toEqual({
      key: n.key,
      planId: n.planId,
      taskNo: n.taskNo,
      unitCode: n.unitCode,
      obligation: n.obligation,
      period: n.period,
      role: 'officer',
      exp: NOW + 3_600_000,
    });
    const expired = refusal(() => verifySignForToken(CONFIG, token, NOW + 3_600_000));
    expect(expired.reason).toBe('expired');
    expect(expired.message).toMatch(/expired at 2017-12-22T02:00:00.000Z/);
  });

  it('are refused when altered, signed with another key or for another purpose, or not tokens at all', () => {
    const token = signForToken(CONFIG, n, 'officer', NOW);
    const [body, sig] = token.split('.') as [string, string];
    // A later expiry written into the body: the signature no longer matches.
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: NOW + 1e12 })).toString('base64url');
    const otherKey = signForToken({ ...CONFIG, key: Buffer.from('another-key-0123456789abcdef') }, n, 'officer', NOW);
    // The same key over the body without the purpose tag (as another HMAC use of the key would sign it).
    const noPurpose = `${body}.${createHmac('sha256', CONFIG.key).update(body).digest('base64url')}`;
    for (const bad of [`${longer}.${sig}`, otherKey, noPurpose, `${body}.${sig}x`, `${body}`, '', 'a.b.c', '%%.%%']) {
      expect(refusal(() => verifySignForToken(CONFIG, bad, NOW)).reason).toBe('invalid');
    }
  });

  it('become links only for reminders and escalations of obligations', () => {
    const url = 'https://duban.example.gov.cn';
    expect(signForLink(CONFIG, url, n, 'officer', NOW)).toMatch(
      /^https:\/\/duban\.example\.gov\.cn\/sign-for\/[\w-]+\.[\w-]+$/,
    );
    expect(signForLink(CONFIG, url, notice({ stage: 'escalation-2' }), 'head', NOW)).toBeDefined();
    for (const other of [
      notice({ stage: 'calendar-error' }),
      notice({ stage: 'unsigned-reminder-5' }),
      notice({ stage: 'reminder-2h', obligation: 'emergency-information', taskNo: 55, period: 'flood' }),
      notice({ stage: 'reminder-2', obligation: 'information-request', taskNo: null, period: 'req-1' }),
    ])
      expect(signForLink(CONFIG, url, other, 'officer', NOW)).toBeUndefined();
  });

  it('put the link into the message under 一键签收, text and HTML', () => {
    const { text, html } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], {
      directory,
      publicUrl: 'https://duban.example.gov.cn',
      recipient: { name: '王联络', locale: 'zh' },
      signForLink: (x) => signForLink(CONFIG, 'https://duban.example.gov.cn', x, 'officer', NOW),
    });
    const link = /一键签收：(https:\/\/\S+)/.exec(text)?.[1];
    expect(link).toBeDefined();
    expect(html).toContain(`<a href="${link}">`);
    const token = link!.slice(link!.lastIndexOf('/') + 1);
    expect(verifySignForToken(CONFIG, token, NOW).key).toBe(n.key);
    // Without a key, no link.
    const plain = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], {
      directory,
      publicUrl: 'https://duban.example.gov.cn',
      recipient: { name: '王联络', locale: 'zh' },
    });
    expect(plain.text).not.toContain('一键签收');
  });

  it('says what an unsigned-<stage> notice is about, and carries no link itself', () => {
    const unsigned = notice({ stage: 'unsigned-reminder-5', notify: ['head'] });
    const { text } = renderDigest([{ payload: { kind: 'notice', notice: unsigned }, others: [], history: [] }], {
      directory,
      publicUrl: 'https://duban.example.gov.cn',
      recipient: { name: '李厅长', locale: 'zh' },
      signForLink: (x) => signForLink(CONFIG, 'https://duban.example.gov.cn', x, 'head', NOW),
    });
    expect(text).toContain('省财政厅未在规定的工作时间内签收截止前5个工作日提醒，请督促签收并按时完成。');
    expect(text).not.toContain('一键签收');
  });
});

describe('sign-for configuration', () => {
  it('is off without a key; reads the key from the environment or a secrets file, with the lifetime', () => {
    expect(signForConfigFromEnv({})).toBeUndefined();
    expect(signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY: 'k'.repeat(16) })).toEqual({
      key: Buffer.from('k'.repeat(16)),
      ttlMs: 336 * 3_600_000,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-sign-for-'));
    try {
      const file = path.join(dir, 'key');
      fs.writeFileSync(file, `${'s'.repeat(32)}\n`);
      expect(signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY_FILE: file, DUBAN_SIGN_FOR_TTL_HOURS: '48' })).toEqual({
        key: Buffer.from('s'.repeat(32)),
        ttlMs: 48 * 3_600_000,
      });
      expect(() => signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY_FILE: path.join(dir, 'missing') })).toThrow(
        /^invalid configuration: DUBAN_SIGN_FOR_KEY_FILE: cannot read .*missing/,
      );
      expect(() => signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY_FILE: file, DUBAN_SIGN_FOR_KEY: 'x'.repeat(20) })).toThrow(
        /not both/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a short key or a bad lifetime, naming the variable and never the key', () => {
    const short = () => signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY: 'short-secret' });
    expect(short).toThrow(/^invalid configuration: DUBAN_SIGN_FOR_KEY: the key must be at least 16 bytes$/);
    expect(() => signForConfigFromEnv({ DUBAN_SIGN_FOR_KEY: 'k'.repeat(16), DUBAN_SIGN_FOR_TTL_HOURS: '0' })).toThrow(
      /DUBAN_SIGN_FOR_TTL_HOURS: expected whole hours 1–8784, got '0'/,
    );
  });
});
