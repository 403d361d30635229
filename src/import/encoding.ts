/** Decoding table files: UTF-8 only, with the line of the first bad byte when a file is GBK or binary. */
import { ImportError } from './import-error';

/**
 * Decodes a table file's bytes as UTF-8 (a BOM is dropped). Throws {@link ImportError} naming the line of the first
 * byte that is not UTF-8, which is what a GBK/GB18030 export of the same table looks like.
 */
export function decodeTableBytes(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    throw new ImportError(
      file,
      line,
      `not UTF-8 text (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset}); ` +
        'convert it first, e.g. `iconv -f GB18030 -t UTF-8`',
    );
  }
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
