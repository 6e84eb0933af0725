// The config file's syntax: Redis's `key arg [arg...]` lines (sdssplitargs quoting) and Pika's
// `key : value` lines, and quoting values back for CONFIG REWRITE.

import type { OptionDef } from './options.js';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}
function hexVal(c: string): number {
  return parseInt(c, 16);
}

/** Splits a line like Redis sdssplitargs: "double quotes" with escapes, 'single quotes'. Null on unbalanced quotes. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDq) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(hexVal(line[i + 2]) * 16 + hexVal(line[i + 3]));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (i >= n || isSpace(c)) done = true;
        else if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

/** Quotes an argument for a Redis-syntax config line when needed. */
export function quoteArg(s: string): string {
  if (s !== '' && /^[\x21-\x7e]+$/.test(s) && !/["'\\]/.test(s) && s[0] !== '#') return s;
  let r = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') r += '\\' + ch;
    else if (ch === '\n') r += '\\n';
    else if (ch === '\r') r += '\\r';
    else if (ch === '\t') r += '\\t';
    else if (ch === '\x07') r += '\\a';
    else if (ch === '\b') r += '\\b';
    else if (code < 0x20 || code === 0x7f) r += '\\x' + code.toString(16).padStart(2, '0');
    else r += ch;
  }
  return r + '"';
}

export interface Directive {
  key: string;
  args: string[];
  pika: boolean;
}

const PIKA_LINE = /^\s*([A-Za-z0-9_.-]+)(\s*):(.*)$/s;

/**
 * Parses one line. Returns null for blank/comment lines, a string error text for bad lines.
 * Redis form: `key arg [arg...]` (quotes allowed). Pika form: `key : value` / `key: value` (value taken
 * verbatim, trimmed). `key :x` counts as Pika form unless x starts with another ':' (so `bind ::1` is Redis form).
 */
export function parseLine(line: string): Directive | null | string {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed[0] === '#') return null;
  const pm = PIKA_LINE.exec(line);
  // `key: v`, `key : v`, `key :v` are Pika form; `bind ::1` (colon right after a colon) is not.
  if (pm && (pm[2] === '' || pm[3][0] !== ':')) {
    const value = pm[3].trim();
    return { key: pm[1], args: [value], pika: true };
  }
  const args = splitArgs(line);
  if (args === null) return 'Unbalanced quotes in configuration line';
  if (args.length === 0) return null;
  return { key: args[0], args: args.slice(1), pika: false };
}

/** Turns a directive's arguments into the option's raw string value, or an error text. */
export function directiveValue(def: OptionDef, d: Directive): string {
  if (def.multi) {
    if (d.pika) return d.args[0].split(/\s+/).filter((x) => x !== '').join(' ');
    if (d.args.length === 0) throw new DirectiveError('wrong number of arguments');
    return d.args.filter((x) => x !== '').join(' ');
  }
  if (d.args.length !== 1) throw new DirectiveError('wrong number of arguments');
  return d.args[0];
}

export class DirectiveError extends Error {}
