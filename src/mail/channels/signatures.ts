/**
 * The signatures each channel's receiver checks. DingTalk and Feishu sign a timestamp with the robot's secret as their
 * documents describe (docs/channels.md quotes both); the generic webhook signs the exact body bytes.
 */
import crypto from 'node:crypto';

/**
 * DingTalk custom robot 加签: Base64 of HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret`, the
 * timestamp in epoch milliseconds; sent URL-encoded as the `timestamp` and `sign` query parameters.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/**
 * Feishu custom bot 签名校验: Base64 of HMAC-SHA256 keyed with `timestamp + "\n" + secret` over an empty message, the
 * timestamp in epoch seconds; sent as `timestamp` and `sign` in the JSON body.
 */
export function feishuSign(secret: string, timestampS: number): string {
  return crypto.createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** The generic webhook's signature: `sha256=` and the hex HMAC-SHA256 of the body bytes, keyed with the secret. */
export function bodySignature(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Compares two signatures in constant time (for receivers: the test servers, an office's own platform). */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
