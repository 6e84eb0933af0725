// Building blocks of the directive tables: one constructor per value type (Redis's types, bounds
// and error texts come from lib/config/values.ts), and the refusals of directives whose feature
// respdb does not have. Every directive's doc string starts with its class:
//   effect - respdb has the feature; the directive does what it does in Redis;
//   off    - the feature is missing: the value(s) that describe what respdb does are accepted (and
//            shown by CONFIG GET), any other is refused with a message naming it and saying why;
//   inert  - it only tunes a missing feature whose switch is an `off` directive (or something respdb
//            does not have at all), so no value of it can ask for anything: every valid value is
//            accepted and shown, and changes nothing.

import type { OptionDef, OptionValue } from './options.js';

export const INT_MAX = 2147483647;
export const UINT_MAX = 4294967295;
export const LLONG_MAX = 9223372036854775807n;
export const ULLONG_MAX = 18446744073709551615n;

type More = Partial<Omit<OptionDef, 'name' | 'type' | 'default' | 'mutable' | 'doc'>>;

export function bool(name: string, dflt: 'yes' | 'no', mutable: boolean, doc: string, more: More = {}): OptionDef {
  return { name, type: 'bool', default: dflt, mutable, doc, ...more };
}

export function int(name: string, dflt: string, min: number | bigint, max: number | bigint, mutable: boolean, doc: string, more: More = {}): OptionDef {
  return { name, type: 'int', default: dflt, min, max, mutable, doc, ...more };
}

export function mem(name: string, dflt: string, min: number | bigint, max: number | bigint, mutable: boolean, doc: string, more: More = {}): OptionDef {
  return { name, type: 'memory', default: dflt, min, max, mutable, doc, ...more };
}

export function oneOf(name: string, dflt: string, values: readonly string[], mutable: boolean, doc: string, more: More = {}): OptionDef {
  return { name, type: 'enum', default: dflt, values, mutable, doc, ...more };
}

export function str(name: string, dflt: string, mutable: boolean, doc: string, more: More = {}): OptionDef {
  return { name, type: 'string', default: dflt, mutable, doc, ...more };
}

/** The refusal text: `'<directive> <value>' is not supported: <why>` (the value left out when secret). */
export function notSupported(name: string, text: string, why: string, secret = false): string {
  const shown = secret ? name : `${name} ${text === '' ? '""' : text}`;
  return `'${shown}' is not supported: ${why}`;
}

/** Refuses every value but `ok` (as CONFIG GET prints them); `secret`: keep the value out of the message. */
export function only(name: string, ok: readonly string[], why: string, secret = false): (text: string) => string | null {
  return (text) => (ok.includes(text) ? null : notSupported(name, text, why, secret));
}

/** The reasons shared by many directives. */
export const WHY = {
  replication: 'replication is not available in respdb yet',
  cluster: 'respdb has no cluster mode yet; one respdb spreads its keys over shards itself (--shards)',
  tls: 'respdb speaks plain TCP; terminate TLS in front of it (stunnel, haproxy, spiped)',
  eviction: 'respdb keeps its data on disk in LMDB and never evicts keys; the OS page cache holds what is hot',
  aof: 'respdb has no AOF: every write is committed to its LMDB shards and binlog (appendfsync applies)',
  fork: 'respdb never forks: its snapshots are LMDB read transactions',
} as const;

/** A typed value as parseValue returns it (for the parse hooks of special directives). */
export type ParsedValue = { value: OptionValue; text: string };
