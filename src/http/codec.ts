/**
 * The codec endpoint the Temporal Web UI and CLI call to show encrypted payloads: `POST /api/codec/decode` and
 * `/api/codec/encode` take and answer `{"payloads": [...]}` (proto3 JSON: metadata values and data in base64).
 * Operators only: the operator token as `Authorization: Bearer`, or an operator's dashboard session sent by the
 * Web UI itself ("include cross-origin credentials"). Cross-origin calls are allowed from the Web UI's origin only.
 */
import type { Payload } from '@temporalio/common';
import type { Authentication } from './auth';
import type { Call, CodecEndpoint, HttpApp } from './app';
import { HttpError, problemOf, toHttpError } from './errors';
import { readJson, sendJson, sendProblem } from './transport';

/** A request body holds one history's payloads at most; Temporal's own limit for one payload is 2 MiB. */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;

/** Origins a browser may show for the Web UI: its own, and for a loopback host, the other loopback name. */
export function allowedOrigins(uiUrl: string | undefined): Set<string> {
  if (!uiUrl) return new Set();
  let url: URL;
  try {
    url = new URL(uiUrl);
  } catch {
    return new Set();
  }
  const origins = new Set([url.origin]);
  const port = url.port ? `:${url.port}` : '';
  if (url.hostname === '127.0.0.1' || url.hostname === 'localhost')
    for (const host of ['127.0.0.1', 'localhost']) origins.add(`${url.protocol}//${host}${port}`);
  return origins;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromJson(value: unknown, i: number): Payload {
  const where = `payloads[${i}]`;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new HttpError(400, `${where}: expected an object`, 'InvalidPayload');
  const p = value as JsonPayload;
  const metadata: Record<string, Uint8Array> = {};
  if (p.metadata !== undefined) {
    if (!p.metadata || typeof p.metadata !== 'object' || Array.isArray(p.metadata))
      throw new HttpError(400, `${where}.metadata: expected an object of base64 strings`, 'InvalidPayload');
    for (const [k, v] of Object.entries(p.metadata)) {
      if (typeof v !== 'string' || !BASE64.test(v))
        throw new HttpError(400, `${where}.metadata.${k}: expected base64`, 'InvalidPayload');
      metadata[k] = Buffer.from(v, 'base64');
    }
  }
  if (p.data !== undefined && (typeof p.data !== 'string' || !BASE64.test(p.data)))
    throw new HttpError(400, `${where}.data: expected base64`, 'InvalidPayload');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

/** The handlers of the codec routes: the preflight and the two POSTs. */
export function codecHandlers(app: HttpApp) {
  const endpoint = (): CodecEndpoint => {
    const e = app.deps.codec;
    if (!e) throw new HttpError(404, 'payload encryption is off here (DUBAN_PAYLOAD_KEYS is not set)', 'NotFound');
    return e;
  };
  /** CORS headers for an allowed Origin; a request from any other origin is refused. */
  const cors = (call: Call<Authentication | null>): Record<string, string> => {
    const origin = call.req.headers.origin;
    if (origin === undefined) return {};
    if (!allowedOrigins(app.deps.codec?.uiUrl).has(origin))
      throw new HttpError(403, `origin ${origin} may not call the codec endpoint (DUBAN_TEMPORAL_UI_URL)`, 'Forbidden');
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    };
  };
  const answer = (call: Call<Authentication | null>, status: number, body: unknown, headers = {}) =>
    sendJson(call.res, status, body, headers);
  const run = (direction: 'encode' | 'decode') => async (call: Call<Authentication | null>) => {
    let headers: Record<string, string> = {};
    try {
      headers = cors(call);
      const { codec } = endpoint();
      const auth = call.auth;
      // A session cookie is the browser's, sent by any page: accepted only from the Web UI's origin (checked above).
      const viaUi = auth?.via === 'cookie' && call.req.headers.origin !== undefined;
      if (!auth || (auth.via !== 'bearer' && !viaUi))
        throw new HttpError(
          401,
          'the codec endpoint needs the operator token (Authorization: Bearer)',
          'Unauthenticated',
        );
      if (auth.principal.kind !== 'operator')
        throw new HttpError(403, 'only operators may use the codec endpoint', 'Forbidden');
      const body = await readJson(call.req, CODEC_BODY_LIMIT);
      const list = (body as { payloads?: unknown }).payloads;
      if (!Array.isArray(list)) throw new HttpError(400, 'body: expected {"payloads": [...]}', 'InvalidPayload');
      if (list.length > MAX_PAYLOADS)
        throw new HttpError(413, `payloads: more than ${MAX_PAYLOADS}`, 'PayloadTooLarge');
      const payloads = list.map(fromJson);
      let out: Payload[];
      try {
        out = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
      } catch (err) {
        throw new HttpError(400, (err as Error).message, 'UndecodablePayload');
      }
      return answer(call, 200, { payloads: out.map(toJson) }, headers);
    } catch (err) {
      const e = toHttpError(err);
      const challenge: Record<string, string> = e.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="duban"' } : {};
      return sendProblem(call.res, problemOf(e.status, e.type ?? 'Error', e.message), { ...headers, ...challenge });
    }
  };
  return {
    preflight: (call: Call<Authentication | null>) => {
      let headers: Record<string, string>;
      try {
        headers = cors(call);
      } catch (err) {
        const e = toHttpError(err);
        return sendProblem(call.res, problemOf(e.status, e.type ?? 'Error', e.message));
      }
      call.res.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
      call.res.end();
    },
    decode: run('decode'),
    encode: run('encode'),
  };
}
