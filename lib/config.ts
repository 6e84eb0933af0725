/**
 * The configuration registry: redis.conf-style options, CONFIG GET / SET / REWRITE semantics.
 *
 * Behaviour (error texts, parsing rules, alias handling) follows redis-server 7.0.15; see
 * test/config.test.ts. No I/O happens here except reading the config file in fromArgv() and
 * writing it in rewrite().
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { globMatchString } from './glob.js';

export type OptionType = 'int' | 'memory' | 'bool' | 'enum' | 'string';
export type OptionValue = number | boolean | string;

export interface OptionDef {
  /** canonical (lower-case) name */
  readonly name: string;
  /** other accepted names; CONFIG GET reports an alias under the alias when the alias matched */
  readonly aliases?: readonly string[];
  readonly type: OptionType;
  /** the default, spelled as CONFIG GET prints it (memory may use units: "512mb") */
  readonly default: string;
  /** inclusive bounds for int/memory (bytes) */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** enum values, in the order the error message lists them */
  readonly values?: readonly string[];
  /** settable with CONFIG SET */
  readonly mutable: boolean;
  readonly doc: string;
  /** string holding a space-separated list; in files / argv it is given as several arguments */
  readonly multi?: boolean;
  /** repeated directives in one file append to each other instead of replacing (redis `save`) */
  readonly accumulate?: boolean;
  /** int accepted within min..max but silently clamped into this range (redis `hz`) */
  readonly clamp?: readonly [number, number];
  /** extra validation for string options; returns the error text or null */
  readonly validate?: (value: string) => string | null;
}

/** Error whose message is the full Redis error reply text (without the leading '-'). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const INT_MAX = 2147483647;
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
const MB = 1024 * 1024;

function validateSave(v: string): string | null {
  const parts = v.split(' ').filter((x) => x !== '');
  if (parts.length % 2 !== 0 || parts.some((x) => !/^[0-9]+$/.test(x))) return 'Invalid save parameters';
  return null;
}

const defaultShards = String(Math.max(1, Math.min(8, os.availableParallelism())));

// prettier-ignore
export const OPTIONS: readonly OptionDef[] = [
  { name: 'port', type: 'int', default: '6379', min: 0, max: 65535, mutable: false, doc: 'TCP port to listen on' },
  { name: 'bind', type: 'string', default: '127.0.0.1 ::1', multi: true, mutable: false, doc: 'space-separated list of addresses to listen on' },
  { name: 'dir', type: 'string', default: './data', mutable: false, doc: 'data directory (LMDB environments, binlog)' },
  { name: 'shards', type: 'int', default: defaultShards, min: 1, max: 256, mutable: false, doc: 'number of storage shards / worker threads (default: CPUs, at most 8)' },
  { name: 'databases', type: 'int', default: '16', min: 1, max: 256, mutable: false, doc: 'number of logical databases (the database index is one byte of every stored key)' },
  { name: 'appendfsync', type: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'], mutable: true, doc: 'when to fsync writes: always, everysec or no' },
  { name: 'lmdb-writemap', type: 'enum', default: 'auto', values: ['auto', 'yes', 'no'], mutable: false, doc: 'write through a writable memory map (cheaper commits; its fsync is an msync, slow per small batch): auto = yes unless appendfsync is always at startup' },
  { name: 'appendonly', type: 'bool', default: 'yes', mutable: true, doc: 'accepted for compatibility; has no effect' },
  { name: 'save', type: 'string', default: '', multi: true, accumulate: true, validate: validateSave, mutable: true, doc: 'accepted for compatibility; has no effect' },
  { name: 'maxclients', type: 'int', default: '10000', min: 1, max: 1000000, mutable: true, doc: 'maximum number of connected clients' },
  { name: 'timeout', type: 'int', default: '0', min: 0, max: INT_MAX, mutable: true, doc: 'close idle clients after this many seconds (0 = never)' },
  { name: 'tcp-keepalive', type: 'int', default: '300', min: 0, max: INT_MAX, mutable: true, doc: 'TCP keepalive interval in seconds (0 = off)' },
  { name: 'proto-max-bulk-len', type: 'memory', default: '512mb', min: MB, max: LLONG_MAX, mutable: true, doc: 'maximum size of a single bulk string in a request' },
  { name: 'client-query-buffer-limit', aliases: ['max-conn-rbuf-size'], type: 'memory', default: '1gb', min: MB, max: LLONG_MAX, mutable: true, doc: 'maximum size of a client query buffer' },
  { name: 'binlog-max-size', type: 'memory', default: '1gb', min: MB, max: LLONG_MAX, mutable: true, doc: 'binlog file size before rotation' },
  { name: 'requirepass', type: 'string', default: '', mutable: true, doc: 'password required by AUTH (empty = no auth)' },
  { name: 'loglevel', type: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'], mutable: true, doc: 'log verbosity' },
  { name: 'logfile', type: 'string', default: '', mutable: false, doc: 'log file path (empty = stdout)' },
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1, max: LLONG_MAX, mutable: true, doc: 'log commands slower than this many microseconds (-1 = off, 0 = all)' },
  { name: 'slowlog-max-len', type: 'int', default: '128', min: 0, max: LLONG_MAX, mutable: true, doc: 'slow log length' },
  { name: 'latency-monitor-threshold', type: 'int', default: '0', min: 0, max: LLONG_MAX, mutable: true, doc: 'latency monitor threshold in milliseconds (0 = off)' },
  { name: 'latency-tracking', type: 'bool', default: 'yes', mutable: true, doc: 'count every command in the per-command latency histograms (LATENCY HISTOGRAM)' },
  { name: 'slow-cmd-thread-pool-size', type: 'int', default: '1', min: 1, max: 1024, mutable: false, doc: 'threads of the slow-command pool (big reads, KEYS, commands in slow-cmd-list)' },
  { name: 'slow-cmd-list', type: 'string', default: '', mutable: true, doc: 'comma-separated commands run on the slow-command pool' },
  { name: 'slow-cmd-max-memory', type: 'memory', default: '2gb', min: 64 * MB, max: 64 * 1024 * MB, mutable: false, doc: 'heap limit of each slow-pool thread: a command that needs more fails alone and its thread is replaced' },
  { name: 'hz', type: 'int', default: '10', min: 0, max: INT_MAX, clamp: [1, 500], mutable: true, doc: 'background task frequency (clamped to 1..500)' },
];

// ------------------------------------------------------------------------------------------------
// Lookup tables
// ------------------------------------------------------------------------------------------------

interface Entry {
  /** the name this entry is known by (canonical name or one alias), lower-case */
  name: string;
  def: OptionDef;
}

const ENTRIES: Entry[] = [];
const BY_NAME = new Map<string, Entry>();
for (const def of OPTIONS) {
  for (const n of [def.name, ...(def.aliases ?? [])]) {
    const e = { name: n.toLowerCase(), def };
    if (BY_NAME.has(e.name)) throw new Error(`duplicate config option ${e.name}`);
    ENTRIES.push(e);
    BY_NAME.set(e.name, e);
  }
}

function entryFor(name: string): Entry | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Looks up an option by canonical name or alias (case-insensitive). */
export function findOption(name: string): OptionDef | undefined {
  return entryFor(name)?.def;
}

// ------------------------------------------------------------------------------------------------
// Value parsing
// ------------------------------------------------------------------------------------------------

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

/** Redis string2ll: optional '-', no leading zeros / '+' / spaces, must fit in int64. */
function parseInt64(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  if (v > LLONG_MAX || v < LLONG_MIN) return null;
  return v;
}

/** Formats bytes the way CONFIG REWRITE does (largest exact unit). */
function humanMemory(text: string): string {
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

interface Parsed {
  value: OptionValue;
  /** canonical CONFIG GET text */
  text: string;
}

/** Parses a value for def; returns the error text (Redis wording) on failure. */
function parseValue(def: OptionDef, raw: string): Parsed | string {
  switch (def.type) {
    case 'int':
    case 'memory': {
      let v: bigint | null;
      if (def.type === 'int') {
        v = parseInt64(raw);
        if (v === null) return "argument couldn't be parsed into an integer";
      } else {
        v = memToBig(raw);
        if (v === null) return 'argument must be a memory value';
        v = BigInt.asIntN(64, v); // Redis range-checks memory values as signed long long
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
      const err = def.validate?.(raw);
      if (err) return err;
      return { value: raw, text: raw };
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Config file syntax
// ------------------------------------------------------------------------------------------------

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
function quoteArg(s: string): string {
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

interface Directive {
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
function parseLine(line: string): Directive | null | string {
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
function directiveValue(def: OptionDef, d: Directive): string {
  if (def.multi) {
    if (d.pika) return d.args[0].split(/\s+/).filter((x) => x !== '').join(' ');
    if (d.args.length === 0) throw new DirectiveError('wrong number of arguments');
    return d.args.filter((x) => x !== '').join(' ');
  }
  if (d.args.length !== 1) throw new DirectiveError('wrong number of arguments');
  return d.args[0];
}

class DirectiveError extends Error {}

// ------------------------------------------------------------------------------------------------
// Config
// ------------------------------------------------------------------------------------------------

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

export class Config extends EventEmitter {
  /** absolute path of the config file, or null when started without one */
  file: string | null = null;
  private readonly values = new Map<string, Parsed>();

  constructor() {
    super();
    for (const def of OPTIONS) {
      const p = parseValue(def, def.default);
      if (typeof p === 'string') throw new Error(`bad default for ${def.name}: ${p}`);
      this.values.set(def.name, p);
    }
  }

  /**
   * Like redis-server: an optional first argument not starting with '-' is the config file; then
   * `--name value [value...]` pairs override it. Throws ConfigError with a readable message.
   */
  static fromArgv(argv: string[]): Config {
    const cfg = new Config();
    let j = 0;
    if (argv.length > 0 && !argv[0].startsWith('-')) {
      const file = path.resolve(argv[0]);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new ConfigError(`Fatal error, can't open config file '${argv[0]}': ${(err as Error).message}`);
      }
      cfg.loadText(text, `config file ${file}`);
      cfg.file = file;
      j = 1;
    }
    // Command-line options, each turned into a directive.
    const directives: Directive[] = [];
    let cur: Directive | null = null;
    let needValue = false;
    for (; j < argv.length; j++) {
      const a = argv[j];
      if (a.startsWith('--') && !needValue) {
        const parts = splitArgs(a.slice(2)) ?? [a.slice(2)];
        cur = { key: parts[0] ?? '', args: parts.slice(1), pika: false };
        directives.push(cur);
        needValue = parts.length === 1;
        if (needValue && cur.key.toLowerCase() === 'save' && (j === argv.length - 1 || argv[j + 1].startsWith('--'))) {
          cur.args.push(''); // `--save` alone means save ""
          needValue = false;
        }
      } else if (cur) {
        cur.args.push(a);
        needValue = false;
      } else {
        throw new ConfigError(`Invalid argument '${a}': options must be given as --name value`);
      }
    }
    const seen = new Set<string>();
    for (const d of directives) {
      const shown = `${d.key} ${d.args.map(quoteArg).join(' ')}`.trim();
      cfg.applyDirective(d, seen, () => `Bad command-line option >>> '--${shown}'`);
    }
    return cfg;
  }

  /** Builds a config from file text (no file attached; rewrite() will refuse). */
  static fromFileText(text: string): Config {
    const cfg = new Config();
    cfg.loadText(text, 'config text');
    return cfg;
  }

  private loadText(text: string, source: string): void {
    const lines = text.split(/\r?\n/);
    const seen = new Set<string>();
    lines.forEach((line, idx) => {
      const where = () => `Bad directive in ${source}, line ${idx + 1} >>> '${line.trim()}'`;
      const d = parseLine(line);
      if (d === null) return;
      if (typeof d === 'string') throw new ConfigError(`${where()}: ${d}`);
      this.applyDirective(d, seen, where);
    });
  }

  private applyDirective(d: Directive, seen: Set<string>, where: () => string): void {
    const e = entryFor(d.key);
    if (!e) throw new ConfigError(`${where()}: Bad directive or wrong number of arguments`);
    const def = e.def;
    let raw: string;
    try {
      raw = directiveValue(def, d);
    } catch (err) {
      if (err instanceof DirectiveError) throw new ConfigError(`${where()}: ${err.message}`);
      throw err;
    }
    if (def.accumulate && seen.has(def.name) && raw !== '') {
      const prev = this.values.get(def.name)!.text;
      if (prev !== '') raw = `${prev} ${raw}`;
    }
    const p = parseValue(def, raw);
    if (typeof p === 'string') throw new ConfigError(`${where()}: ${p}`);
    this.values.set(def.name, p);
    seen.add(def.name);
  }

  private defOf(name: string): OptionDef {
    const e = entryFor(name);
    if (!e) throw new ConfigError(`ERR Unknown option '${name}'`);
    return e.def;
  }

  /** Typed value: number for int/memory (bytes), boolean for bool, string otherwise. Accepts aliases. */
  get(name: string): OptionValue {
    return this.values.get(this.defOf(name).name)!.value;
  }

  num(name: string): number {
    const def = this.defOf(name);
    if (def.type !== 'int' && def.type !== 'memory') throw new TypeError(`config option ${def.name} is not numeric`);
    return this.values.get(def.name)!.value as number;
  }

  bool(name: string): boolean {
    const def = this.defOf(name);
    if (def.type !== 'bool') throw new TypeError(`config option ${def.name} is not a boolean`);
    return this.values.get(def.name)!.value as boolean;
  }

  str(name: string): string {
    const def = this.defOf(name);
    if (def.type !== 'string' && def.type !== 'enum') throw new TypeError(`config option ${def.name} is not a string`);
    return this.values.get(def.name)!.value as string;
  }

  /** The value as CONFIG GET prints it (memory in bytes, bool yes/no). */
  display(name: string): string {
    return this.values.get(this.defOf(name).name)!.text;
  }

  /**
   * CONFIG GET for one pattern. Without glob characters (`*?[`) it is a case-insensitive exact
   * lookup reported under the name as given (like Redis). With them, every canonical name and
   * alias is matched case-insensitively and reported under the name that matched.
   */
  match(pattern: string): Array<[string, string]> {
    return this.matchAll([pattern]);
  }

  /** CONFIG GET with several patterns: results deduplicated case-insensitively, like Redis 7. */
  matchAll(patterns: readonly string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const e = entryFor(pattern);
        if (!e || seen.has(e.name)) continue;
        seen.add(e.name);
        out.push([pattern, this.values.get(e.def.name)!.text]);
        continue;
      }
      for (const e of ENTRIES) {
        if (seen.has(e.name)) continue;
        if (globMatchString(pattern, e.name, true)) {
          seen.add(e.name);
          out.push([e.name, this.values.get(e.def.name)!.text]);
        }
      }
    }
    return out;
  }

  /**
   * CONFIG SET name value [name value ...], all-or-nothing. Checks names first (unknown, immutable,
   * duplicate — in argument order), then values. Emits 'change' (canonicalName, typedValue) for
   * every option whose value actually changed, after all of them have been applied.
   */
  set(pairs: Array<[string, string]>): void {
    const targets: Entry[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const e = entryFor(name);
      if (!e) throw new ConfigError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      if (!e.def.mutable) throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${e.name}') - can't set immutable config`);
      if (seen.has(e.name)) throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${e.name}') - duplicate parameter`);
      seen.add(e.name);
      targets.push(e);
    }
    const parsed: Parsed[] = [];
    pairs.forEach(([, raw], i) => {
      const e = targets[i];
      const p = parseValue(e.def, raw);
      if (typeof p === 'string') throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${e.name}') - ${p}`);
      parsed.push(p);
    });
    const before = new Map<string, string>();
    for (const e of targets) if (!before.has(e.def.name)) before.set(e.def.name, this.values.get(e.def.name)!.text);
    targets.forEach((e, i) => this.values.set(e.def.name, parsed[i]));
    // (an alias and its canonical name may both appear in one call: the last one wins, as in Redis)
    for (const [name, text] of before) {
      const now = this.values.get(name)!;
      if (now.text !== text) this.emit('change', name, now.value);
    }
  }

  /** Formats the current value of def as directive arguments (Redis syntax) or a Pika value. */
  private formatValue(def: OptionDef, pika: boolean): string {
    const p = this.values.get(def.name)!;
    if (def.type === 'memory') return pika ? p.text : humanMemory(p.text);
    if (pika) return p.text;
    if (def.multi) {
      const parts = p.text.split(' ').filter((x) => x !== '');
      return parts.length === 0 ? '""' : parts.map(quoteArg).join(' ');
    }
    return quoteArg(p.text);
  }

  private isDefault(def: OptionDef): boolean {
    const d = parseValue(def, def.default) as Parsed;
    return d.text === this.values.get(def.name)!.text;
  }

  /**
   * CONFIG REWRITE: re-reads the file, rewrites lines of known options in place (keeping their
   * syntax and spelling), drops later duplicates, keeps comments and unknown lines verbatim, and
   * appends non-default options that were not in the file. Written atomically (temp + rename).
   */
  rewrite(): void {
    if (this.file === null) throw new ConfigError('ERR The server is running without a config file');
    const file = this.file;
    let old = '';
    let mode = 0o644;
    try {
      old = fs.readFileSync(file, 'utf8');
      mode = fs.statSync(file).mode & 0o7777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`ERR Rewriting config file: ${(err as Error).message}`);
    }
    const oldLines = old === '' ? [] : old.replace(/\r?\n$/, '').split(/\r?\n/);
    const out: string[] = [];
    const done = new Set<string>();
    let pikaCount = 0;
    let redisCount = 0;
    let hasSignature = false;
    for (const line of oldLines) {
      if (line.trim() === REWRITE_SIGNATURE) hasSignature = true;
      const d = parseLine(line);
      const e = d !== null && typeof d !== 'string' ? entryFor(d.key) : undefined;
      if (!e || d === null || typeof d === 'string') {
        out.push(line);
        continue;
      }
      if (d.pika) pikaCount++;
      else redisCount++;
      if (done.has(e.def.name)) continue; // later duplicate: the first occurrence carries the value
      done.add(e.def.name);
      const indent = /^\s*/.exec(line)![0];
      out.push(d.pika ? `${indent}${d.key} : ${this.formatValue(e.def, true)}` : `${indent}${d.key} ${this.formatValue(e.def, false)}`);
    }
    const pika = pikaCount > redisCount;
    for (const def of OPTIONS) {
      if (done.has(def.name) || this.isDefault(def)) continue;
      if (!hasSignature) {
        if (out.length > 0 && out[out.length - 1].trim() !== '') out.push('');
        out.push(REWRITE_SIGNATURE);
        hasSignature = true;
      }
      out.push(pika ? `${def.name} : ${this.formatValue(def, true)}` : `${def.name} ${this.formatValue(def, false)}`);
    }
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.rewrite-${process.pid}-${Date.now()}`);
    try {
      const fd = fs.openSync(tmp, 'w', mode);
      try {
        fs.writeSync(fd, out.join('\n') + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw new ConfigError(`ERR Rewriting config file: ${(err as Error).message}`);
    }
  }
}
