/**
 * Reading requests and writing answers on plain node:http: bodies with a size limit, JSON and forms, and every
 * answer with the same security headers and `Cache-Control: no-store` unless told otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors';

/** The largest body read, in bytes. (Default: 64 KiB) */
export const BODY_LIMIT = 64 * 1024;

/** Sent with every answer: no framing, no sniffing, no referrer, scripts and styles from this origin only. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Answers with a body of the given type; `headers` may override `Cache-Control`. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/** Answers JSON. */
export const sendJson = (res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);

/** Answers an error of the JSON API as an RFC 9457 problem. */
export const sendProblem = (res: ServerResponse, problem: { status: number }, headers?: Record<string, string>) =>
  send(res, problem.status, 'application/problem+json; charset=utf-8', JSON.stringify(problem), headers);

/** Answers a page. */
export const sendHtml = (res: ServerResponse, status: number, page: string, headers?: Record<string, string>) =>
  send(res, status, 'text/html; charset=utf-8', page, headers);

/** 303 See Other: after a form, the browser fetches the next page with GET. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

/** The body as text; 413 past `limit` bytes. (Default: {@link BODY_LIMIT}) */
export async function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body: larger than ${limit} bytes`, 'PayloadTooLarge');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as JSON (an empty body is `{}`); 400 when it is not JSON, 413 past `limit`. (Default: {@link BODY_LIMIT}) */
export async function readJson(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body: not valid JSON', 'InvalidPayload');
  }
}

/** A url-encoded form as name → value (the first of repeated names wins). */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const params = new URLSearchParams(await readBody(req));
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/** Control characters, whitespace (also Unicode's), a byte-order mark and backslashes. */
function unsafeInPath(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0xa0) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0xfeff ||
    c === '\\'
  );
}

/** A local path to go back to after login; anything else goes home. */
export function safeNext(next: string | undefined): string {
  // Browsers drop tabs and newlines and read backslashes as slashes (`/\t/evil.example` is `//evil.example`):
  // refuse every control character and whitespace, then keep the path only if it stays on this origin.
  if (!next || !next.startsWith('/') || [...next].some(unsafeInPath)) return '/';
  const origin = 'http://duban.invalid';
  let resolved: URL;
  try {
    resolved = new URL(next, origin);
  } catch {
    return '/';
  }
  return resolved.origin === origin ? `${resolved.pathname}${resolved.search}${resolved.hash}` : '/';
}

/**
 * The path without the query, for logs: feed keys live in query strings; a sign-for link's token (a capability, like
 * a password) is left out too.
 */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!.replace(/\/sign-for\/[^/]+/, '/sign-for/…');
}
