/**
 * Columns and colours of what duban prints on a terminal. A Chinese character takes two columns, so text is padded by
 * its display width (East Asian Width), never by its length; colours only on a terminal, unless NO_COLOR says no
 * (FORCE_COLOR asks for them anywhere).
 */
import { eastAsianWidth } from 'get-east-asian-width';

// Colour codes, and characters that take no column: combining marks and variation selectors (Mn, Me), zero-width
// spaces and joiners (Cf), control characters (Cc).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;

/** Columns `text` takes on a terminal: wide and fullwidth characters two, colour codes and combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(ANSI, '')) {
    if (ZERO_WIDTH.test(char)) continue;
    width += eastAsianWidth(char.codePointAt(0)!);
  }
  return width;
}

/** `text` with spaces after it up to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` with spaces before it up to `width` columns. */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * Rows of cells as lines whose columns line up: every column but the last padded to its widest cell, cells joined by
 * `gap`, each line after `indent`; `right` lists the columns aligned to the right (numbers). (Default: gap two
 * spaces, no indent, all left)
 */
export function columns(
  rows: readonly (readonly string[])[],
  options: { gap?: string; indent?: string; right?: readonly number[] } = {},
): string[] {
  const { gap = '  ', indent = '', right = [] } = options;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      if (right.includes(i)) return padStart(cell, widths[i]!);
      return i === row.length - 1 ? cell : padEnd(cell, widths[i]!);
    });
    return `${indent}${cells.join(gap)}`.trimEnd();
  });
}

/** Whether to colour what goes to `stream`: a terminal without NO_COLOR, or FORCE_COLOR set (not `0`). */
export function colourOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
/** A colour or emphasis of {@link paint}. */
export type Style = keyof typeof CODES;

/** The colour of each traffic light. */
export const LIGHT_STYLES: Record<'green' | 'yellow' | 'red', Style> = { green: 'green', yellow: 'yellow', red: 'red' };

/** `text` in `style` when `on`, else as it is. (Default on: {@link colourOn} for stdout) */
export function paint(text: string, style: Style, on: boolean = colourOn()): string {
  return on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}
