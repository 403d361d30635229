/**
 * The rules for the text of a unit directory: names that are safe in a mail header and plain e-mail addresses.
 * One place for them, so the directory loaders refuse at load what the mailer would refuse when a notice is due.
 * Pure: no I/O.
 */

/** Why a name or address was refused; stable, for callers that branch on it. */
export type TextProblemType = 'missing' | 'control-character' | 'untrimmed' | 'invalid-address';

/** A refused name or address: the stable type and a short English reason that never quotes the whole value. */
export interface TextProblem {
  type: TextProblemType;
  reason: string;
}

// C0 controls except TAB, DEL, and the Unicode line/paragraph separators some clients render as breaks.
// eslint-disable-next-line no-control-regex
const HEADER_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/;

// Everything a person's or a unit's name never holds: all C0 and C1 controls, DEL, line and paragraph separators,
// zero-width characters, bidirectional overrides and the byte-order mark (a CSV saved twice keeps one in a cell).
// eslint-disable-next-line no-control-regex
const NAME_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

// What typed free text never holds: the same, but for the line breaks and tabs a note or a reason may have.
const TEXT_UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const LINE_BREAKS: Record<string, string> = { '\n': 'a line break (LF)', '\r': 'a line break (CR)' };

/** `U+000A` for a code point: how a reason names an invisible character. */
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function unsafeReason(char: string): string {
  const known = LINE_BREAKS[char];
  if (known) return known;
  if (char === '\u2028' || char === '\u2029') return `a line separator (${codePoint(char)})`;
  return CONTROL.test(char) ? `the control character ${codePoint(char)}` : `the invisible character ${codePoint(char)}`;
}

/**
 * True when the value could end a mail header (CR/LF) or smuggle another in: C0 controls except TAB, DEL, U+2028,
 * U+2029. The mailer refuses such subjects, names and addresses.
 */
export function breaksMailHeader(value: string): boolean {
  return HEADER_BREAKING.test(value);
}

/**
 * Checks the name of a unit, an alias or a contact (联络员, 负责人): not empty, no control or invisible character
 * (a name ends up in a mail header), no leading or trailing space (it would not match the table's name).
 * Returns undefined when the name is fine.
 */
export function nameProblem(name: string): TextProblem | undefined {
  if (name.trim() === '') return { type: 'missing', reason: 'missing' };
  const unsafe = NAME_UNSAFE.exec(name);
  if (unsafe) return { type: 'control-character', reason: `contains ${unsafeReason(unsafe[0])}` };
  if (/^\s|\s$/.test(name)) return { type: 'untrimmed', reason: 'has a leading or trailing space' };
  return undefined;
}

/**
 * Checks text typed into a record (a document reference, an approver, a reason, a note): no control or invisible
 * character (it reaches mail, reports and terminals); line breaks and tabs only where `multiline`. Returns undefined
 * when the text is fine. (Default: multiline false)
 */
export function textProblem(text: string, multiline = false): TextProblem | undefined {
  const unsafe = (multiline ? TEXT_UNSAFE : NAME_UNSAFE).exec(text);
  return unsafe ? { type: 'control-character', reason: `contains ${unsafeReason(unsafe[0])}` } : undefined;
}

// RFC 5322 dot-atom local part, ASCII only: what every relay accepts without SMTPUTF8.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * Checks that an address is one plain `local@domain` address: ASCII, no display name (`张三 <a@b.cn>`), no list,
 * a domain of at least two labels. Full-width characters typed with a Chinese input method (`＠`, `。`) are named.
 * Returns undefined when the address is fine.
 */
export function addressProblem(address: string): TextProblem | undefined {
  if (address.trim() === '') return { type: 'missing', reason: 'missing' };
  const unsafe = NAME_UNSAFE.exec(address);
  if (unsafe) return { type: 'control-character', reason: `contains ${unsafeReason(unsafe[0])}` };
  if (/^\s|\s$/.test(address)) return { type: 'untrimmed', reason: 'has a leading or trailing space' };
  const invalid = (reason: string): TextProblem => ({ type: 'invalid-address', reason });
  const wide = /[^\x20-\x7e]/.exec(address);
  if (wide) {
    const typed = /[\uff01-\uff5e\u3000-\u303f]/.test(wide[0]) ? ' (typed with a Chinese input method?)' : '';
    return invalid(`contains the non-ASCII character '${wide[0]}' ${codePoint(wide[0])}${typed}`);
  }
  if (/[<>]/.test(address)) return invalid('has a display name or angle brackets; give the bare local@domain');
  if (/[,;]/.test(address)) return invalid('lists several addresses; give one');
  if (/\s/.test(address)) return invalid('contains a space; one address, without a name');
  const at = address.split('@');
  if (at.length === 1) return invalid("has no '@'");
  if (at.length > 2) return invalid("has more than one '@'");
  const [local = '', domain = ''] = at;
  if (local === '' || local.length > 64 || !LOCAL_PART.test(local)) {
    return invalid("the part before '@' is not a plain mailbox name");
  }
  const labels = domain.split('.');
  if (labels.length < 2) return invalid(`the domain '${domain}' has no dot`);
  if (!labels.every((label) => DOMAIN_LABEL.test(label)) || !TOP_LEVEL_LABEL.test(labels[labels.length - 1] ?? '')) {
    return invalid(`the domain '${domain}' is not a domain name`);
  }
  if (address.length > 254) return invalid('is longer than 254 characters');
  return undefined;
}
