/**
 * Traditional → simplified Chinese for matching (繁體 reposts of a table): one character at a time, so the simplified
 * text has the same length and a match at index i in it is the phrase at index i of the text as written.
 */
import * as OpenCC from 'opencc-js';

/** Character-level conversion (OpenCC `t` → `cn`), no phrase rewriting (資訊 stays 资讯, not 信息). */
const convert = OpenCC.Converter({ from: 't', to: 'cn' });
/** Simplified form of each BMP ideograph once looked up; 0 until then. */
const simplifiedCode = new Uint16Array(0x10000);

/** CJK ideographs (extension A, basic block, compatibility): the only characters with a simplified form. */
function isIdeograph(code: number): boolean {
  return (code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff);
}

function simplifiedOf(code: number): number {
  let out = simplifiedCode[code] as number;
  if (out === 0) {
    const converted = convert(String.fromCharCode(code));
    // A conversion that changes the length would shift every later index: keep the character as written.
    out = converted.length === 1 ? converted.charCodeAt(0) : code;
    simplifiedCode[code] = out;
  }
  return out;
}

/** The simplified form of a text, same length as the input (index i ↔ index i). Simplified text is unchanged. */
export function toSimplified(text: string): string {
  let chars: string[] | undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isIdeograph(code)) continue;
    const out = simplifiedOf(code);
    if (out === code) continue;
    chars ??= text.split('');
    chars[i] = String.fromCharCode(out);
  }
  return chars ? chars.join('') : text;
}
