// Directive values as redis-server 7.0 reads and prints them: integers (string2ll), memory with
// units (memtoull), booleans, enums, strings; the error texts CONFIG SET answers.

import type { OptionDef, OptionValue } from './options.js';
import { parseI64 } from '../resp/number.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/** Error whose message is the full Redis error reply text (without the leading '-'). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const U64 = (1n << 64n) - 1n;

/** Redis memtoull: digits followed by an optional unit (b, k, kb, m, mb, g, gb; any case). */
function memToBig(s: string): bigint | null {
  const m = /^([0-9]*)(.*)$/s.exec(s)!;
  const digits = m[1];
  const unit = m[2].toLowerCase();
  let mul: bigint;
  switch (unit) {
    case '':
    case 'b':
      mul = 1n;
      break;
    case 'k':
      mul = 1000n;
      break;
    case 'kb':
      mul = 1024n;
      break;
    case 'm':
      mul = 1000n * 1000n;
      break;
    case 'mb':
      mul = 1024n * 1024n;
      break;
    case 'g':
      mul = 1000n * 1000n * 1000n;
      break;
    case 'gb':
      mul = 1024n * 1024n * 1024n;
      break;
    default:
      return null;
  }
  if (digits.length >= 128) return null;
  let v = digits === '' ? 0n : BigInt(digits);
  if (v > U64) v = U64; // strtoull saturates
  return v * mul;
}

/** "1gb", "512mb", "100k", "12" -> bytes (Redis memtoull rules, units case-insensitive); null if invalid. */
export function parseMemory(s: string): number | null {
  const v = memToBig(s);
  return v === null ? null : Number(v);
}

/** Formats bytes the way CONFIG REWRITE does (largest exact unit). */
export function humanMemory(text: string): string {
  const v = BigInt(text);
  if (v === 0n) return '0';
  const GB = 1n << 30n;
  const MB_ = 1n << 20n;
  const KB = 1n << 10n;
  if (v % GB === 0n) return `${v / GB}gb`;
  if (v % MB_ === 0n) return `${v / MB_}mb`;
  if (v % KB === 0n) return `${v / KB}kb`;
  return text;
}

export interface Parsed {
  value: OptionValue;
  /** canonical CONFIG GET text */
  text: string;
}

/** Parses a value for def; returns the error text (Redis wording) on failure. */
export function parseValue(def: OptionDef, raw: string): Parsed | string {
  const p = parseTyped(def, raw);
  if (typeof p === 'string' || !def.refuse) return p;
  return def.refuse(p.text) ?? p;
}

function parseTyped(def: OptionDef, raw: string): Parsed | string {
  switch (def.type) {
    case 'int':
    case 'memory': {
      let v: bigint | null;
      if (def.type === 'int') {
        v = parseI64(Buffer.from(raw, 'latin1'));
        if (v === null) return "argument couldn't be parsed into an integer";
      } else {
        v = memToBig(raw);
        if (v === null) return 'argument must be a memory value';
        // Redis range-checks memory values as signed long long, except the unsigned ones (maxmemory)
        if (def.max === undefined || BigInt(def.max) <= LLONG_MAX) v = BigInt.asIntN(64, v);
      }
      const min = def.min === undefined ? LLONG_MIN : BigInt(def.min);
      const max = def.max === undefined ? LLONG_MAX : BigInt(def.max);
      if (v < min || v > max) return `argument must be between ${min} and ${max} inclusive`;
      if (def.clamp) {
        const [lo, hi] = def.clamp;
        if (v < BigInt(lo)) v = BigInt(lo);
        if (v > BigInt(hi)) v = BigInt(hi);
      }
      return { value: Number(v), text: v.toString() };
    }
    case 'bool': {
      const l = raw.toLowerCase();
      if (l === 'yes') return { value: true, text: 'yes' };
      if (l === 'no') return { value: false, text: 'no' };
      return "argument must be 'yes' or 'no'";
    }
    case 'enum': {
      const l = raw.toLowerCase();
      const values = def.values ?? [];
      const hit = values.find((x) => x.toLowerCase() === l);
      if (hit === undefined) return `argument(s) must be one of the following: ${values.join(', ')}`;
      return { value: hit, text: hit };
    }
    case 'string': {
      if (def.parse) return def.parse(raw);
      const err = def.validate?.(raw);
      if (err) return err;
      return { value: raw, text: raw };
    }
  }
}
