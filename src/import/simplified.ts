/**
 * Traditional → simplified Chinese for matching (繁體 reposts of a table): one character at a time, so the simplified
 * text has the same length and a match at index i in it is the phrase at index i of the text as written.
 */
import * as OpenCC from 'opencc-js';

/** Character-level conversion (OpenCC `t` → `cn`), no phrase rewriting (資訊 stays 资讯, not 信息). */
const convert = OpenCC.Converter({ from: 't', to: 'cn' });
const memo = new Map<string, string>();
/** CJK ideographs (basic block, extension A, compatibility): the only characters with a simplified form. */
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/g;

function simplifiedChar(ch: string): string {
  let out = memo.get(ch);
  if (out === undefined) {
    out = convert(ch);
    // A conversion that changes the length would shift every later index: keep the character as written.
    if (out.length !== ch.length) out = ch;
    memo.set(ch, out);
  }
  return out;
}

/** Short texts recur (unit names, labels, 完成时限 phrases); their conversions are kept, up to this many. */
const SHORT = 64;
const MEMO_SIZE = 20_000;
const converted = new Map<string, string>();

/** The simplified form of a text, same length as the input (index i ↔ index i). Simplified text is unchanged. */
export function toSimplified(text: string): string {
  if (text.length > SHORT) return text.replace(HAN, simplifiedChar);
  let out = converted.get(text);
  if (out === undefined) {
    out = text.replace(HAN, simplifiedChar);
    if (converted.size >= MEMO_SIZE) converted.clear();
    converted.set(text, out);
  }
  return out;
}
