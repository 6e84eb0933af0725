import t from 'tap';
import fc from 'fast-check';
import { globMatch, globMatchString, compileGlob } from '../lib/glob.js';
import { startRedis } from './support/servers.js';
import { RawClient } from './support/resp-client.js';

const B = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s));

// ---------------------------------------------------------------------------------------------
// Reference: a direct, unoptimised recursive reading of the Redis rules (exponential on purpose;
// only fed small inputs). Written independently of lib/glob.ts.
// ---------------------------------------------------------------------------------------------
function refMatch(p: Buffer, s: Buffer, nocase: boolean): boolean {
  const low = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
  const sc = (c: number) => (c >= 128 ? c - 256 : c);
  function go(pi: number, si: number, depth: number): boolean {
    if (depth > 1000) return false;
    while (pi < p.length && si < s.length) {
      const c = p[pi];
      if (c === 42) {
        while (pi + 1 < p.length && p[pi + 1] === 42) pi++;
        if (pi === p.length - 1) return true;
        for (let k = si; k < s.length; k++) if (go(pi + 1, k, depth + 1)) return true;
        return false;
      } else if (c === 63) {
        si++;
      } else if (c === 91) {
        pi++;
        const not = pi < p.length && p[pi] === 94;
        if (not) pi++;
        let hit = false;
        while (true) {
          if (pi >= p.length) {
            pi--;
            break;
          }
          if (p[pi] === 92 && p.length - pi >= 2) {
            pi++;
            if (p[pi] === s[si]) hit = true;
          } else if (p[pi] === 93) {
            break;
          } else if (p.length - pi >= 3 && p[pi + 1] === 45) {
            let a = sc(p[pi]);
            let b = sc(p[pi + 2]);
            let x = sc(s[si]);
            if (a > b) [a, b] = [b, a];
            if (nocase) {
              a = low(a);
              b = low(b);
              x = low(x);
            }
            pi += 2;
            if (x >= a && x <= b) hit = true;
          } else if (nocase ? low(p[pi]) === low(s[si]) : p[pi] === s[si]) {
            hit = true;
          }
          pi++;
        }
        if (not) hit = !hit;
        if (!hit) return false;
        si++;
      } else {
        if (c === 92 && p.length - pi >= 2) pi++;
        if (nocase ? low(p[pi]) !== low(s[si]) : p[pi] !== s[si]) return false;
        si++;
      }
      pi++;
      if (si === s.length) {
        while (pi < p.length && p[pi] === 42) pi++;
        break;
      }
    }
    return pi >= p.length && si === s.length;
  }
  // Redis callers short-cut the pattern "*".
  if (p.length === 1 && p[0] === 42) return true;
  return go(0, 0, 0);
}

const cases: Array<[string, string, boolean, boolean?]> = [
  // [pattern, subject, expected, nocase]
  ['*', '', true],
  ['*', 'anything', true],
  ['**', '', false],
  ['**', 'x', true],
  ['', '', true],
  ['', 'a', false],
  ['a', '', false],
  ['hello', 'hello', true],
  ['hello', 'hellO', false],
  ['hello', 'hellO', true, true],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h*llo', 'hllo', true],
  ['h*llo', 'heeeello', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[b-a]llo', 'hbllo', true], // reversed range
  ['h[a-b]llo', 'hcllo', false],
  ['[A-Z]', 'q', false],
  ['[A-Z]', 'q', true, true],
  ['[Z-a]', '_', true],
  ['[Z-a]', '_', false, true], // nocase: swap first, then lowercase -> empty range
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['a\\', 'a\\', true], // trailing backslash is literal
  ['[a', 'a', true], // unterminated class
  ['[a', 'ab', false],
  ['[', 'a', false],
  ['[^', 'a', true],
  ['[a-]', ']', true], // ']' is the range end
  ['[a-]', '_', true],
  ['[\\]]', ']', true],
  ['[\\A]', 'a', false, true], // escaped byte in class is case-sensitive
  ['user:*', 'user:1', true],
  ['user:*', 'user:', true],
  ['user:*', 'use', false],
  ['user:*', 'USER:1', true, true],
  ['*:name', 'user:1:name', true],
  ['*:name', ':name', true],
  ['*:name', 'name', false],
  ['a*b*c', 'axxbyyc', true],
  ['a*b*c', 'axxbyy', false],
  ['a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60), false],
  ['*?', 'x', true],
  ['?*', '', false],
  ['x'.repeat(40) + '*', 'x'.repeat(40) + 'yz', true],
  ['x'.repeat(40) + '*', 'x'.repeat(39) + 'yz', false],
  ['*' + 'x'.repeat(40), 'y' + 'x'.repeat(40), true],
  ['*' + 'x'.repeat(40), 'y' + 'x'.repeat(39) + 'y', false],
];

t.test('table', async (t) => {
  for (const [p, s, exp, nocase] of cases) {
    t.equal(globMatch(B(p), B(s), !!nocase), exp, `${JSON.stringify(p)} ~ ${JSON.stringify(s)}${nocase ? ' (nocase)' : ''}`);
    // the reference is exponential on purpose: keep it to small inputs
    if (s.length <= 16) t.equal(refMatch(B(p), B(s), !!nocase), exp, `ref ${JSON.stringify(p)} ~ ${JSON.stringify(s)}`);
    t.equal(compileGlob(B(p), !!nocase)(B(s)), exp, `compiled ${JSON.stringify(p)}`);
  }
});

t.test('binary and signed-char ranges', async (t) => {
  t.ok(globMatch(B([0x00, 0x2a]), B([0x00, 0xff, 0x01])));
  t.ok(globMatch(B([0x5b, 0x61, 0x2d, 0xff, 0x5d]), B([0x00]))); // [a-\xff] is -1..97
  t.ok(globMatch(B([0x5b, 0x61, 0x2d, 0xff, 0x5d]), B([0xff])));
  t.notOk(globMatch(B([0x5b, 0x61, 0x2d, 0xff, 0x5d]), B([0x80])));
  t.notOk(globMatch(B([0x5b, 0x61, 0x2d, 0xff, 0x5d]), B('b')));
  t.ok(globMatch(B([0x5b, 0x80, 0x2d, 0xff, 0x5d]), B([0x90])));
  t.ok(globMatch(B('?'), B([0xc3])));
});

t.test('nesting guard and worst case', async (t) => {
  const key = B('a'.repeat(1200));
  t.ok(globMatch(B('*a'.repeat(1000)), key));
  t.notOk(globMatch(B('*a'.repeat(1001)), key));
  t.ok(globMatch(B('a*'.repeat(1001)), key)); // trailing star does not nest
  t.notOk(globMatch(B('a*'.repeat(1002)), key));
  // Pathological patterns stay polynomial: the matcher reads at most (pattern + 1) bytes of the
  // subject per subject byte. Counted, not timed: a subject that throws once it has been read more
  // often than that, which a backtracking matcher (the reference) exceeds at once.
  for (const [p, s] of [
    [B('a*'.repeat(30) + 'b'), B('a'.repeat(5000))],
    [B('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'), B('a'.repeat(20000))],
  ]) {
    const bound = (p.length + 1) * s.length;
    const what = `${JSON.stringify(p.toString('latin1').slice(0, 12))}... on ${s.length} bytes`;
    const counted = countingSubject(s, bound);
    t.notOk(globMatch(p, counted.subject), `${what}: no match`);
    t.ok(counted.reads() > 0 && counted.reads() <= bound, `${what}: ${counted.reads()} subject reads, at most ${bound}`);
    t.throws(() => refMatch(p, countingSubject(s, bound).subject, false), /read more than/, `${what}: the bound stops a backtracking matcher`);
  }
});

/** `s` behind a Proxy that counts the reads of its bytes and throws after `limit` of them. */
function countingSubject(s: Buffer, limit: number): { subject: Buffer; reads: () => number } {
  let reads = 0;
  const subject = new Proxy(s, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop) && ++reads > limit) throw new Error(`subject read more than ${limit} times`);
      return Reflect.get(target, prop);
    },
  });
  return { subject, reads: () => reads };
}

t.test('globMatchString', async (t) => {
  t.ok(globMatchString('*max*', 'maxclients'));
  t.ok(globMatchString('MAX*', 'maxclients', true));
  t.notOk(globMatchString('MAX*', 'maxclients'));
});

// Small alphabet so the property hits the interesting corners often.
const patChar = fc.constantFrom(...'ab*?[]^-\\A'.split(''), '\xff', '\x80');
const subjChar = fc.constantFrom(...'abA]^-\\*?['.split(''), '\xff', '\x80', '\x00');

t.test('property: matches the reference', async (t) => {
  fc.assert(
    fc.property(
      fc.array(patChar, { maxLength: 10 }),
      fc.array(subjChar, { maxLength: 10 }),
      fc.boolean(),
      (pc, sc, nocase) => {
        const p = B(pc.join(''));
        const s = B(sc.join(''));
        return globMatch(p, s, nocase) === refMatch(p, s, nocase);
      },
    ),
    { numRuns: 20000 },
  );
  t.pass('20000 runs');
});

// ---------------------------------------------------------------------------------------------
// Optional cross-check against a real redis-server (KEYS uses case-sensitive stringmatchlen).
// ---------------------------------------------------------------------------------------------
t.test('agrees with redis-server KEYS', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());

  const subjects = ['', 'a', 'b', 'A', 'ab', 'ba', 'aab', ']', '^', '-', '\\', '*', '?', '[', 'a]', 'a-b', '\xff', '\x80', '\x00', 'a\xffb', 'abab'].map((s) =>
    B(s),
  );
  for (const s of subjects) await c.send('SET', s, '1');
  const rng = fc.sample(fc.array(patChar, { minLength: 1, maxLength: 7 }), { numRuns: 400, seed: 42 });
  const patterns = [...cases.filter((x) => !x[3]).map((x) => B(x[0])), ...rng.map((a) => B(a.join('')))];
  let mismatches = 0;
  for (const p of patterns) {
    const r = await c.send('KEYS', p);
    const got = (r.t === 'array' && r.v ? r.v : []).map((b) => (b.t === 'bulk' && b.v ? b.v.toString('hex') : '?')).sort();
    const want = subjects.filter((s) => globMatch(p, s)).map((b) => b.toString('hex')).sort();
    if (got.join(',') !== want.join(',')) {
      mismatches++;
      t.same(want, got, `pattern ${JSON.stringify(p.toString('latin1'))}`);
    }
  }
  t.equal(mismatches, 0, `${patterns.length} patterns agree with redis-server`);
  await c.send('FLUSHALL');
});
