// The `struct` library of Redis's Lua (Roberto Ierusalimschy's struct, as Redis 7.0 bundles it):
// struct.pack(fmt, ...) -> string, struct.unpack(fmt, s [, start]) -> values..., next position,
// struct.size(fmt) -> bytes. The format options are in struct-format.ts.
//
// The argument checks and their errors follow the C library's order, texts and argument numbers:
// pack names the argument after a string that is too short, and reports a missing argument as
// "got nil" (the C library keeps a nil above its arguments while it builds the string, so the
// first argument beyond them is that nil; the nil is pushed here too).

import type { LuaBinding } from '../lua-api.js';
import {
  argError,
  checkBytes,
  checkNumber,
  checkStack,
  checkString,
  luaError,
  openLibrary,
  optNumber,
  type LibraryFunctions,
} from './c-library.js';
import {
  FormatReader,
  OPT,
  applyControl,
  defaultHeader,
  integerBytes,
  integerFromBytes,
  isAlnum,
  isIntegerOption,
  isSignedOption,
  optionSize,
  paddingFor,
  toInt64,
  toUint64,
} from './struct-format.js';

const KEPT_OUTPUT = 64 * 1024;

/** A growing byte string. */
class Output {
  buf = Buffer.alloc(256);
  length = 0;

  reset(): void {
    this.length = 0;
    if (this.buf.length > KEPT_OUTPUT) this.buf = Buffer.alloc(KEPT_OUTPUT);
  }

  /** Room for `n` more bytes; returns where they go. */
  reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  zeros(n: number): void {
    const at = this.reserve(n);
    this.buf.fill(0, at, at + n);
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

// One output serves every pack; a pack that starts while another builds its string (Lua code
// run by a collection step inside the first, through a finalizer) gets its own.
const shared = new Output();
let sharedInUse = false;

function pack(b: LuaBinding, L: number): number {
  const fmt = checkBytes(b, L, 1);
  if (sharedInUse) return packInto(b, L, fmt, new Output());
  sharedInUse = true;
  try {
    shared.reset();
    return packInto(b, L, fmt, shared);
  } finally {
    sharedInUse = false;
  }
}

function packInto(b: LuaBinding, L: number, fmt: Buffer, out: Output): number {
  const r = new FormatReader(fmt);
  const h = defaultHeader();
  let arg = 2;
  b.pushNil(L);
  while (!r.done()) {
    const opt = r.next();
    const size = optionSize(b, L, r, opt);
    out.zeros(paddingFor(out.length, h, opt, size));
    if (isIntegerOption(opt)) {
      const x = checkNumber(b, L, arg++);
      const at = out.reserve(size); // may replace out.buf: read it after
      integerBytes(x, size, h.little, out.buf, at);
    } else if (opt === OPT.x) {
      out.zeros(1);
    } else if (opt === OPT.f) {
      const x = checkNumber(b, L, arg++);
      const at = out.reserve(4);
      if (h.little) out.buf.writeFloatLE(x, at);
      else out.buf.writeFloatBE(x, at);
    } else if (opt === OPT.d) {
      const x = checkNumber(b, L, arg++);
      const at = out.reserve(8);
      if (h.little) out.buf.writeDoubleLE(x, at);
      else out.buf.writeDoubleBE(x, at);
    } else if (opt === OPT.c || opt === OPT.s) {
      const s = checkBytes(b, L, arg++);
      const n = size === 0 ? s.length : size;
      if (s.length < n) argError(b, L, arg, 'string too short');
      out.bytes(s.subarray(0, n));
      if (opt === OPT.s) out.zeros(1);
    } else {
      applyControl(b, L, r, opt, h);
    }
  }
  b.pushBytes(L, out.result());
  return 1;
}

function unpack(b: LuaBinding, L: number): number {
  const r = new FormatReader(checkBytes(b, L, 1));
  // The data is read where Lua keeps it (unpacking a few fields of a long string copies nothing).
  const { ptr, len: ld } = checkString(b, L, 2);
  let view: Buffer = Buffer.alloc(0);
  const data = (): Buffer => {
    const mem = b.m.HEAPU8;
    if (view.buffer !== mem.buffer || view.length !== ld) view = Buffer.from(mem.buffer, mem.byteOffset + ptr, ld);
    return view;
  };
  const start = toInt64(optNumber(b, L, 3, 1));
  if (start === 0) argError(b, L, 3, 'offset must be 1 or greater');
  // The position is a size_t: a negative start is a huge one, and so beyond the data like a
  // start past its end: either fails at the first option.
  let pos = start > 0 && start - 1 <= ld ? start - 1 : -1;
  const h = defaultHeader();
  let results = 0;
  let read = false;
  while (!r.done()) {
    read = true;
    const opt = r.next();
    let size = optionSize(b, L, r, opt);
    if (pos < 0) argError(b, L, 2, 'data string too short');
    pos += paddingFor(pos, h, opt, size);
    if (pos > ld || size > ld - pos) argError(b, L, 2, 'data string too short');
    checkStack(b, L, 2, 'too many results');
    if (isIntegerOption(opt)) {
      b.pushNumber(L, integerFromBytes(data(), pos, size, h.little, isSignedOption(opt)));
      results++;
    } else if (opt === OPT.x) {
      // padding: nothing to return
    } else if (opt === OPT.f) {
      b.pushNumber(L, h.little ? data().readFloatLE(pos) : data().readFloatBE(pos));
      results++;
    } else if (opt === OPT.d) {
      b.pushNumber(L, h.little ? data().readDoubleLE(pos) : data().readDoubleBE(pos));
      results++;
    } else if (opt === OPT.c) {
      if (size === 0) {
        size = previousSize(b, L, results, ld - pos);
        results--;
      }
      b.fn('lua_pushlstring')(L, ptr + pos, size);
      results++;
    } else if (opt === OPT.s) {
      const end = data().indexOf(0, pos);
      if (end < 0) luaError(b, L, 'unfinished string in data');
      b.fn('lua_pushlstring')(L, ptr + pos, end - pos);
      results++;
      size = end - pos + 1;
    } else {
      applyControl(b, L, r, opt, h);
    }
    pos += size;
  }
  // The next position, a lua_Integer (64 bits) in Redis: the start itself when nothing was read.
  b.pushNumber(L, read ? pos + 1 : start);
  return results + 1;
}

/** c0 in unpack: the length is the previous result (popped), which must be a number. */
function previousSize(b: LuaBinding, L: number, results: number, left: number): number {
  if (results === 0 || b.fn('lua_isnumber')(L, -1) === 0) luaError(b, L, "format 'c0' needs a previous size");
  const size = toUint64(b.toNumber(L, -1));
  b.pop(L);
  if (size > BigInt(left)) argError(b, L, 2, 'data string too short');
  return Number(size);
}

function size(b: LuaBinding, L: number): number {
  const r = new FormatReader(checkBytes(b, L, 1));
  const h = defaultHeader();
  let pos = 0;
  while (!r.done()) {
    const opt = r.next();
    const n = optionSize(b, L, r, opt);
    pos += paddingFor(pos, h, opt, n);
    if (opt === OPT.s) argError(b, L, 1, "option 's' has no fixed size");
    if (opt === OPT.c && n === 0) argError(b, L, 1, "option 'c0' has no fixed size");
    // Letters and digits that are no option count as nothing here (pack and unpack reject them).
    if (!isAlnum(opt)) applyControl(b, L, r, opt, h);
    pos += n;
  }
  b.pushNumber(L, pos);
  return 1;
}

const FUNCTIONS: LibraryFunctions = { pack, unpack, size };

/** Leaves the global table `struct`. */
export function openStruct(b: LuaBinding, L: number): void {
  openLibrary(b, L, 'struct', FUNCTIONS);
}
