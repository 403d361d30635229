import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_FIELD,
  dataConverter,
  parsePayloadKeys,
} from '../../src/temporal/codec';
import { loadTemporalConfig } from '../../src/temporal/config';
import { quietRuntime, workflowBundle } from '../helpers/temporal';

const b64 = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const note = { evidence: { note: '省政府办公厅 王五 13800000000 已公开' } };

describe('the AES-256-GCM payload codec', () => {
  const keys = parsePayloadKeys(`k2026:${b64()},k2025:${b64()}`);

  it('round-trips a payload, and what it sends holds no plain text', async () => {
    const codec = new EncryptionCodec(keys);
    const plain = defaultPayloadConverter.toPayload(note);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_FIELD])).toBe('k2026');
    expect(Buffer.from(sealed!.data!).includes(Buffer.from('王五'))).toBe(false);
    expect(Buffer.from(temporal.api.common.v1.Payload.encode(sealed!).finish()).includes('json/plain')).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(note);
  });

  it('rotates: new payloads use the first key, payloads of the old key still open', async () => {
    const [newKey, oldKey] = keys;
    const before = new EncryptionCodec([oldKey!]);
    const [old] = await before.encode([defaultPayloadConverter.toPayload('before rotation')]);
    const after = new EncryptionCodec([newKey!, oldKey!]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('after rotation')]);
    expect(text(old!.metadata![KEY_ID_FIELD])).toBe('k2025');
    expect(text(fresh!.metadata![KEY_ID_FIELD])).toBe('k2026');
    const opened = await after.decode([old!, fresh!]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['before rotation', 'after rotation']);
  });

  it('refuses a payload whose key id is not listed, naming the id and the variable', async () => {
    const [sealed] = await new EncryptionCodec(keys).encode([defaultPayloadConverter.toPayload(note)]);
    const withoutIt = new EncryptionCodec(parsePayloadKeys(`k2027:${b64()}`));
    await expect(withoutIt.decode([sealed!])).rejects.toThrow(
      "a payload is encrypted with key 'k2026', which DUBAN_PAYLOAD_KEYS does not list (it lists k2027)",
    );
  });

  it('refuses a payload relabelled with another listed key id, or altered', async () => {
    const codec = new EncryptionCodec(keys);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(note)]);
    const relabelled: Payload = {
      ...sealed,
      metadata: { ...sealed!.metadata, [KEY_ID_FIELD]: Buffer.from('k2025') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow('does not open with that key: altered, or another key');
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow('altered');
  });

  it('passes unencrypted payloads through (histories from before encryption)', async () => {
    const plain = defaultPayloadConverter.toPayload('recorded without a codec');
    expect(await new EncryptionCodec(keys).decode([plain])).toEqual([plain]);
  });
});

describe('DUBAN_PAYLOAD_KEYS', () => {
  const load = (value: string) => () => loadTemporalConfig({ DUBAN_PAYLOAD_KEYS: value });

  it('is read at start-up into the keys, first one first', () => {
    const a = b64();
    const config = loadTemporalConfig({ DUBAN_PAYLOAD_KEYS: ` new:${a} , old:${b64()}` });
    expect(config.payloadKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.payloadKeys[0]!.key.equals(Buffer.from(a, 'base64'))).toBe(true);
    expect(loadTemporalConfig({}).payloadKeys).toEqual([]);
    expect(dataConverter([])).toBeUndefined();
  });

  it.each([
    ['a key of 16 bytes', `k1:${randomBytes(16).toString('base64')}`, "key 'k1': expected 32 bytes in base64"],
    ['no id', b64(), 'entry 1: expected id:base64key'],
    ['a repeated id', `a:${b64()},a:${b64()}`, "entry 2: key id 'a' is listed twice"],
    ['a bad id', `a b:${b64()}`, "entry 1: key id 'a b' must be"],
    ['text that is not base64', 'k1:not base64 at all!', "key 'k1': expected 32 bytes"],
  ])('refuses %s, naming the variable and never the key', (_what, value, message) => {
    expect(load(value)).toThrow(`invalid configuration: DUBAN_PAYLOAD_KEYS: ${message}`);
    try {
      load(value)();
    } catch (err) {
      const secret = value.split(':')[1] ?? value;
      if (secret.length > 20) expect((err as Error).message).not.toContain(secret);
    }
  });
});

describe('replay with encryption on', () => {
  it('replays histories recorded without a codec', async () => {
    quietRuntime();
    const dir = path.resolve(__dirname, '../histories');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pb'))
      .slice(0, 3);
    expect(files.length).toBe(3);
    const histories = files.map((f) => ({
      workflowId: f,
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(dir, f))),
    }));
    const converter = dataConverter(parsePayloadKeys(`k:${b64()}`));
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(), dataConverter: converter },
      histories,
    ))
      results.push(r);
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
  });
});
