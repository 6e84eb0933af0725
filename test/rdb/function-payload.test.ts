import t from 'tap';
import fc from 'fast-check';
import {
  FUNCTION_PAYLOAD_ERRORS,
  decodeFunctionPayload,
  encodeFunctionPayload,
  readFunctionPayload,
  verifyDumpFooter,
  withDumpFooter,
} from '../../lib/rdb/function-payload.js';
import { writeLength, writeString } from '../../lib/rdb/string.js';
import { startRedis } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const OK: Reply = { t: 'simple', v: 'OK' };

function pseudoRandomText(n: number, seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
  let s = '';
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    s += alphabet[seed >>> 26];
  }
  return s;
}

const LIBRARIES = {
  short: B("#!lua name=short\nredis.register_function('s1', function() return 1 end)"),
  // Long and repetitive: redis stores it LZF-compressed.
  repetitive: B(
    '#!lua name=repetitive\n' +
      Array.from({ length: 300 }, (_, i) => `redis.register_function('r${i}', function(keys, args) return redis.call('GET', keys[1]) end)\n`).join(''),
  ),
  // Between 64 and 16383 bytes, incompressible: a 14-bit length.
  medium: B(`#!lua name=medium\n-- ${pseudoRandomText(3000, 7)}\nredis.register_function('m1', function() return 2 end)`),
  // Over 16383 bytes, incompressible: a 32-bit length.
  big: B(`#!lua name=big\n-- ${pseudoRandomText(40000, 9)}\nredis.register_function('b1', function() return 3 end)`),
  // Bytes that are not text, in a comment and a string.
  binary: Buffer.concat([B('#!lua name=binary\n-- '), Buffer.from([0xff, 0xfe, 0x80, 0x01, 0x7f]), B("\nredis.register_function('x1', function() return '"), Buffer.from([0xc3, 0xa9, 0xf5]), B("' end)")]),
};

function bulkOf(r: Reply): Buffer {
  if (r.t !== 'bulk' || r.v === null) throw new Error(`expected a bulk reply, got ${JSON.stringify(r)}`);
  return r.v;
}

/** FUNCTION LIST WITHCODE as [name, code] pairs, sorted by name. */
function listedCodes(r: Reply): [string, Buffer][] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  const out: [string, Buffer][] = [];
  for (const lib of r.v) {
    if (lib.t !== 'array' || lib.v === null) throw new Error('expected a library array');
    const fields = new Map<string, Reply>();
    for (let i = 0; i + 1 < lib.v.length; i += 2) fields.set(bulkOf(lib.v[i]).toString('latin1'), lib.v[i + 1]);
    out.push([bulkOf(fields.get('library_name')!).toString('latin1'), bulkOf(fields.get('library_code')!)]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The library name from a code's shebang line, for sorting decoded codes like LIST's. */
function nameOf(code: Buffer): string {
  const m = /^#!\w+ name=(\S+)/.exec(code.toString('latin1'));
  return m ? m[1] : '';
}

function sortedByName(codes: Buffer[]): [string, Buffer][] {
  return codes.map((c): [string, Buffer] => [nameOf(c), c]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

t.test('FUNCTION DUMP / RESTORE payloads against redis-server', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());

  async function loadOnly(codes: Buffer[]): Promise<void> {
    t.same(await c.send('FUNCTION', 'FLUSH'), OK);
    for (const code of codes) t.equal(bulkOf(await c.send('FUNCTION', 'LOAD', code)).toString('latin1'), nameOf(code));
  }
  const dump = async () => bulkOf(await c.send('FUNCTION', 'DUMP'));
  const list = async () => listedCodes(await c.send('FUNCTION', 'LIST', 'WITHCODE'));

  const sets: [string, Buffer[]][] = [
    ['no libraries', []],
    ['one short library', [LIBRARIES.short]],
    ['one long library redis compresses', [LIBRARIES.repetitive]],
    ['three libraries, short and long', [LIBRARIES.short, LIBRARIES.repetitive, LIBRARIES.big]],
    ['all five', Object.values(LIBRARIES)],
  ];

  for (const [what, codes] of sets) {
    await t.test(what, async (t) => {
      await loadOnly(codes);
      const listed = await list();
      const theirs = await dump();
      const decoded = decodeFunctionPayload(theirs);
      if (typeof decoded === 'string') throw new Error(`redis's payload refused: ${decoded}`);
      t.same(sortedByName(decoded), listed, "redis's payload decodes to the codes FUNCTION LIST WITHCODE shows");
      if (codes.includes(LIBRARIES.repetitive)) {
        t.ok(theirs.includes(Buffer.from([0xf5, 0xc3])), 'redis LZF-compressed the long library');
      }

      // Ours into redis, compressed and not.
      for (const compress of [true, false]) {
        const ours = encodeFunctionPayload(decoded, { compress });
        t.same(await c.send('FUNCTION', 'FLUSH'), OK);
        t.same(await c.send('FUNCTION', 'RESTORE', ours), OK, `redis RESTOREs ours (compress ${compress})`);
        t.same(await list(), listed, 'to the same libraries');
      }
      if (!codes.includes(LIBRARIES.repetitive)) {
        t.same(encodeFunctionPayload(decoded), theirs, 'nothing compressible: the same bytes as redis');
      }

      // Without compression the payloads are equal byte for byte.
      t.same(await c.send('CONFIG', 'SET', 'rdbcompression', 'no'), OK);
      const plain = await dump();
      t.same(await c.send('CONFIG', 'SET', 'rdbcompression', 'yes'), OK);
      t.same(encodeFunctionPayload(decoded, { compress: false }), plain, 'rdbcompression no: the same bytes as redis');
    });
  }

  /**
   * The differential check for one payload. Redis creates each library as soon as it has read it,
   * so its reply is the first failing library's error (the same as FUNCTION LOAD of that code
   * gives), else the payload error we found, else OK with the libraries we decoded.
   */
  async function sameAsRedis(payload: Buffer, what: string): Promise<boolean> {
    t.same(await c.send('FUNCTION', 'FLUSH'), OK);
    const redisReply = await c.send('FUNCTION', 'RESTORE', payload);
    const redisLibraries = await list();
    const ours = readFunctionPayload(payload);
    t.same(await c.send('FUNCTION', 'FLUSH'), OK);
    let expected: Reply = ours.error === null ? OK : { t: 'error', v: ours.error };
    for (const code of ours.codes) {
      const r = await c.send('FUNCTION', 'LOAD', code);
      if (r.t === 'error') {
        expected = r;
        break;
      }
    }
    const replyEqual = JSON.stringify(redisReply) === JSON.stringify(expected);
    const librariesEqual = redisReply.t !== 'simple' || JSON.stringify(sortedByName(ours.codes)) === JSON.stringify(redisLibraries);
    if (!replyEqual || !librariesEqual) {
      t.fail(`${what}: redis ${JSON.stringify(redisReply)}, ours ${JSON.stringify(expected)} (payload ${payload.toString('hex')})`);
      return false;
    }
    return true;
  }

  await t.test('corrupted payloads: the error texts redis gives for the same bytes', async (t) => {
    await loadOnly([LIBRARIES.short]);
    const one = await dump();
    await loadOnly([LIBRARIES.short, LIBRARIES.repetitive, LIBRARIES.medium]);
    const three = await dump();
    for (const [name, p] of [['one library', one], ['three libraries', three]] as const) {
      const step = Math.max(1, Math.floor(p.length / 60));
      for (let i = 0; i < p.length; i += step) {
        const flipped = Buffer.from(p);
        flipped[i] ^= 0x20;
        t.equal(decodeFunctionPayload(flipped), FUNCTION_PAYLOAD_ERRORS.versionOrChecksum, `${name}: byte ${i} flipped`);
        t.same(await c.send('FUNCTION', 'RESTORE', flipped), { t: 'error', v: FUNCTION_PAYLOAD_ERRORS.versionOrChecksum });
        const truncated = p.subarray(0, i);
        t.equal(decodeFunctionPayload(truncated), FUNCTION_PAYLOAD_ERRORS.versionOrChecksum, `${name}: truncated to ${i}`);
        t.same(await c.send('FUNCTION', 'RESTORE', truncated), { t: 'error', v: FUNCTION_PAYLOAD_ERRORS.versionOrChecksum });
      }
      const body = p.subarray(0, p.length - 10);
      for (const version of [0, 1, 9, 10, 11, 12, 0xffff]) {
        t.ok(await sameAsRedis(withDumpFooter(body, version), `${name}: version ${version}`), `${name}: version ${version}`);
      }
    }
    t.equal(verifyDumpFooter(withDumpFooter(Buffer.alloc(0), 11)), null);
    t.equal(verifyDumpFooter(withDumpFooter(Buffer.alloc(0), 9)), 9);

    const F2 = Buffer.from([0xf5]);
    const OLD = Buffer.from([0xf6]);
    const s = (x: string) => writeString(B(x));
    const fn = "redis.register_function('of', function() return 1 end)";
    const crafted: [string, Buffer, string | null][] = [
      ['nothing but the footer', Buffer.alloc(0), null],
      ['an opcode that is not a function', Buffer.from([1, 2, 3]), FUNCTION_PAYLOAD_ERRORS.notAFunction],
      ['a key type opcode', Buffer.concat([Buffer.from([0]), s('#!lua name=a\n' + fn)]), FUNCTION_PAYLOAD_ERRORS.notAFunction],
      ['a library, then garbage', Buffer.concat([F2, s('#!lua name=a\n' + fn), Buffer.from([7])]), FUNCTION_PAYLOAD_ERRORS.notAFunction],
      ['a string longer than the payload', Buffer.concat([F2, writeLength(200), B('abc')]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['an opcode and nothing after it', F2, FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['an unknown length form', Buffer.from([0xf5, 0x82, 1, 2, 3, 4]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['an unknown string encoding', Buffer.from([0xf5, 0xc4, 1, 2, 3, 4]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['corrupt LZF data', Buffer.from([0xf5, 0xc3, 3, 5, 0xff, 2, 3]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['LZF data that ends early', Buffer.from([0xf5, 0xc3, 2, 5, 1, 65, 66]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['LZF of length 0', Buffer.from([0xf5, 0xc3, 3, 0, 1, 2, 3]), null],
      ['an integer-encoded code', Buffer.from([0xf5, 0xc0, 5]), null],
      ['a library that does not compile, then a truncated one', Buffer.concat([F2, s('#!lua name=x\nfoo('), F2, writeLength(300)]), FUNCTION_PAYLOAD_ERRORS.libraryPayload],
      ['the same library twice', Buffer.concat([F2, s('#!lua name=a\n' + fn), F2, s('#!lua name=a\n' + fn)]), null],
      ['pre-GA format with a description', Buffer.concat([OLD, s('oldlib'), s('LUA'), writeLength(1), s('desc'), s(fn)]), null],
      ['pre-GA format without one', Buffer.concat([OLD, s('oldlib'), s('lua'), writeLength(0), s(fn)]), null],
      ['pre-GA format, a description flag of 5', Buffer.concat([OLD, s('oldlib'), s('lua'), writeLength(5), s('d'), s(fn)]), null],
      ['pre-GA format, an encoding marker as the flag', Buffer.concat([OLD, s('oldlib'), s('lua'), Buffer.from([0xc0, 0])]), null],
      ['pre-GA format, NUL bytes in its parts', Buffer.concat([OLD, s('old\0lib'), s('lua\0x'), writeLength(0), s(fn + '\0 garbage(')]), null],
      ['pre-GA format, an unknown engine', Buffer.concat([OLD, s('oldlib'), s('js'), writeLength(0), s(fn)]), null],
      ['pre-GA format, truncated name', Buffer.concat([OLD, writeLength(100)]), FUNCTION_PAYLOAD_ERRORS.libraryName],
      ['pre-GA format, truncated engine', Buffer.concat([OLD, s('oldlib'), writeLength(100)]), FUNCTION_PAYLOAD_ERRORS.engineName],
      ['pre-GA format, bad description flag', Buffer.concat([OLD, s('oldlib'), s('lua'), Buffer.from([0x82, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]), FUNCTION_PAYLOAD_ERRORS.descriptionIndicator],
      ['pre-GA format, truncated description', Buffer.concat([OLD, s('oldlib'), s('lua'), writeLength(1), writeLength(100)]), FUNCTION_PAYLOAD_ERRORS.description],
      ['pre-GA format, truncated body', Buffer.concat([OLD, s('oldlib'), s('lua'), writeLength(0), writeLength(100)]), FUNCTION_PAYLOAD_ERRORS.libraryBlob],
    ];
    const lib = B("#!lua name=z\nredis.register_function('zf', function() return 1 end)--");
    for (const extra of [4, 10, 11]) {
      const body = Buffer.concat([F2, writeLength(lib.length + extra), lib]);
      crafted.push([`a code running ${extra} bytes into the footer`, body, extra > 10 ? FUNCTION_PAYLOAD_ERRORS.libraryPayload : null]);
    }
    for (const [what, body, error] of crafted) {
      const payload = withDumpFooter(body);
      t.equal(readFunctionPayload(payload).error, error, `${what}: ${error ?? 'read to the end'}`);
      t.ok(await sameAsRedis(payload, what), `${what}: as redis`);
    }
    t.same(readFunctionPayload(withDumpFooter(Buffer.from([0xf5, 0xc0, 5]))).codes, [B('5')], 'an integer-encoded code is its decimal text');
    const intoFooter = readFunctionPayload(withDumpFooter(Buffer.concat([F2, writeLength(lib.length + 4), lib])));
    t.equal(intoFooter.codes[0].length, lib.length + 4, 'a code running into the footer takes its bytes');
    t.same(
      decodeFunctionPayload(withDumpFooter(Buffer.concat([OLD, s('old\0lib'), s('lua'), writeLength(0), s(fn + '\0x')]))),
      [B(`#!lua name=old\n${fn}`)],
      'pre-GA parts end at their first NUL byte',
    );
  });

  await t.test('mutated payloads with a valid footer: the same reply as redis', async (t) => {
    await loadOnly([LIBRARIES.short, LIBRARIES.repetitive]);
    const two = await dump();
    await loadOnly([LIBRARIES.binary]);
    const binary = await dump();
    const OLD = Buffer.concat([Buffer.from([0xf6]), writeString(B('oldlib')), writeString(B('lua')), writeLength(1), writeString(B('d')), writeString(B("redis.register_function('of', function() return 1 end)"))]);
    const bodies = [two, binary].map((p) => p.subarray(0, p.length - 10)).concat([OLD]);
    const mutation = fc.tuple(
      fc.constantFrom(...bodies),
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    );
    const samples = fc.sample(mutation, { numRuns: 150 });
    let failures = 0;
    for (const [body, edits] of samples) {
      let b = Buffer.from(body);
      for (const e of edits) {
        const at = b.length === 0 ? 0 : e.at % b.length;
        if (e.op === 'set') b[at] = e.byte;
        else if (e.op === 'cut') b = b.subarray(0, at);
        else b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
      }
      if (!(await sameAsRedis(withDumpFooter(b), `edits ${JSON.stringify(edits)}`))) failures++;
    }
    t.equal(failures, 0, `${samples.length} mutated payloads answered as redis`);
  });
});
