/**
 * Readable, type-exact rendering and comparison of replies (`formatReply`, `replyEquals`),
 * optionally order-insensitive for sets/maps (and set-like arrays).
 */
import type { Reply } from './resp-decoder.js';

// ---------------------------------------------------------------------------
// Formatting / comparison
// ---------------------------------------------------------------------------

export interface CompareOptions {
  /**
   * Order-insensitive comparison:
   * - `true`: RESP3 sets and maps at any depth are sorted, and so are the
   *   elements of a top-level array (RESP2 set-like replies such as SMEMBERS).
   * - `'pairs'`: like `true`, but a top-level array is treated as a flat list
   *   of key/value pairs (RESP2 HGETALL, CONFIG GET) and sorted pair-wise.
   * - `'deep'`: like `true`, and arrays at every depth are sorted too.
   */
  unordered?: boolean | 'pairs' | 'deep';
}

/** Escape bytes so the rendering is unambiguous (and injective). */
export function escapeBytes(b: Buffer): string {
  let s = '';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return '"' + s + '"';
}

function q(s: string): string {
  return escapeBytes(Buffer.from(s, 'utf8'));
}

/** Return a copy with order-insensitive parts sorted canonically (see CompareOptions). */
export function canonicalize(r: Reply, opts: CompareOptions = {}): Reply {
  const mode = opts.unordered;
  if (!mode) return r;
  const deep = mode === 'deep';
  const rec = (x: Reply, depth: number): Reply => {
    switch (x.t) {
      case 'array': {
        if (!x.v) return x;
        const items = x.v.map((e) => rec(e, depth + 1));
        if (depth === 0 && mode === 'pairs') {
          const pairs: Reply[][] = [];
          for (let i = 0; i < items.length; i += 2) pairs.push(items.slice(i, i + 2));
          pairs.sort((a, b) => cmpStr(a.map((e) => formatReply(e)).join('\n'), b.map((e) => formatReply(e)).join('\n')));
          return { t: 'array', v: pairs.flat() };
        }
        if (depth === 0 || deep) return { t: 'array', v: sortReplies(items) };
        return { t: 'array', v: items };
      }
      case 'set':
        return { t: 'set', v: sortReplies(x.v.map((e) => rec(e, depth + 1))) };
      case 'push':
        return { t: 'push', v: x.v.map((e) => rec(e, depth + 1)) };
      case 'map': {
        const pairs = x.v.map(([k, v]) => [rec(k, depth + 1), rec(v, depth + 1)] as [Reply, Reply]);
        pairs.sort((a, b) => cmpStr(formatReply(a[0]) + '\n' + formatReply(a[1]), formatReply(b[0]) + '\n' + formatReply(b[1])));
        return { t: 'map', v: pairs };
      }
      case 'attr':
        return { t: 'attr', v: x.v.map(([k, v]) => [rec(k, depth + 1), rec(v, depth + 1)] as [Reply, Reply]), reply: rec(x.reply, depth) };
      default:
        return x;
    }
  };
  return rec(r, 0);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortReplies(items: Reply[]): Reply[] {
  return items
    .map((e) => [formatReply(e), e] as const)
    .sort((a, b) => cmpStr(a[0], b[0]))
    .map((p) => p[1]);
}

/**
 * Render a reply as readable, type-exact text (multi-line for aggregates), e.g.
 *
 *     *2
 *       1) "foo"
 *       2) (integer) 3
 *
 * Two replies render identically iff they are equal (with the same options).
 */
export function formatReply(r: Reply, opts: CompareOptions = {}): string {
  const root = opts.unordered ? canonicalize(r, opts) : r;
  const lines: string[] = [];
  const put = (x: Reply, indent: string, prefix: string): void => {
    const head = indent + prefix;
    const child = indent + ' '.repeat(prefix.length) + '  ';
    switch (x.t) {
      case 'simple':
        lines.push(`${head}+${q(x.v)}`);
        return;
      case 'error':
        lines.push(`${head}${x.blob ? '(blob error) ' : '(error) '}${q(x.v)}`);
        return;
      case 'int':
        lines.push(`${head}(integer) ${x.v}`);
        return;
      case 'bulk':
        lines.push(x.v === null ? `${head}(nil bulk)` : `${head}${escapeBytes(x.v)}`);
        return;
      case 'double':
        lines.push(`${head}(double) ${x.v}`);
        return;
      case 'bool':
        lines.push(`${head}(${x.v ? 'true' : 'false'})`);
        return;
      case 'null':
        lines.push(`${head}(null)`);
        return;
      case 'bignum':
        lines.push(`${head}(big number) ${x.v}`);
        return;
      case 'verbatim':
        lines.push(`${head}(verbatim ${x.format}) ${q(x.v)}`);
        return;
      case 'array':
      case 'set':
      case 'push': {
        if (x.v === null) {
          lines.push(`${head}(nil array)`);
          return;
        }
        const sigil = x.t === 'array' ? '*' : x.t === 'set' ? '~' : '>';
        lines.push(`${head}${sigil}${x.v.length}${x.v.length === 0 ? ' (empty)' : ''}`);
        x.v.forEach((e, i) => put(e, child, `${i + 1}) `));
        return;
      }
      case 'map':
        lines.push(`${head}%${x.v.length}${x.v.length === 0 ? ' (empty)' : ''}`);
        x.v.forEach(([k, v], i) => {
          put(k, child, `${i + 1}# `);
          put(v, child, ' '.repeat(`${i + 1}`.length) + '= ');
        });
        return;
      case 'attr':
        lines.push(`${head}|${x.v.length} (attributes)`);
        x.v.forEach(([k, v], i) => {
          put(k, child, `${i + 1}# `);
          put(v, child, ' '.repeat(`${i + 1}`.length) + '= ');
        });
        put(x.reply, indent, ' '.repeat(prefix.length) + '-> ');
        return;
    }
  };
  put(root, '', '');
  return lines.join('\n');
}

/** Structural, type-exact equality (optionally order-insensitive, see CompareOptions). */
export function replyEquals(a: Reply, b: Reply, opts: CompareOptions = {}): boolean {
  if (opts.unordered) return eq(canonicalize(a, opts), canonicalize(b, opts));
  return eq(a, b);
}

function eq(a: Reply, b: Reply): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'simple':
    case 'double':
    case 'bignum':
    case 'bool':
      return a.v === (b as typeof a).v;
    case 'error':
      return a.v === (b as typeof a).v && !!a.blob === !!(b as typeof a).blob;
    case 'verbatim':
      return a.v === (b as typeof a).v && a.format === (b as typeof a).format;
    case 'int':
      return a.v === (b as typeof a).v;
    case 'null':
      return true;
    case 'bulk': {
      const bv = (b as typeof a).v;
      if (a.v === null || bv === null) return a.v === bv;
      return a.v.equals(bv);
    }
    case 'array':
    case 'set':
    case 'push': {
      const av = a.v;
      const bv = (b as typeof a).v;
      if (av === null || bv === null) return av === bv;
      return av.length === bv.length && av.every((x, i) => eq(x, bv[i]!));
    }
    case 'map': {
      const bv = (b as typeof a).v;
      return a.v.length === bv.length && a.v.every(([k, v], i) => eq(k, bv[i]![0]) && eq(v, bv[i]![1]));
    }
    case 'attr': {
      const bb = b as typeof a;
      return (
        a.v.length === bb.v.length && a.v.every(([k, v], i) => eq(k, bb.v[i]![0]) && eq(v, bb.v[i]![1])) && eq(a.reply, bb.reply)
      );
    }
  }
}

/** Convenience: bulk/simple/verbatim reply as a UTF-8 string (throws on other types). */
export function replyString(r: Reply): string {
  if (r.t === 'bulk' && r.v) return r.v.toString('utf8');
  if (r.t === 'simple' || r.t === 'verbatim') return r.v;
  throw new Error(`expected a string reply, got ${formatReply(r)}`);
}
