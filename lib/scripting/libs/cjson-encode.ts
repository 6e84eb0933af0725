// cjson.encode: a Lua value to JSON text, written byte by byte into one growing buffer and read
// straight out of the Lua state's memory (strings are copied as bytes, never decoded).
//
// The rules are lua-cjson 2.1.0's as Redis embeds it: a table whose keys are all positive
// integers is an array (holes become null) unless it is "excessively sparse"; any other table is
// an object whose keys are strings or numbers (numbers written as quoted numbers); an empty table
// is {}; numbers are printed with "%.<precision>g"; "/" is escaped, control bytes are \u00XX,
// bytes >= 0x80 pass through unchanged.

import type { LuaBinding } from '../lua-api.js';
import { heapViews, rawApi, type HeapViews, type RawApi } from './raw-api.js';
import { T_BOOLEAN, T_LIGHTUSERDATA, T_NIL, T_NUMBER, T_STRING, T_TABLE } from '../lua-api.js';
import { Field, type Config } from './cjson-config.js';
import { formatG } from './format-g.js';
import { luaError } from './lua-errors.js';

/** The escape sequence of each byte in a JSON string; null where the byte is written as is. */
const ESCAPES: (Uint8Array | null)[] = [];
for (let c = 0; c < 256; c++) {
  let e: string | null = null;
  if (c === 0x22) e = '\\"';
  else if (c === 0x5c) e = '\\\\';
  else if (c === 0x2f) e = '\\/';
  else if (c === 0x08) e = '\\b';
  else if (c === 0x0c) e = '\\f';
  else if (c === 0x0a) e = '\\n';
  else if (c === 0x0d) e = '\\r';
  else if (c === 0x09) e = '\\t';
  else if (c < 0x20 || c === 0x7f) e = '\\u' + c.toString(16).padStart(4, '0');
  ESCAPES.push(e === null ? null : Buffer.from(e, 'latin1'));
}

/** 1 where ESCAPES has a sequence: the scan over a string's bytes reads only this. */
const NEEDS_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c++) NEEDS_ESCAPE[c] = ESCAPES[c] === null ? 0 : 1;

const INT_MIN = -(2 ** 31);

export class JsonEncoder {
  private out = new Uint8Array(4096);
  private len = 0;
  private readonly lenPtr: number;
  private cfg!: Config;
  private L = 0;

  private readonly api: RawApi;
  private readonly heap: HeapViews;
  // The settings of the call at hand, read once.
  private precision = 14;
  private invalidNumbers = 0;
  private maxDepth = 1000;

  constructor(private readonly b: LuaBinding) {
    this.api = rawApi(b);
    this.heap = heapViews(b);
    this.lenPtr = b.m._malloc(4);
  }

  /** Encodes the value at stack index 1 and pushes the JSON text. */
  encode(L: number, cfg: Config): void {
    this.L = L;
    this.cfg = cfg;
    this.precision = cfg.get(Field.NumberPrecision);
    this.invalidNumbers = cfg.get(Field.EncodeInvalidNumbers);
    this.maxDepth = cfg.get(Field.EncodeMaxDepth);
    this.len = 0;
    this.run();
    const b = this.b;
    this.api.pushlstring(L, b.place(this.out.subarray(0, this.len)), this.len);
    // A buffer grown by one huge value is not kept, unless the script asked for buffer reuse.
    if (this.out.length > 1 << 20 && cfg.get(Field.EncodeKeepBuffer) === 0) this.out = new Uint8Array(4096);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.out.subarray(0, this.len));
    this.out = next;
  }

  private ascii(s: string): void {
    this.reserve(s.length);
    const out = this.out;
    let n = this.len;
    for (let i = 0; i < s.length; i++) out[n++] = s.charCodeAt(i);
    this.len = n;
  }

  private byte(c: number): void {
    if (this.len === this.out.length) this.reserve(1);
    this.out[this.len++] = c;
  }

  private fail(msg: string): never {
    return luaError(this.b, this.L, msg);
  }

  private typeName(idx: number): string {
    const b = this.b;
    const p = b.fn('lua_typename')(this.L, this.api.type(this.L, idx));
    const heap = this.heap.bytes();
    let end = p;
    while (heap[end] !== 0) end++;
    return Buffer.from(heap.subarray(p, end)).toString('latin1');
  }

  /**
   * Writes the value at idx; a table is opened instead (its frame pushed, the bracket written)
   * and written by the loop in `run`, which walks nested tables without recursion: Lua's own
   * stack limit, not JavaScript's, bounds the depth, as in the C library.
   */
  private value(idx: number): void {
    const L = this.L;
    switch (this.api.type(L, idx)) {
      case T_STRING:
        this.string(idx);
        return;
      case T_NUMBER:
        this.number(this.api.tonumber(L, idx));
        return;
      case T_BOOLEAN:
        this.ascii(this.api.toboolean(L, idx) !== 0 ? 'true' : 'false');
        return;
      case T_NIL:
        this.ascii('null');
        return;
      case T_LIGHTUSERDATA:
        if (this.api.touserdata(L, idx) === 0) {
          this.ascii('null'); // cjson.null
          return;
        }
        break;
      case T_TABLE:
        this.open(idx);
        return;
    }
    this.fail(`Cannot serialise ${this.typeName(idx)}: type not supported`);
  }

  private number(x: number): void {
    if (!Number.isFinite(x)) {
      const mode = this.invalidNumbers;
      if (mode === 0) this.fail('Cannot serialise number: must not be NaN or Inf');
      if (mode === 2) {
        this.ascii('null');
        return;
      }
      this.ascii(Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');
      return;
    }
    this.ascii(formatG(x, this.precision));
  }

  private string(idx: number): void {
    const p = this.api.tolstring(this.L, idx, this.lenPtr);
    const n = this.heap.words()[this.lenPtr >> 2]!;
    // Room for the worst case, every byte a \u00XX, so the loops need no checks.
    this.reserve(6 * n + 2);
    const heap = this.heap.bytes();
    const out = this.out;
    let w = this.len;
    out[w++] = 0x22;
    const end = p + n;
    let i = p;
    while (i < end) {
      const c = heap[i]!;
      if (NEEDS_ESCAPE[c] !== 0) {
        const esc = ESCAPES[c]!;
        for (let k = 0; k < esc.length; k++) out[w++] = esc[k]!;
        i++;
        continue;
      }
      // A run of plain bytes: long ones are copied whole.
      let j = i + 1;
      while (j < end && NEEDS_ESCAPE[heap[j]!] === 0) j++;
      if (j - i > 64) {
        out.set(heap.subarray(i, j), w);
        w += j - i;
      } else {
        for (let k = i; k < j; k++) out[w++] = heap[k]!;
      }
      i = j;
    }
    out[w++] = 0x22;
    this.len = w;
  }

  /**
   * The array length of the table at idx, or -1 when it is written as an object. The largest key
   * is held as a C int, as the library does: a key of 2^31 or more becomes INT_MIN, which makes
   * the table an object (and a later smaller key may replace it).
   */
  private arrayLength(idx: number): number {
    const L = this.L;
    const next = this.api.next;
    let max = 0;
    let items = 0;
    this.api.pushnil(L);
    while (next(L, idx) !== 0) {
      if (this.api.type(L, -2) !== T_NUMBER) {
        this.api.settop(L, -3);
        return -1;
      }
      const k = this.api.tonumber(L, -2);
      if (!(Math.floor(k) === k && k >= 1)) {
        this.api.settop(L, -3);
        return -1;
      }
      if (k > max) max = k < 2 ** 31 ? k : INT_MIN;
      items++;
      this.api.settop(L, -2);
    }
    const ratio = this.cfg.get(Field.SparseRatio);
    if (ratio > 0 && max > items * ratio && max > this.cfg.get(Field.SparseSafe)) {
      if (this.cfg.get(Field.SparseConvert) === 0) this.fail('Cannot serialise table: excessively sparse array');
      return -1;
    }
    return max;
  }

  // The tables being written, innermost last: their stack index, whether an array, the next
  // array index (or, for an object, 1 before its first key) and the array length.
  private frameTable: number[] = [];
  private frameIsArray: boolean[] = [];
  private frameNext: number[] = [];
  private frameLength: number[] = [];
  private depth = 0;

  private open(idx: number): void {
    const depth = this.depth + 1;
    if (depth > this.maxDepth || this.api.checkstack(this.L, 3) === 0) {
      this.fail(`Cannot serialise, excessive nesting (${depth})`);
    }
    const length = this.arrayLength(idx);
    const d = this.depth++;
    this.frameTable[d] = idx;
    this.frameIsArray[d] = length > 0;
    this.frameNext[d] = 1;
    this.frameLength[d] = length;
    if (length > 0) {
      this.byte(0x5b);
    } else {
      this.byte(0x7b);
      this.api.pushnil(this.L); // the key lua_next starts from
    }
  }

  /** Writes the value at stack index 1, walking nested tables until all are closed. */
  private run(): void {
    const L = this.L;
    const next = this.api.next;
    const rawgeti = this.api.rawgeti;
    this.depth = 0;
    this.value(1);
    while (this.depth > 0) {
      const d = this.depth - 1;
      const t = this.frameTable[d]!;
      if (this.frameIsArray[d]) {
        const i = this.frameNext[d]!;
        if (i > this.frameLength[d]!) {
          this.byte(0x5d);
          this.close();
          continue;
        }
        if (i > 1) this.byte(0x2c);
        this.frameNext[d] = i + 1;
        rawgeti(L, t, i);
      } else {
        if (next(L, t) === 0) {
          this.byte(0x7d);
          this.close();
          continue;
        }
        if (this.frameNext[d] === 0) this.byte(0x2c);
        this.frameNext[d] = 0;
        this.key(this.api.gettop(L) - 1);
        this.byte(0x3a);
      }
      const top = this.api.gettop(L);
      this.value(top);
      // A table stays on the stack while it is written; anything else is done with.
      if (this.depth - 1 === d) this.api.settop(L, -2);
    }
  }

  /** Ends the innermost table; unless it is the argument itself, drops it from the stack. */
  private close(): void {
    this.depth--;
    if (this.depth > 0) this.api.settop(this.L, -2);
  }

  private key(idx: number): void {
    const kt = this.api.type(this.L, idx);
    if (kt === T_STRING) {
      this.string(idx);
    } else if (kt === T_NUMBER) {
      this.byte(0x22);
      this.number(this.api.tonumber(this.L, idx));
      this.byte(0x22);
    } else {
      this.fail(`Cannot serialise ${this.typeName(idx)}: table key must be a number or string`);
    }
  }
}
