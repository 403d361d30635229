/**
 * Payload encryption: every payload duban sends to Temporal (workflow inputs with the directory's names and
 * addresses, evidence notes, replies) is sealed with AES-256-GCM before it leaves the process, so the server's
 * history holds ciphertext only. Keys come from DUBAN_PAYLOAD_KEYS; the first encrypts, every listed key decrypts,
 * so a new key is put first and the old one kept until no history needs it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** One named 256-bit key. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** `metadata.encoding` of a sealed payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata field naming the key a payload was sealed with. */
export const KEY_ID_FIELD = 'encryption-key-id';
const CIPHER_FIELD = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Parses `id1:base64key,id2:base64key` (each key 32 bytes of standard base64, e.g. `openssl rand -base64 32`).
 * Throws an error naming the entry, never echoing key material.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const keys: PayloadKey[] = [];
  text.split(',').forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`${where}: expected id:base64key`);
    const id = entry.slice(0, colon).trim();
    const b64 = entry.slice(colon + 1).trim();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw new Error(`${where}: key id '${id.slice(0, 64)}' must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (keys.some((k) => k.id === id)) throw new Error(`${where}: key id '${id}' is listed twice`);
    const key = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length !== 32)
      throw new Error(`key '${id}': expected 32 bytes in base64 (openssl rand -base64 32), got ${key.length} bytes`);
    keys.push({ id, key });
  });
  if (keys.length === 0) throw new Error('no key given');
  return keys;
}

/** The AES-256-GCM codec: seals with the first key, opens with whichever key a payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      // The key id is authenticated too: a payload relabelled with another id fails to open.
      cipher.setAAD(encoder.encode(this.current.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID_FIELD]: encoder.encode(this.current.id),
          [CIPHER_FIELD]: encoder.encode(CIPHER),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      // Histories recorded before encryption was turned on hold plain payloads: they pass as they are.
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_FIELD];
      const id = idBytes ? decoder.decode(idBytes) : '';
      const key = this.byId.get(id);
      if (!key)
        throw new Error(
          `a payload is encrypted with key '${id}', which DUBAN_PAYLOAD_KEYS does not list ` +
            `(it lists ${[...this.byId.keys()].join(', ')}): add that key back`,
        );
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`an encrypted payload (key '${id}') is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(encoder.encode(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`an encrypted payload (key '${id}') does not open with that key: altered, or another key`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The encryption codec for these keys, or undefined when there are none. */
export function payloadCodec(keys: readonly PayloadKey[]): PayloadCodec | undefined {
  return keys.length > 0 ? new EncryptionCodec(keys) : undefined;
}

/**
 * The data converter of every client and worker: the encryption codec when keys are configured, the SDK's default
 * otherwise (the embedded dev server, tests). (Default: no codec)
 */
export function dataConverter(keys: readonly PayloadKey[]): DataConverter | undefined {
  const codec = payloadCodec(keys);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
