/**
 * Reading a holiday notice from a file: the text as saved from www.gov.cn or received as an attachment, in UTF-8,
 * UTF-16 (Windows Notepad's "Unicode") or GB18030/GBK (what Chinese Windows saves by default).
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { HolidayNoticeError, parseHolidayNotice } from '../domain/holiday-notice';
import type { HolidayNotice } from '../domain/holidays';

/** The encodings a notice file is read in. */
export type NoticeEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** A notice file that cannot be read; the message is `FILE:LINE: reason`. `type` is stable for callers. */
export class HolidayNoticeFileError extends Error {
  /** Stable error type for callers. */
  readonly type = 'InvalidHolidayNotice';
  override readonly name = 'HolidayNoticeFileError';
  constructor(
    readonly file: string,
    /** 1-based line of the problem. */
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** 1-based line of character `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}

/**
 * Decodes a notice file's bytes. A byte-order mark decides; without one, NUL bytes mean UTF-16 (plain text in the
 * other encodings never has them; more NULs at odd offsets means little-endian), valid UTF-8 is UTF-8, and anything
 * else is read as GB18030 (a superset of GBK and GB2312). Throws {@link HolidayNoticeFileError} naming the line of
 * the first byte that is valid in none of them.
 */
export function decodeNoticeBytes(bytes: Uint8Array, file: string): { text: string; encoding: NoticeEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let encoding: NoticeEncoding;
  let body = buffer;
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
    encoding = 'utf-8';
    body = buffer.subarray(3);
  } else if (buffer[0] === 0xff && buffer[1] === 0xfe) {
    encoding = 'utf-16le';
    body = buffer.subarray(2);
  } else if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    encoding = 'utf-16be';
    body = buffer.subarray(2);
  } else if (buffer.includes(0)) {
    let odd = 0;
    let even = 0;
    buffer.forEach((b, i) => {
      if (b !== 0) return;
      if (i % 2 === 1) odd++;
      else even++;
    });
    encoding = odd >= even ? 'utf-16le' : 'utf-16be';
  } else {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer), encoding: 'utf-8' };
    } catch {
      encoding = 'gb18030';
    }
  }
  const text =
    encoding === 'utf-8'
      ? new TextDecoder('utf-8').decode(body)
      : iconv.decode(body, encoding === 'gb18030' ? 'gb18030' : encoding === 'utf-16le' ? 'utf16le' : 'utf16be');
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    throw new HolidayNoticeFileError(
      file,
      lineAt(text, bad),
      `not ${encoding === 'gb18030' ? 'UTF-8, UTF-16 or GB18030' : encoding.toUpperCase()} text (a byte sequence ` +
        'that is no character); save the notice as UTF-8 or GB18030 text',
    );
  }
  return { text, encoding };
}

/**
 * Reads and parses a notice file ({@link decodeNoticeBytes}, then `parseHolidayNotice`). Throws
 * {@link HolidayNoticeFileError} (`FILE:LINE: reason`) for a file that is missing, undecodable or unreadable.
 */
export function readHolidayNoticeFile(file: string): { notice: HolidayNotice; encoding: NoticeEncoding } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new HolidayNoticeFileError(file, 1, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const { text, encoding } = decodeNoticeBytes(bytes, file);
  try {
    return { notice: parseHolidayNotice(text), encoding };
  } catch (err) {
    if (err instanceof HolidayNoticeError) throw new HolidayNoticeFileError(file, err.line, err.reason);
    throw err;
  }
}
