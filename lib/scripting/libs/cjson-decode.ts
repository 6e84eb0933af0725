// cjson.decode: JSON text to Lua values, as lua-cjson 2.1.0 in Redis reads it. The text is a C
// string to the library: a NUL byte ends it. Numbers are whatever strtod converts (so hex,
// "inf", "nan" and leading zeros are accepted unless decode_invalid_numbers is off), strings
// may hold raw control bytes, \u escapes become UTF-8 (surrogate pairs joined), and errors name
// what was expected, the token found and its 1-based position.

import type { LuaBinding } from '../lua-api.js';
import { rawApi, type RawApi } from './raw-api.js';
import { Field, type Config } from './cjson-config.js';
import { strtod } from './strtod.js';
import { luaError } from './lua-errors.js';

const enum Tok {
  ArrBegin,
  ArrEnd,
  ObjBegin,
  ObjEnd,
  String,
  Number,
  Boolean,
  Null,
  Colon,
  Comma,
  End,
  Error,
}

const TOKEN_NAMES = ['T_ARR_BEGIN', 'T_ARR_END', 'T_OBJ_BEGIN', 'T_OBJ_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END'];

function matches(s: Uint8Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (s[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

function hex4(s: Uint8Array, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let v = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s[i]!;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

export class JsonDecoder {
  private src = new Uint8Array(0);
  /** Where the text lives in the Lua state's memory (the argument string, anchored on the stack). */
  private srcPtr = 0;
  private end = 0;
  private pos = 0;
  private L = 0;
  private cfg!: Config;
  private readonly lenPtr: number;
  private tmp = new Uint8Array(256);

  // The current token
  private tok: Tok = Tok.End;
  private tokIndex = 0;
  private tokError = '';
  private tokNumber = 0;
  private tokBool = false;
  private tokStrStart = 0;
  private tokStrLen = 0;
  /** The string token's bytes are in tmp (it had escapes) rather than in the source. */
  private tokStrInTmp = false;

  private readonly api: RawApi;

  constructor(private readonly b: LuaBinding) {
    this.api = rawApi(b);
    this.lenPtr = b.m._malloc(4);
  }

  /** Decodes the string argument at stack index 1 and pushes the value. */
  decode(L: number, cfg: Config): void {
    const b = this.b;
    this.L = L;
    this.cfg = cfg;
    const p = b.fn('luaL_checklstring')(L, 1, this.lenPtr);
    const n = b.m.HEAPU32[this.lenPtr >> 2]!;
    // A copy: building tables may grow the module's memory, which detaches views of it.
    let text = b.m.HEAPU8.subarray(p, p + n);
    const nul = text.indexOf(0);
    if (nul >= 0) text = text.subarray(0, nul);
    this.src = text.slice();
    if (n >= 2 && this.src.length < 2) {
      luaError(b, L, 'JSON parser does not support UTF-16 or UTF-32');
    }
    this.srcPtr = p;
    this.end = this.src.length;
    this.pos = 0;
    this.next();
    this.run();
    this.next();
    if (this.tok !== Tok.End) this.unexpected('the end');
    this.src = new Uint8Array(0);
  }

  private unexpected(expected: string): never {
    const found = this.tok === Tok.Error ? this.tokError : TOKEN_NAMES[this.tok]!;
    return luaError(this.b, this.L, `Expected ${expected} but found ${found} at character ${this.tokIndex + 1}`);
  }

  private tokenError(at: number, msg: string): void {
    this.tok = Tok.Error;
    this.tokIndex = at;
    this.tokError = msg;
  }

  /** A number that strict JSON rejects: a "+" sign, hex, a leading zero, inf or nan. */
  private isInvalidNumber(): boolean {
    const s = this.src;
    let i = this.pos;
    if (s[i] === 0x2b) return true;
    if (s[i] === 0x2d) i++;
    const c = i < this.end ? s[i]! : 0;
    if (c === 0x30) {
      const c2 = i + 1 < this.end ? s[i + 1]! : 0;
      return (c2 | 0x20) === 0x78 || (c2 >= 48 && c2 <= 57);
    }
    if (c <= 0x39) return false;
    const word = (j: number, w: string) => {
      for (let k = 0; k < w.length; k++) if (j + k >= this.end || (s[j + k]! | 0x20) !== w.charCodeAt(k)) return false;
      return true;
    };
    return word(i, 'inf') || word(i, 'nan');
  }

  private numberToken(): void {
    const r = strtod(this.src, this.pos, this.end);
    if (r.end === this.pos) {
      this.tokenError(this.pos, 'invalid number');
      return;
    }
    this.tok = Tok.Number;
    this.tokNumber = r.value;
    this.pos = r.end;
  }

  private next(): void {
    const s = this.src;
    const end = this.end;
    let i = this.pos;
    while (i < end) {
      const c = s[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
    this.pos = i;
    this.tokIndex = i;
    if (i >= end) {
      this.tok = Tok.End;
      return;
    }
    const c = s[i]!;
    switch (c) {
      case 0x5b: this.tok = Tok.ArrBegin; this.pos++; return;
      case 0x5d: this.tok = Tok.ArrEnd; this.pos++; return;
      case 0x7b: this.tok = Tok.ObjBegin; this.pos++; return;
      case 0x7d: this.tok = Tok.ObjEnd; this.pos++; return;
      case 0x3a: this.tok = Tok.Colon; this.pos++; return;
      case 0x2c: this.tok = Tok.Comma; this.pos++; return;
      case 0x22: this.stringToken(); return;
    }
    const invalidAllowed = this.cfg.get(Field.DecodeInvalidNumbers) !== 0;
    if (c === 0x2d || (c >= 48 && c <= 57)) {
      if (!invalidAllowed && this.isInvalidNumber()) this.tokenError(i, 'invalid number');
      else this.numberToken();
      return;
    }
    if (matches(s, i, 'true')) {
      this.tok = Tok.Boolean;
      this.tokBool = true;
      this.pos += 4;
      return;
    }
    if (matches(s, i, 'false')) {
      this.tok = Tok.Boolean;
      this.tokBool = false;
      this.pos += 5;
      return;
    }
    if (matches(s, i, 'null')) {
      this.tok = Tok.Null;
      this.pos += 4;
      return;
    }
    if (invalidAllowed && this.isInvalidNumber()) {
      this.numberToken();
      return;
    }
    this.tokenError(i, 'invalid token');
  }

  private tmpReserve(n: number, used: number): void {
    if (used + n <= this.tmp.length) return;
    const next = new Uint8Array(Math.max(this.tmp.length * 2, used + n));
    next.set(this.tmp.subarray(0, used));
    this.tmp = next;
  }

  private stringToken(): void {
    const s = this.src;
    const end = this.end;
    const start = this.pos + 1;
    let i = start;
    // The common case: no escapes, the bytes are pushed straight from the source.
    while (i < end && s[i] !== 0x22 && s[i] !== 0x5c) i++;
    if (i >= end) {
      this.tokenError(i, 'unexpected end of string');
      return;
    }
    if (s[i] === 0x22) {
      this.tok = Tok.String;
      this.tokStrInTmp = false;
      this.tokStrStart = start;
      this.tokStrLen = i - start;
      this.pos = i + 1;
      return;
    }
    let n = i - start;
    this.tmpReserve(n, 0);
    this.tmp.set(s.subarray(start, i), 0);
    while (true) {
      if (i >= end) {
        this.tokenError(i, 'unexpected end of string');
        return;
      }
      const c = s[i]!;
      if (c === 0x22) break;
      if (c !== 0x5c) {
        this.tmpReserve(1, n);
        this.tmp[n++] = c;
        i++;
        continue;
      }
      const esc = i + 1 < end ? s[i + 1]! : 0;
      let out = -1;
      switch (esc) {
        case 0x22: out = 0x22; break;
        case 0x5c: out = 0x5c; break;
        case 0x2f: out = 0x2f; break;
        case 0x62: out = 0x08; break;
        case 0x66: out = 0x0c; break;
        case 0x6e: out = 0x0a; break;
        case 0x72: out = 0x0d; break;
        case 0x74: out = 0x09; break;
        case 0x75: {
          const used = this.unicodeEscape(i, n);
          if (used < 0) {
            this.tokenError(i, 'invalid unicode escape code');
            return;
          }
          n = used;
          i += this.lastEscapeLength;
          continue;
        }
        default:
          this.tokenError(i, 'invalid escape code');
          return;
      }
      this.tmpReserve(1, n);
      this.tmp[n++] = out;
      i += 2;
    }
    this.tok = Tok.String;
    this.tokStrInTmp = true;
    this.tokStrStart = 0;
    this.tokStrLen = n;
    this.pos = i + 1;
  }

  private lastEscapeLength = 0;

  /** Writes the UTF-8 of the \u escape at i into tmp at n; the new length, or -1 when invalid. */
  private unicodeEscape(i: number, n: number): number {
    const s = this.src;
    let cp = hex4(s, i + 2, this.end);
    if (cp < 0) return -1;
    this.lastEscapeLength = 6;
    if (cp >= 0xdc00 && cp <= 0xdfff) return -1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (!(s[i + 6] === 0x5c && s[i + 7] === 0x75)) return -1;
      const low = hex4(s, i + 8, this.end);
      if (low < 0xdc00 || low > 0xdfff) return -1;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      this.lastEscapeLength = 12;
    }
    this.tmpReserve(4, n);
    const t = this.tmp;
    if (cp < 0x80) {
      t[n++] = cp;
    } else if (cp < 0x800) {
      t[n++] = 0xc0 | (cp >> 6);
      t[n++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      t[n++] = 0xe0 | (cp >> 12);
      t[n++] = 0x80 | ((cp >> 6) & 0x3f);
      t[n++] = 0x80 | (cp & 0x3f);
    } else {
      t[n++] = 0xf0 | (cp >> 18);
      t[n++] = 0x80 | ((cp >> 12) & 0x3f);
      t[n++] = 0x80 | ((cp >> 6) & 0x3f);
      t[n++] = 0x80 | (cp & 0x3f);
    }
    return n;
  }

  private pushTokenString(): void {
    const b = this.b;
    if (this.tokStrInTmp) b.pushBytes(this.L, this.tmp.subarray(0, this.tokStrLen));
    else this.api.pushlstring(this.L, this.srcPtr + this.tokStrStart, this.tokStrLen);
  }

  /** The current token's type (a call, so the compiler does not narrow it across next()). */
  private current(): Tok {
    return this.tok;
  }

  private descend(depth: number): void {
    if (depth > this.cfg.get(Field.DecodeMaxDepth) || this.api.checkstack(this.L, 2) === 0) {
      luaError(this.b, this.L, `Found too many nested data structures (${depth}) at character ${this.tokIndex + 1}`);
    }
  }

  // The arrays and objects being read, innermost last: whether an object, and for an array the
  // index its next element gets. Nesting is walked by the loop in `run`, without recursion.
  private frameIsObject: boolean[] = [];
  private frameNext: number[] = [];
  private depth = 0;

  /**
   * Starts the value at the current token: a scalar is pushed (true returned); an array or
   * object is opened (its table pushed, false returned) unless it is empty, which is complete.
   */
  private start(): boolean {
    const L = this.L;
    switch (this.tok) {
      case Tok.String:
        this.pushTokenString();
        return true;
      case Tok.Number:
        this.api.pushnumber(L, this.tokNumber);
        return true;
      case Tok.Boolean:
        this.api.pushboolean(L, this.tokBool ? 1 : 0);
        return true;
      case Tok.Null:
        this.api.pushlightuserdata(L, 0);
        return true;
      case Tok.ObjBegin:
      case Tok.ArrBegin: {
        const isObject = this.tok === Tok.ObjBegin;
        this.descend(this.depth + 1);
        this.api.createtable(L, 0, 0);
        this.next();
        if (this.current() === (isObject ? Tok.ObjEnd : Tok.ArrEnd)) return true;
        const d = this.depth++;
        this.frameIsObject[d] = isObject;
        this.frameNext[d] = 1;
        if (isObject) this.key();
        return false;
      }
      default:
        return this.unexpected('value');
    }
  }

  /** Reads an object key and its colon; the current token is then the value's first. */
  private key(): void {
    if (this.current() !== Tok.String) this.unexpected('object key string');
    this.pushTokenString();
    this.next();
    if (this.current() !== Tok.Colon) this.unexpected('colon');
    this.next();
  }

  /** Reads the value at the current token, nested arrays and objects included, and pushes it. */
  private run(): void {
    const L = this.L;
    const rawset = this.api.rawset;
    const rawseti = this.api.rawseti;
    this.depth = 0;
    let complete = this.start();
    while (this.depth > 0) {
      if (!complete) {
        complete = this.start();
        continue;
      }
      // A value is on top of its container (and, in an object, of its key): store it.
      const d = this.depth - 1;
      const isObject = this.frameIsObject[d]!;
      if (isObject) {
        rawset(L, -3);
      } else {
        const i = this.frameNext[d]!;
        rawseti(L, -2, i);
        this.frameNext[d] = i + 1;
      }
      this.next();
      if (this.current() === (isObject ? Tok.ObjEnd : Tok.ArrEnd)) {
        this.depth--; // the container is now a complete value
        continue;
      }
      if (this.current() !== Tok.Comma) this.unexpected(isObject ? 'comma or object end' : 'comma or array end');
      this.next();
      if (isObject) this.key();
      complete = false;
    }
  }
}
