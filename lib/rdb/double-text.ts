// Scores as text, the way Redis 7.0 formats a double into a zset listpack or an old zset
// (d2string: "inf", "-inf", "nan", "0" / "-0", integers below 2^52 as integers, else "%.17g"),
// and back (strtod's forms).

import { RdbFormatError } from './string.js';

const INT_RANGE = 4503599627370496; // 2^52

/** C's printf("%.17g", v) for a finite, non-zero v. */
export function formatG17(v: number): string {
  const exp = Number(v.toExponential(16).split('e')[1]);
  if (exp < -4 || exp >= 17) {
    const [mant, e] = v.toExponential(16).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const en = Number(e);
    const abs = Math.abs(en);
    return `${m}e${en < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  const fixed = v.toFixed(Math.max(0, 16 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Redis 7.0's d2string. */
export function formatScore(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (v > -INT_RANGE + 1 && v < INT_RANGE && Number.isInteger(v)) return String(v);
  return formatG17(v);
}

const STRTOD_FORM = /^[ \t\n\v\f\r]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** A score written as text (strtod's decimal forms, inf, nan); RdbFormatError otherwise. */
export function parseScore(s: Buffer): number {
  const text = s.toString('latin1');
  if (text.length === 0 || text.length > 127 || !STRTOD_FORM.test(text)) throw new RdbFormatError('corrupt', `invalid score ${JSON.stringify(text)}`);
  const t = text.trim().toLowerCase();
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  if (body.startsWith('inf')) return neg ? -Infinity : Infinity;
  if (body === 'nan') return NaN;
  return Number(t);
}
