// Unit tests of the RESP request parser (lib/resp/parser.ts) against redis-server 7.0's rules
// (networking.c processInlineBuffer / processMultibulkBuffer, sds.c sdssplitargs, util.c
// string2ll). The socket-level twin of these tests, comparing with a real redis-server, is
// test/protocol.test.ts.
import t from 'tap';
import fc from 'fast-check';
import { RespParser, splitInline, parseLL, defaultLimits, type ParserLimits } from '../../lib/resp/parser.js';
import { encodeCommand } from '../support/resp-client.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const S = (b: Buffer): string => b.toString('latin1');

interface Outcome {
  cmds: string[][];
  errors: string[];
  queryLimit: number | null;
}

/** A parser whose output is collected; `feed` takes latin1 strings or buffers. */
function collector(limits?: Partial<ParserLimits>) {
  const out: Outcome = { cmds: [], errors: [], queryLimit: null };
  const raw: Buffer[][] = [];
  const p = new RespParser(
    {
      onCommand: (args) => {
        // copies: the parser may hand out views of buffers it no longer needs
        raw.push(args.map((a) => Buffer.from(a)));
        out.cmds.push(args.map(S));
      },
      onProtocolError: (msg) => out.errors.push(msg),
      onQueryLimit: (size) => (out.queryLimit = size),
    },
    { ...defaultLimits(), ...limits },
  );
  return {
    p,
    out,
    raw,
    feed(...chunks: (string | Buffer)[]) {
      for (const c of chunks) p.feed(typeof c === 'string' ? B(c) : c);
      return out;
    },
  };
}

function parseAll(input: string | Buffer, limits?: Partial<ParserLimits>): Outcome {
  return collector(limits).feed(input);
}

function parseBytewise(input: string | Buffer): Outcome {
  const c = collector();
  const b = typeof input === 'string' ? B(input) : input;
  for (let i = 0; i < b.length; i++) c.p.feed(b.subarray(i, i + 1));
  return c.out;
}

/** RESP multibulk encoding of a command (strings as latin1 bytes). */
const enc = (...args: (string | Buffer)[]): Buffer => encodeCommand(args.map((a) => (typeof a === 'string' ? B(a) : a)));

const PROTO = 'ERR Protocol error: ';

// A pipeline exercising every construct: multibulk, inline (quoted), empty lines, *0, *-1,
// binary arguments with CR, LF and NUL, an empty argument, LF-only inline terminators.
const MIXED = Buffer.concat([
  enc('SET', 'key', 'value'),
  B('PING\r\n'),
  B('\r\n'),
  B('*0\r\n'),
  B('*-1\r\n'),
  enc('SET', B('bin\r\n\0key'), B('\0\r\n\r\n\xff')),
  B('ECHO "a\\x41\\n" \'b\\\'c\'\r\n'),
  B('\n'),
  enc(''),
  B('GET x\nGET y\n'),
  enc('ECHO', Buffer.alloc(40000, 0x61)),
  B('   \r\n'),
  enc('DEL', 'a', 'b', 'c'),
]);
const MIXED_CMDS = [
  ['SET', 'key', 'value'],
  ['PING'],
  ['SET', 'bin\r\n\0key', '\0\r\n\r\n\xff'],
  ['ECHO', 'aA\n', "b'c"],
  [''],
  ['GET', 'x'],
  ['GET', 'y'],
  ['ECHO', 'a'.repeat(40000)],
  ['DEL', 'a', 'b', 'c'],
];

t.test('a mixed pipeline parses the same whole, byte by byte, and split at every boundary', async (t) => {
  const whole = parseAll(MIXED);
  t.same(whole.cmds, MIXED_CMDS);
  t.same(whole.errors, []);
  const bytewise = parseBytewise(MIXED);
  t.same(bytewise.cmds, MIXED_CMDS, 'one byte at a time');
  t.same(bytewise.errors, []);
  // every two-piece split (the 40 KB argument makes some of them take the big-bulk path)
  let bad = 0;
  for (let i = 1; i < MIXED.length; i += i < 200 || i > MIXED.length - 200 ? 1 : 97) {
    const o = collector().feed(MIXED.subarray(0, i), MIXED.subarray(i));
    if (JSON.stringify(o.cmds) !== JSON.stringify(MIXED_CMDS) || o.errors.length) {
      bad++;
      if (bad < 3) t.fail(`split at ${i}: ${JSON.stringify(o).slice(0, 300)}`);
    }
  }
  t.equal(bad, 0, 'all two-piece splits agree');
});

t.test('multibulk counts: empty requests, limits and string2ll', async (t) => {
  t.same(parseAll('*0\r\n*-1\r\n*-9223372036854775808\r\nPING\r\n').cmds, [['PING']], '*0, *-1 and *LLONG_MIN are empty requests');
  for (const bad of ['*-0', '*01', '*+1', '*1x', '*', '* 1', '*2147483648', '*-9223372036854775809', '*9223372036854775808', '*-92233720368547758080', '*1.0']) {
    const o = parseAll(`PING\r\n${bad}\r\nPING\r\n`);
    t.same(o.cmds, [['PING']], `${bad}: commands before the error run, none after`);
    t.same(o.errors, [PROTO + 'invalid multibulk length'], `${bad} -> invalid multibulk length`);
  }
  const huge = parseAll('*2147483647\r\n$4\r\nPING\r\n');
  t.same(huge, { cmds: [], errors: [], queryLimit: null }, '*INT_MAX is accepted and waits for its arguments');
  // A header is complete once '\r' and one more byte arrived (that byte is not checked).
  t.same(parseAll('*1\r').cmds, [], 'waits for the byte after CR');
  t.same(parseAll('*1\rX$4\r\nPING\r\n').cmds, [['PING']], 'the byte after CR is not checked');
});

t.test('bulk lengths', async (t) => {
  for (const bad of ['$-1', '$abc', '$-0', '$01', '$', '$+4', '$4 ', '$536870913', '$9223372036854775808']) {
    const o = parseAll(`*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n${bad}\r\nabcd\r\nPING\r\n`);
    t.same(o.cmds, [['PING']], bad);
    t.same(o.errors, [PROTO + 'invalid bulk length'], `${bad} -> invalid bulk length`);
  }
  t.same(parseAll('*1\r\n$536870912\r\nab').errors, [], 'proto-max-bulk-len itself is accepted');
  t.same(parseAll('*1\r\n$11\r\n', { maxBulkLen: 10 }).errors, [PROTO + 'invalid bulk length'], 'proto-max-bulk-len is the parser limit');
  t.same(parseAll('*1\r\n$10\r\n0123456789\r\n', { maxBulkLen: 10 }).cmds, [['0123456789']]);
  t.same(parseAll('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n').cmds, [['ECHO', '']], 'empty bulk');
  // the two bytes after a bulk are skipped unchecked, but must have arrived
  t.same(parseAll('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n').cmds, [['PING'], ['PING']]);
  t.same(parseAll('*1\r\n$4\r\nPING\r').cmds, [], 'waits for both bytes after the bulk');
});

t.test("expected '$'", async (t) => {
  t.same(parseAll('*1\r\nx\r\n').errors, [PROTO + "expected '$', got 'x'"]);
  t.same(parseAll('*2\r\n$4\r\nECHO\r\n:1\r\n').errors, [PROTO + "expected '$', got ':'"]);
  // Redis maps CR/LF in error texts to spaces, so the error line stays one line
  t.same(parseAll('*1\r\n\r\n').errors, [PROTO + "expected '$', got ' '"]);
  t.same(parseAll('*1\r\n\nx\r\n').errors, [PROTO + "expected '$', got ' '"]);
  t.same(parseAll('*1\r\n\xffx\r\n').errors, [PROTO + "expected '$', got '\xff'"], 'a high byte is passed through (latin1)');
});

t.test('too big headers and inline requests (64 KB without a terminator)', async (t) => {
  const K64 = 64 * 1024;
  t.same(parseAll('PING' + 'x'.repeat(K64 - 4)).errors, [], 'exactly 64 KB: still waiting');
  t.same(parseAll('PING' + 'x'.repeat(K64 - 3)).errors, [PROTO + 'too big inline request']);
  t.same(parseAll('*1' + '1'.repeat(K64)).errors, [PROTO + 'too big mbulk count string']);
  t.same(parseAll('*1\r\n$' + '1'.repeat(K64)).errors, [PROTO + 'too big bulk count string']);
  // arriving piecewise: the error comes when the pending bytes pass 64 KB
  const c = collector();
  c.feed('*1\r\n$1');
  for (let i = 0; i < 64; i++) c.feed('1'.repeat(1024));
  t.same(c.out.errors, [PROTO + 'too big bulk count string']);
  // a long line that does end is a command (its arguments are not limited)
  t.same(parseAll('ECHO ' + 'y'.repeat(50000) + '\r\n').cmds, [['ECHO', 'y'.repeat(50000)]]);
  t.same(parseAll('*1\r\n$' + '1'.repeat(K64 + 10) + '\r\n').errors, [PROTO + 'invalid bulk length'], 'a CR found: the length is judged');
});

t.test('NUL before a header terminator: Redis (strchr) does not see the terminator', async (t) => {
  const K64 = 64 * 1024;
  t.same(parseAll('PING\0\r\nPING\r\n'), { cmds: [], errors: [], queryLimit: null }, 'inline with NUL waits');
  t.same(parseAll('PING\0' + 'x'.repeat(K64) + '\r\n').errors, [PROTO + 'too big inline request'], '... until 64 KB');
  t.same(parseAll('*1\0\r\n$4\r\nPING\r\n').errors, [], 'multibulk count with NUL waits');
  t.same(parseAll('*1\r\n$4\0\r\nPING\r\n').errors, [], 'bulk length with NUL waits');
  t.same(parseAll('*1\r\nx\0\r\n').errors, [], "no expected '$' error either");
  t.same(parseAll('*1\r\n\0\r\n').errors, []);
  t.same(parseAll('*1\r\n$4' + '\0'.repeat(K64) + '\r\n').errors, [PROTO + 'too big bulk count string']);
  t.same(parseAll('*1\0' + 'x'.repeat(K64) + '\r\n').errors, [PROTO + 'too big mbulk count string']);
  t.same(parseAll('*1\r\n$3\r\na\0b\r\n').cmds, [['a\0b']], 'NUL inside a bulk is data');
});

t.test('inline commands: Redis quoting (sdssplitargs)', async (t) => {
  const cases: [string, string[] | null][] = [
    ['SET a b', ['SET', 'a', 'b']],
    ['  ECHO \t x  ', ['ECHO', 'x']],
    ['ECHO "a\\x41\\n"', ['ECHO', 'aA\n']],
    ['ECHO "\\x41\\x4a\\x4A"', ['ECHO', 'AJJ']],
    ['ECHO "\\xzz"', ['ECHO', 'xzz']],
    ['ECHO "\\x4"', ['ECHO', 'x4']],
    ['ECHO "\\xff\\x00"', ['ECHO', '\xff\0']],
    ['ECHO "a\\""', ['ECHO', 'a"']],
    ['ECHO "\\a\\b\\t\\q\\r\\n\\\\"', ['ECHO', '\x07\b\tq\r\n\\']],
    ["ECHO 'a\\'b'", ['ECHO', "a'b"]],
    ["ECHO '\\x41\\n'", ['ECHO', '\\x41\\n']],
    ["ECHO 'a\"b'", ['ECHO', 'a"b']],
    ['ECHO "it\'s"', ['ECHO', "it's"]],
    ['ECHO abc"def ghi"', ['ECHO', 'abcdef ghi']],
    ['ECHO abc"def ghi" jkl', ['ECHO', 'abcdef ghi', 'jkl']],
    ['ECHO \x0babc\x0c', ['ECHO', 'abc\x0c']], // \v \f are blanks between arguments, not inside
    ['ECHO "a"\x0bb', ['ECHO', 'a', 'b']],
    ['ECHO x\ry', ['ECHO', 'x', 'y']],
    ['ECHO "x\ry"', ['ECHO', 'x\ry']],
    ['""', ['']],
    ['"" a', ['', 'a']],
    ["''", ['']],
    ['a\\b', ['a\\b']],
    ['"abc', null],
    ['"a"b', null],
    ["'a'b", null],
    ["'ab\\'", null],
    ['"abc\\', null],
    ['ECHO "', null],
    ['', []],
    ['   ', []],
  ];
  for (const [line, want] of cases) {
    const got = splitInline(B(line), 0, B(line).length);
    t.same(got === null ? null : got.map(S), want, JSON.stringify(line));
    const o = parseAll(line + '\r\n');
    if (want === null) t.same(o.errors, [PROTO + 'unbalanced quotes in request'], `${JSON.stringify(line)} over the parser`);
    else t.same(o.cmds, want.length ? [want] : [], `${JSON.stringify(line)} over the parser`);
  }
  t.same(parseAll('ECHO a\nECHO b\nECHO c\r\n').cmds, [['ECHO', 'a'], ['ECHO', 'b'], ['ECHO', 'c']], 'LF alone ends a line');
  t.same(parseAll('\r\n\r\n\n\n').cmds, [], 'empty lines are no commands');
  t.same(parseAll('ECHO x\r\r\n').cmds, [['ECHO', 'x']], 'only one CR is stripped; the other is a blank');
  t.same(parseAll('SET a\r\n*1\r\n$4\r\nPING\r\n"unbal\r\nPING\r\n'), {
    cmds: [['SET', 'a'], ['PING']],
    errors: [PROTO + 'unbalanced quotes in request'],
    queryLimit: null,
  });
});

t.test('a 10 MB bulk split in random chunks arrives intact', async (t) => {
  const value = Buffer.allocUnsafe(10 * 1024 * 1024);
  for (let i = 0; i < value.length; i++) value[i] = (i * 2654435761) >>> 24;
  const input = Buffer.concat([enc('SET', 'big', value), enc('GET', 'big'), enc('ECHO', B('\r\n\0'))]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 3 * 1024 * 1024 }), { minLength: 1, maxLength: 40 }), (cuts) => {
      const c = collector();
      let pos = 0;
      for (const n of cuts) {
        if (pos >= input.length) break;
        c.p.feed(input.subarray(pos, pos + n));
        pos += n;
      }
      if (pos < input.length) c.p.feed(input.subarray(pos));
      return (
        c.raw.length === 3 &&
        c.raw[0].length === 3 &&
        c.raw[0][2].equals(value) &&
        S(c.raw[1][0]) === 'GET' &&
        S(c.raw[2][1]) === '\r\n\0' &&
        c.out.errors.length === 0
      );
    }),
    { numRuns: 15 },
  );
  // one byte at a time through the big-bulk path, too (smaller value: 200 KB)
  const v2 = value.subarray(0, 200 * 1024);
  const o = collector();
  const in2 = enc('SET', 'k', v2);
  for (let i = 0; i < in2.length; i++) o.p.feed(in2.subarray(i, i + 1));
  t.ok(o.raw.length === 1 && o.raw[0][2].equals(v2), '200 KB bulk fed byte by byte');
});

t.test('a big bulk is taken only once the two bytes after it arrived', async (t) => {
  const c = collector();
  c.feed('*2\r\n$4\r\nECHO\r\n$40000\r\n', Buffer.alloc(40000, 0x7a));
  t.same(c.out.cmds, [], 'no command without the trailing CRLF');
  c.feed('\r');
  t.same(c.out.cmds, []);
  c.feed('\nPING\r\n');
  t.same(c.out.cmds.map((a) => a.map((s) => s.slice(0, 3))), [['ECH', 'zzz'], ['PIN']]);
});

t.test('binary arguments are exact and arguments are the bytes sent', async (t) => {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const c = collector();
  c.feed(enc('SET', all, B('\r\n'), B('\0'), B('')));
  t.equal(c.raw.length, 1);
  t.ok(c.raw[0][1].equals(all), 'all 256 byte values');
  t.same(c.out.cmds[0].slice(2), ['\r\n', '\0', '']);
});

t.test('pause, resume and stop', async (t) => {
  const cmds: string[][] = [];
  const p = new RespParser({
    onCommand: (args) => {
      cmds.push(args.map(S));
      if (cmds.length === 2) p.pause();
    },
    onProtocolError: () => t.fail('no error expected'),
  });
  p.feed(B('PING\r\n*1\r\n$4\r\nPING\r\nECHO a\r\n*2\r\n$4\r\nEC'));
  t.same(cmds, [['PING'], ['PING']], 'paused after the second command');
  t.ok(p.paused);
  p.feed(B('HO\r\n$1\r\nb\r\n'));
  t.equal(cmds.length, 2, 'input fed while paused is held');
  t.ok(p.buffered() > 0);
  p.resume();
  t.same(cmds, [['PING'], ['PING'], ['ECHO', 'a'], ['ECHO', 'b']], 'resume parses the held input in order');
  p.stop();
  p.feed(B('PING\r\n'));
  t.equal(cmds.length, 4, 'nothing after stop()');
  t.ok(p.stopped);

  // a sink that stops the parser (QUIT) drops the rest of the chunk
  const seen: string[] = [];
  const q: RespParser = new RespParser({
    onCommand: (args) => {
      seen.push(S(args[0]));
      if (S(args[0]) === 'QUIT') q.stop();
    },
    onProtocolError: () => {},
  });
  q.feed(B('SET a 1\r\nQUIT\r\nSET b 2\r\n'));
  t.same(seen, ['SET', 'QUIT']);
});

t.test('after a protocol error nothing more is parsed', async (t) => {
  const c = collector();
  c.feed('PING\r\n*x\r\nPING\r\n');
  c.feed('PING\r\n');
  t.same(c.out.cmds, [['PING']]);
  t.same(c.out.errors, [PROTO + 'invalid multibulk length']);
  t.ok(c.p.stopped);
});

t.test('client-query-buffer-limit: what the command being received holds', async (t) => {
  const MB = 1024 * 1024;
  // a never-ending bulk
  let c = collector({ maxQueryBuf: MB });
  c.feed('*2\r\n$4\r\nECHO\r\n$10000000\r\n');
  for (let i = 0; i < 20 && c.out.queryLimit === null; i++) c.feed(Buffer.alloc(64 * 1024));
  t.ok(c.out.queryLimit !== null && c.out.queryLimit > MB, 'limit hit once more than 1 MB is held');
  t.ok(c.p.stopped, 'parser stopped');
  t.same(c.out.errors, [], 'no protocol error (the client is dropped silently)');
  // a bulk just under the limit passes
  c = collector({ maxQueryBuf: MB });
  const v = enc('SET', 'k', Buffer.alloc(MB - 1000));
  for (let i = 0; i < v.length; i += 64 * 1024) c.feed(v.subarray(i, i + 64 * 1024));
  t.equal(c.out.queryLimit, null);
  t.equal(c.raw.length, 1);
  // a value over the limit fails even when its last byte completes it
  c = collector({ maxQueryBuf: MB });
  c.feed(enc('SET', 'k', Buffer.alloc(MB + 10)));
  t.ok(c.out.queryLimit !== null, 'one chunk holding more than the limit');
  t.same(c.out.cmds, [], 'nothing of that chunk runs');
  // a pipeline of small commands far larger than the limit, in socket-sized chunks, is fine
  c = collector({ maxQueryBuf: MB });
  const pipe = Buffer.concat(Array.from({ length: 50000 }, (_, i) => enc('SET', `k${i}`, 'v'.repeat(60))));
  for (let i = 0; i < pipe.length; i += 64 * 1024) c.feed(pipe.subarray(i, i + 64 * 1024));
  t.equal(c.out.queryLimit, null, `${(pipe.length / MB).toFixed(1)} MB pipeline`);
  t.equal(c.raw.length, 50000);
  // a command of 20k small arguments (460 KB) arriving in pieces is judged by its bytes
  c = collector({ maxQueryBuf: MB });
  const mset = enc('MSET', ...Array.from({ length: 20000 }, (_, i) => `key:${i}:${'v'.repeat(i % 10)}`));
  for (let i = 0; i < mset.length; i += 16 * 1024) c.feed(mset.subarray(i, i + 16 * 1024));
  t.equal(c.out.queryLimit, null, 'MSET of 20k arguments in 16 KB pieces');
  t.equal(c.raw.length === 1 && c.raw[0].length, 20001);
  // many tiny arguments of one endless command are charged too (not only their bytes)
  c = collector({ maxQueryBuf: MB });
  c.feed('*2147483647\r\n');
  const tiny = B('$0\r\n\r\n'.repeat(10000));
  let fed = 0;
  for (; fed < 100 && c.out.queryLimit === null; fed++) c.feed(tiny);
  t.ok(c.out.queryLimit !== null, `endless empty arguments reach the limit (after ${fed * 10000} arguments)`);
});

t.test('parseLL follows string2ll', async (t) => {
  const LLMAX = 9223372036854775807n;
  const LLMIN = -9223372036854775808n;
  // reference written from the rules: canonical decimal, in the signed 64-bit range, < 21 chars
  const ref = (s: string): bigint | null => {
    if (s.length === 0 || s.length >= 21 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
    const v = BigInt(s);
    return v > LLMAX || v < LLMIN ? null : v;
  };
  // valid/invalid exactly; the value exactly where a double holds it
  const agree = (got: number | null, want: bigint | null): boolean =>
    want === null ? got === null : got !== null && (want > 2n ** 53n || want < -(2n ** 53n) ? Math.sign(got) === Math.sign(Number(want)) : got === Number(want));
  for (const s of ['0', '-0', '00', '01', '1', '-1', '+1', ' 1', '1 ', '', '-', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '18446744073709551615', '99999999999999999999', '-99999999999999999999', '12a']) {
    const got = parseLL(B(s), 0, s.length);
    t.ok(agree(got, ref(s)), `${JSON.stringify(s)} -> ${got}`);
  }
  fc.assert(
    fc.property(
      fc.oneof(
        fc.stringMatching(/^-?[0-9]{0,21}$/),
        fc.bigInt({ min: LLMIN - 10n, max: LLMAX + 10n }).map(String),
        fc.string({ unit: fc.constantFrom(...'0123456789-+ x'.split('')), maxLength: 22 }),
      ),
      (s) => {
        return agree(parseLL(B(s), 0, s.length), ref(s));
      },
    ),
    { numRuns: 3000 },
  );
});

// ---------------------------------------------------------------------------------------------
// Property: any sequence of commands, encoded as RESP (multibulk, or inline with quoting when it
// can carry the arguments), with empty requests between them, cut into random chunks, parses to
// the same commands.
// ---------------------------------------------------------------------------------------------

/** Inline encoding with double quotes and \xHH for everything not plainly printable. */
function inlineQuoted(args: Buffer[]): Buffer {
  const parts = args.map((a) => {
    let s = '"';
    for (const c of a) {
      if (c === 34 || c === 92) s += '\\' + String.fromCharCode(c);
      else if (c >= 32 && c < 127) s += String.fromCharCode(c);
      else s += '\\x' + c.toString(16).padStart(2, '0');
    }
    return s + '"';
  });
  return B(parts.join(' ') + '\r\n');
}

const argArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...['\r\n', '\0', '*1\r\n', '$3\r\n', '"', "'", ' '].map((s) => new Uint8Array(B(s)))) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 32000, maxLength: 40000 }) },
);
const cmdArb = fc.record({
  args: fc.array(argArb.map((a) => Buffer.from(a)), { minLength: 1, maxLength: 6 }),
  form: fc.constantFrom('multibulk', 'multibulk', 'inline'),
  gap: fc.constantFrom('', '', '', '*0\r\n', '*-1\r\n', '\r\n', '\n'),
});

t.test('property: commands encoded and cut into random chunks parse back', async (t) => {
  fc.assert(
    fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 70000 }), { maxLength: 30 }), fc.boolean(), (cmds, cuts, tiny) => {
      const parts: Buffer[] = [];
      const want: Buffer[][] = [];
      for (const c of cmds) {
        // inline can carry any bytes when quoted, but a line is limited to 64 KB
        const inline = c.form === 'inline' && c.args.reduce((n, a) => n + a.length * 4 + 3, 0) < 60000;
        parts.push(B(c.gap), inline ? inlineQuoted(c.args) : enc(...c.args));
        want.push(c.args);
      }
      const input = Buffer.concat(parts);
      const col = collector();
      let pos = 0;
      for (const n of cuts) {
        if (pos >= input.length) break;
        const m = tiny ? Math.max(1, n % 7) : n;
        col.p.feed(input.subarray(pos, pos + m));
        pos += m;
      }
      if (pos < input.length) col.p.feed(input.subarray(pos));
      if (col.out.errors.length) throw new Error('unexpected error ' + col.out.errors[0]);
      if (col.raw.length !== want.length) throw new Error(`got ${col.raw.length} commands, want ${want.length}`);
      for (let i = 0; i < want.length; i++) {
        if (col.raw[i].length !== want[i].length || !col.raw[i].every((a, j) => a.equals(want[i][j]))) {
          throw new Error(`command ${i} differs`);
        }
      }
      if (col.p.inCommand()) throw new Error('parser still inside a command');
    }),
    { numRuns: 200 },
  );
});

t.test('property: quoted inline arguments round-trip through splitInline', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 8 }), (arrs) => {
      const args = arrs.map((a) => Buffer.from(a));
      const line = inlineQuoted(args);
      const got = splitInline(line, 0, line.length - 2);
      return got !== null && got.length === args.length && got.every((g, i) => g.equals(args[i]));
    }),
    { numRuns: 1000 },
  );
});
