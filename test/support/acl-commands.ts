/**
 * Commands as COMMAND INFO describes them, flattened to one entry per runnable name (a command
 * without subcommands, or each `parent|sub`), with arguments that satisfy the arity and put a
 * recognisable token at every key position. ACL checks run after the arity check and before a
 * command parses its arguments, so that is all a permission test needs to send.
 */
import { RawClient, type Reply } from './resp-client.js';

export interface KeySpec {
  flags: string[];
  begin: { type: string; index?: number; keyword?: string; startfrom?: number };
  find: { type: string; lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number };
}

export interface CommandEntry {
  /** Lower-case full name: `get`, `config|get`. */
  name: string;
  /** The words that name it on the wire: ['get'] or ['config', 'get']. */
  words: string[];
  arity: number;
  flags: string[];
  /** Without the leading @. */
  categories: string[];
  keySpecs: KeySpec[];
  /** True for a parent that has subcommands (only its subcommands are entries to run). */
  container: boolean;
}

const str = (r: Reply | undefined): string =>
  r === undefined ? '' : r.t === 'bulk' ? (r.v?.toString('latin1') ?? '') : r.t === 'simple' ? r.v : r.t === 'int' ? String(r.v) : '';
const arr = (r: Reply | undefined): Reply[] => (r && (r.t === 'array' || r.t === 'set') && r.v ? r.v : []);

/** A RESP2 flat [k, v, k, v] array (or a RESP3 map) as an object. */
function fields(r: Reply | undefined): Record<string, Reply> {
  const out: Record<string, Reply> = {};
  if (r?.t === 'map') for (const [k, v] of r.v) out[str(k)] = v;
  else {
    const a = arr(r);
    for (let i = 0; i + 1 < a.length; i += 2) out[str(a[i])] = a[i + 1];
  }
  return out;
}
const num = (r: Reply | undefined): number | undefined => (r?.t === 'int' ? Number(r.v) : undefined);

function keySpec(r: Reply): KeySpec {
  const f = fields(r);
  const bs = fields(f['begin_search']);
  const fk = fields(f['find_keys']);
  const bspec = fields(bs['spec']);
  const fspec = fields(fk['spec']);
  return {
    flags: arr(f['flags']).map((x) => str(x).toUpperCase()),
    begin: { type: str(bs['type']), index: num(bspec['index']), keyword: str(bspec['keyword']) || undefined, startfrom: num(bspec['startfrom']) },
    find: {
      type: str(fk['type']),
      lastkey: num(fspec['lastkey']),
      keystep: num(fspec['keystep']),
      limit: num(fspec['limit']),
      keynumidx: num(fspec['keynumidx']),
      firstkey: num(fspec['firstkey']),
    },
  };
}

function entries(r: Reply, parent: string[], out: CommandEntry[]): void {
  const a = arr(r);
  if (a.length < 7) return;
  const full = str(a[0]).toLowerCase();
  const words = parent.length ? [...parent, full.split('|').pop()!] : [full];
  const subs = arr(a[9]);
  const e: CommandEntry = {
    name: words.join('|'),
    words,
    arity: Number((a[1] as { v: bigint }).v),
    flags: arr(a[2]).map(str),
    categories: arr(a[6]).map((c) => str(c).replace(/^@/, '')),
    keySpecs: arr(a[8]).map(keySpec),
    container: subs.length > 0,
  };
  out.push(e);
  for (const s of subs) entries(s, words, out);
}

/** Every command and subcommand the server lists, sorted by name. */
export async function commandTable(c: RawClient): Promise<CommandEntry[]> {
  const r = await c.send('COMMAND', 'INFO');
  const out: CommandEntry[] = [];
  for (const one of arr(r)) entries(one, [], out);
  return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/**
 * Arguments for `e` (after its name words) with `key(i)` at each key position the key specs
 * give and `filler` elsewhere, long enough for the arity. A keyword-search spec whose keyword is
 * absent finds no key; the keyword is put in (keys after it) when the command needs it to have any
 * key at all (no index spec), as for XREAD STREAMS.
 */
export function argsFor(e: CommandEntry, key: (i: number) => string, filler = 'x'): string[] {
  // argv positions are 0 = command name, as key specs count them
  const argv: string[] = [...e.words];
  const need = e.arity > 0 ? e.arity : -e.arity;
  const set = (i: number, v: string) => {
    while (argv.length <= i) argv.push(filler);
    argv[i] = v;
  };
  let k = 0;
  const hasIndex = e.keySpecs.some((s) => s.begin.type === 'index');
  for (const s of e.keySpecs) {
    let start: number;
    if (s.begin.type === 'index' && s.begin.index !== undefined) start = s.begin.index;
    else if (s.begin.type === 'keyword' && s.begin.keyword && !hasIndex && !argv.some((a) => a.toUpperCase() === s.begin.keyword)) {
      const at = Math.max(argv.length, e.words.length + (s.begin.startfrom && s.begin.startfrom > 0 ? s.begin.startfrom - 1 : 0));
      set(at, s.begin.keyword);
      start = at + 1;
    } else continue;
    if (s.find.type === 'range') {
      const last = s.find.lastkey ?? 0;
      const step = s.find.keystep || 1;
      // a negative lastkey counts from the end: one key is enough
      const end = last >= 0 ? start + last : start;
      for (let i = start; i <= end; i += step) set(i, key(k++));
    } else if (s.find.type === 'keynum') {
      set(start + (s.find.keynumidx ?? 0), '1');
      set(start + (s.find.firstkey ?? 1), key(k++));
    }
  }
  while (argv.length < need) argv.push(filler);
  // XREAD-style: as many ids after STREAMS as keys
  if (e.keySpecs.some((s) => s.begin.type === 'keyword' && s.find.lastkey === -1 && (s.find.limit ?? 0) === 2)) argv.push(filler);
  return argv.slice(e.words.length);
}

/** The key specs argsFor fills (index specs; a keyword spec only for a command with no index spec). */
export function usedSpecs(e: CommandEntry): KeySpec[] {
  const hasIndex = e.keySpecs.some((s) => s.begin.type === 'index');
  // shard channels (SPUBLISH, SSUBSCRIBE) are found by key specs flagged NOT_KEY: ACL checks them as channels
  return e.keySpecs.filter((s) => !s.flags.includes('NOT_KEY') && (s.begin.type === 'index' ? s.begin.index !== undefined : s.begin.type === 'keyword' && !hasIndex) && (s.find.type === 'range' || s.find.type === 'keynum'));
}

/** Key-spec flags that make a key written (refused by %R~), and read (refused by %W~). */
export const WRITE_FLAGS = ['INSERT', 'UPDATE', 'DELETE'];
export const READ_FLAGS = ['ACCESS'];

/** Whether any key spec of `e` carries one of `flags`. */
export const specsHave = (e: CommandEntry, flags: string[]): boolean => usedSpecs(e).some((s) => s.flags.some((f) => flags.includes(f)));

export const NOPERM_KEYS = 'NOPERM this user has no permissions to access one of the keys used as arguments';
export const NOPERM_CHANNELS = 'NOPERM this user has no permissions to access one of the channels used as arguments';
export const nopermCommand = (name: string): string => `NOPERM this user has no permissions to run the '${name}' command`;

/**
 * A connection authenticated as `user` (nopass users take any password). Replies wait the
 * client's default 15 s: the first script a server runs starts its Lua engines, which took over
 * 3 s on a loaded machine.
 */
export async function connectAs(port: number, user: string, pass = 'x', host = '127.0.0.1'): Promise<RawClient> {
  const c = await RawClient.connect(port, host);
  const r = await c.send('AUTH', user, pass);
  if (r.t === 'error') throw new Error(`AUTH ${user}: ${r.v}`);
  return c;
}

export const text = (r: Reply): string =>
  r.t === 'error' ? r.v : r.t === 'simple' ? r.v : r.t === 'bulk' ? (r.v === null ? '(nil)' : r.v.toString('latin1')) : r.t === 'int' ? `(integer) ${r.v}` : r.t;
