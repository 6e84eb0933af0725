// The first line of an EVAL script ("#!lua flags=no-writes,allow-oom") and of a FUNCTION LOAD
// library ("#!lua name=mylib"): split into words as Redis splits arguments (spaces, tabs, CR
// separate; double or single quotes group), then checked with Redis's error texts for each kind.

/** The flags a script's shebang or redis.register_function may give. */
export const SCRIPT_FLAGS: readonly string[] = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'];

export interface Shebang {
  /** The engine named after "#!" ("lua" for a script; as written for a library). */
  engine: string;
  flags: string[];
  /** A library's name=... */
  name?: string;
  /** Bytes of the shebang line, its newline excluded. */
  length: number;
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12;

/** The words of a line, quotes grouping as in Redis's argument splitting; null when a quote is unbalanced. */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return words;
    let w = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (i >= n) {
        if (inDq || inSq) return null;
        break;
      }
      const ch = line[i];
      if (inDq) {
        if (ch === '\\' && i + 1 < n) {
          const nx = line[i + 1];
          w += nx === 'n' ? '\n' : nx === 'r' ? '\r' : nx === 't' ? '\t' : nx;
          i += 2;
          continue;
        }
        if (ch === '"') {
          // a closing quote must be followed by a space or the end
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inDq = false;
          i++;
          break;
        }
        w += ch;
        i++;
      } else if (inSq) {
        if (ch === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inSq = false;
          i++;
          break;
        }
        w += ch;
        i++;
      } else {
        if (isSpace(line.charCodeAt(i))) break;
        if (ch === '"') inDq = true;
        else if (ch === "'") inSq = true;
        else w += ch;
        i++;
      }
    }
    words.push(w);
  }
}

function startsWithShebang(body: Uint8Array): boolean {
  return body.length >= 2 && body[0] === 35 /* # */ && body[1] === 33 /* ! */;
}

/**
 * An EVAL body's shebang: null when the body has none, the error text (no leading '-') Redis
 * answers for a bad one.
 */
export function parseShebang(body: Uint8Array): Shebang | { error: string } | null {
  if (!startsWithShebang(body)) return null;
  const nl = body.indexOf(10);
  if (nl < 0) return { error: 'ERR Invalid script shebang' };
  const words = splitWords(Buffer.from(body.buffer, body.byteOffset, nl).toString('latin1'));
  if (words === null || words.length === 0) return { error: 'ERR Invalid script shebang' };
  if (words[0] !== '#!lua') return { error: `ERR Unexpected engine in script shebang: ${words[0]}` };
  const flags: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('flags=')) return { error: `ERR Unknown lua shebang option: ${w}` };
    const list = w.slice(6);
    if (list === '') continue;
    for (const f of list.split(',')) {
      if (!SCRIPT_FLAGS.includes(f)) return { error: `ERR Unexpected flag in script shebang: ${f}` };
      if (!flags.includes(f)) flags.push(f);
    }
  }
  return { engine: 'lua', flags, length: nl };
}

/** A library name as Redis accepts it: letters, digits, underscores, at least one. */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

export const BAD_NAME = 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** A FUNCTION LOAD library's metadata line, with Redis's error texts. The engine is as written. */
export function parseLibraryShebang(code: Uint8Array): Shebang | { error: string } {
  if (!startsWithShebang(code)) return { error: 'ERR Missing library metadata' };
  const nl = code.indexOf(10);
  if (nl < 0) return { error: 'ERR Invalid library metadata' };
  const words = splitWords(Buffer.from(code.buffer, code.byteOffset, nl).toString('latin1'));
  if (words === null || words.length === 0) return { error: 'ERR Invalid library metadata' };
  const engine = words[0].slice(2);
  let name: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('name=')) {
      if (name !== undefined) return { error: 'ERR Invalid metadata value, name argument was given multiple times' };
      name = w.slice(5);
    } else {
      return { error: `ERR Invalid metadata value given: ${w}` };
    }
  }
  if (name === undefined) return { error: 'ERR Library name was not given' };
  if (!validName(name)) return { error: BAD_NAME };
  if (engine.toLowerCase() !== 'lua') return { error: `ERR Engine '${engine}' not found` };
  return { engine: 'LUA', flags: [], name, length: nl };
}
