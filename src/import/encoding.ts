/**
 * Decoding table files: UTF-8 (with or without BOM), UTF-16 LE/BE (with or without BOM) and GB18030 (GBK, GB2312)
 * are told apart from the bytes; a charset an HTML page declares is honoured. Only undecodable bytes are refused.
 */
import iconv from 'iconv-lite';
import { ImportError } from './import-error';

/** How a file's bytes were read. */
export interface DecodedText {
  text: string;
  /** `utf-8`, `utf-16le`, `utf-16be`, `gb18030`, or a charset an HTML page declared. */
  encoding: string;
}

/** Charset labels pages declare for what GB18030 decodes (it is their superset). */
const GB_LABELS = new Set(['gb2312', 'gbk', 'x-gbk', 'gb18030', 'cp936', 'windows-936', 'euc-cn', 'csgb2312']);

/**
 * Decodes a table file's bytes. The order: a byte-order mark, then a charset declared by the file itself (an HTML
 * `<meta charset>`), then NUL bytes in every other position (UTF-16 without BOM), then strict UTF-8, then GB18030.
 * Throws {@link ImportError} naming the line of the first undecodable byte when none of them reads the file.
 * @param declared Charset label the file declares, e.g. `gb2312`. (Default: none)
 */
export function decodeText(bytes: Uint8Array, file: string, declared?: string): DecodedText {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return utf8(buffer.subarray(3), file);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return strictIconv(buffer.subarray(2), 'utf-16le', file);
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return strictIconv(buffer.subarray(2), 'utf-16be', file);

  const label = declared?.trim().toLowerCase();
  const known =
    label && (GB_LABELS.has(label) || (label !== 'utf-8' && label !== 'utf8' && iconv.encodingExists(label)));
  if (label && known) {
    // A page re-saved as UTF-8 often keeps its old charset; GB bytes are never valid UTF-8 with Chinese in it.
    const text = strictUtf8(buffer);
    if (text !== undefined && /[\u0080-\uffff]/.test(text)) return { text, encoding: 'utf-8' };
    return strictIconv(buffer, GB_LABELS.has(label) ? 'gb18030' : label, file);
  }

  const nul = nulPattern(buffer);
  if (nul) return strictIconv(buffer, nul, file);
  const text = strictUtf8(buffer);
  return text !== undefined ? { text, encoding: 'utf-8' } : strictIconv(buffer, 'gb18030', file);
}

function strictUtf8(buffer: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a table file's bytes to text, whichever of UTF-8, UTF-16 and GB18030 it is (see {@link decodeText});
 * kept for callers of the text importer. A leading BOM is dropped.
 */
export function decodeTableBytes(bytes: Uint8Array, file: string): string {
  return decodeText(bytes, file).text;
}

function utf8(buffer: Buffer, file: string): DecodedText {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer), encoding: 'utf-8' };
  } catch {
    throw undecodable(file, lineOfByte(buffer, firstInvalidUtf8(buffer)), 'UTF-8 (the file starts with a UTF-8 BOM)');
  }
}

/** iconv-lite never throws: a U+FFFD that the bytes do not encode marks the first undecodable sequence. */
function strictIconv(buffer: Buffer, encoding: string, file: string): DecodedText {
  const text = iconv.decode(buffer, encoding);
  if (text.includes('\uFFFD') && !buffer.includes(iconv.encode('\uFFFD', encoding))) {
    if (encoding !== 'gb18030') throw undecodable(file, lineOfReplacement(text), `${encoding} text`);
    // Name the line where the reading that got further fails: a UTF-8 file with a stray byte, or a GB file.
    const line = Math.max(lineOfReplacement(text), lineOfByte(buffer, firstInvalidUtf8(buffer)));
    throw undecodable(file, line, 'UTF-8, UTF-16 or GB18030 text');
  }
  return { text, encoding };
}

function undecodable(file: string, line: number, expected: string): ImportError {
  return new ImportError(file, line, `not a table file: the bytes are not ${expected}`);
}

function lineOfReplacement(decoded: string): number {
  const at = decoded.indexOf('\uFFFD');
  return at < 0 ? 1 : decoded.slice(0, at).split('\n').length;
}

function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * UTF-16 without a BOM: only UTF-16 puts NUL bytes in text (every ASCII character has one; so do 一 and the
 * ideographic space). The byte order is the one whose code units fall in the ranges Chinese text uses.
 */
function nulPattern(buffer: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const end = Math.min(buffer.length - (buffer.length % 2), 65536);
  if (end < 2 || !buffer.subarray(0, end).includes(0)) return undefined;
  let little = 0;
  let big = 0;
  for (let i = 0; i < end; i += 2) {
    if (plausible((buffer[i + 1] as number) * 256 + (buffer[i] as number))) little++;
    if (plausible((buffer[i] as number) * 256 + (buffer[i + 1] as number))) big++;
  }
  const units = end / 2;
  if (little >= big && little > units * 0.6) return 'utf-16le';
  if (big > little && big > units * 0.6) return 'utf-16be';
  return undefined;
}

/** Code units of Chinese table text: ASCII, punctuation, CJK symbols and ideographs, full-width forms. */
function plausible(unit: number): boolean {
  return (
    (unit >= 0x20 && unit < 0x7f) ||
    unit === 0x09 ||
    unit === 0x0a ||
    unit === 0x0d ||
    (unit >= 0x2000 && unit < 0x2070) ||
    (unit >= 0x3000 && unit < 0x3040) ||
    (unit >= 0x3400 && unit < 0xa000) ||
    (unit >= 0xff00 && unit < 0xfff0)
  );
}
