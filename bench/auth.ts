/**
 * Failed AUTH timing: the round-trip time of `AUTH bench <wrong>` for wrong passwords that share
 * nothing, half, or all but the last character with the real one (same length), and for ones of a
 * different length, against respdb and a redis-server started in the same run. Both store a
 * SHA-256 of the password and compare digests, so how much of the password a guess gets right
 * must not show in the time: the table puts the spread between the cases beside the spread of one
 * case between rounds.
 *
 *   npm run bench -- auth                          5 rounds of 2000 attempts per case and server
 *   npm run bench -- auth --attempts N --rounds R --write
 */
import { machineInfo, machineLine, markdownTable, median, parseOrUsage, parseOptions, publishSection } from './report.js';
import { BenchConn } from './resp.js';
import { isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- auth [options]

  --attempts N   sequential failed AUTHs per case, server and round (default 2000)
  --rounds N     alternating rounds (default 5)
  --write        write the table to bench/RESULTS.md (section "auth")
`;

export interface Options {
  attempts: number;
  rounds: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { attempts: 2000, rounds: 5, write: false }, { ints: ['attempts', 'rounds'], flags: ['write'] });
}

const PASSWORD = 'k7Qm2xR9vB4nT6wZ8pL3sD5fH1jG0cYe';
const flip = (c: string) => (c === 'a' ? 'b' : 'a');
/** A string of `n` characters none of which equals the password's at the same place. */
const unlike = (from: number, n: number) => Array.from({ length: n }, (_, i) => flip(PASSWORD[from + i] ?? 'x')).join('');

const CASES: { name: string; guess: string }[] = [
  { name: 'same length, 0 shared', guess: unlike(0, PASSWORD.length) },
  { name: 'same length, first half shared', guess: PASSWORD.slice(0, PASSWORD.length / 2) + unlike(PASSWORD.length / 2, PASSWORD.length / 2) },
  { name: 'same length, all but the last shared', guess: PASSWORD.slice(0, -1) + unlike(PASSWORD.length - 1, 1) },
  { name: 'one character longer, all shared', guess: PASSWORD + 'x' },
  { name: '1 character', guess: unlike(0, 1) },
];

interface Target {
  label: string;
  server: BenchServer;
  conn: BenchConn;
  /** per case, the median µs of each round */
  rounds: number[][];
}

/** Median µs of `n` sequential failed AUTHs with `guess` (each timed from send to reply). */
async function measure(conn: BenchConn, guess: string, n: number): Promise<number> {
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = await conn.send(['AUTH', 'bench', guess]);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (r[0] !== 0x2d) throw new Error(`AUTH bench ${guess} did not fail: ${r.toString('latin1')}`);
  }
  return median(us);
}

async function target(label: string, server: BenchServer): Promise<Target> {
  const conn = await BenchConn.connect(server.port);
  const ok = (await conn.send(['ACL', 'SETUSER', 'bench', 'on', `>${PASSWORD}`, '+@all', '~*'])).toString('latin1');
  if (!ok.startsWith('+OK')) throw new Error(`${label}: ACL SETUSER: ${ok}`);
  // failed AUTHs are logged; a short log keeps both servers doing the same small amount of work
  await conn.send(['CONFIG', 'SET', 'acllog-max-len', '1']);
  return { label, server, conn, rounds: CASES.map(() => []) };
}

const fmt = (us: number) => us.toFixed(1);

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench auth', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const runDir = makeRunDir();
  const targets: Target[] = [];
  try {
    targets.push(await target('respdb', await startRespdb({ runDir })));
    targets.push(await target('redis-server', await startRedis({ runDir, mode: 'nopersist' })));
    for (const tg of targets) await measure(tg.conn, CASES[0].guess, Math.min(1000, o.attempts)); // warm-up
    for (let r = 0; r < o.rounds && !isInterrupted(); r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      // the cases in a different order each round, so drift over time does not favour one
      const cases = CASES.map((_, i) => (i + r) % CASES.length);
      for (const tg of order) {
        for (const i of cases) tg.rounds[i].push(await measure(tg.conn, CASES[i].guess, o.attempts));
      }
      console.log(`round ${r + 1}: ` + targets.map((tg) => `${tg.label} ${tg.rounds.map((c) => fmt(c[c.length - 1])).join(' ')} µs`).join('; '));
    }
    const rows: string[][] = CASES.map((c, i) => [
      c.name,
      ...targets.flatMap((tg) => {
        const xs = tg.rounds[i];
        return [fmt(median(xs)), `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`];
      }),
    ]);
    // between cases: the largest difference of the case medians; noise: the widest spread of one case over rounds
    const summary = targets.map((tg) => {
      const meds = tg.rounds.map(median);
      const between = Math.max(...meds) - Math.min(...meds);
      const noise = Math.max(...tg.rounds.map((xs) => Math.max(...xs) - Math.min(...xs)));
      return { label: tg.label, between, noise };
    });
    rows.push(['largest difference between cases', ...summary.flatMap((s) => [fmt(s.between), `rounds spread ≤ ${fmt(s.noise)}`])]);
    const table = markdownTable(
      ['wrong password', ...targets.flatMap((tg) => [`${tg.label} µs (median)`, `${tg.label} rounds`])],
      rows,
      [false, true, true, true, true],
    );
    const verdict = summary
      .map((s) => `${s.label}: cases differ by ${fmt(s.between)} µs, ${s.between <= s.noise ? 'within' : 'OUTSIDE'} the ${fmt(s.noise)} µs round-to-round spread`)
      .join('; ');
    publishSection('auth', 'auth', argv, o.write, [
      '## Failed AUTH: time by how much of the password a guess shares',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; one connection per server, ${o.attempts} sequential ` +
        `\`AUTH bench <wrong>\` per case, server and round (password of ${PASSWORD.length} characters), round-trip µs, ` +
        `median per round, median of ${o.rounds} alternating rounds; respdb ${targets[0].server.shards ?? '?'} shards, redis-server without persistence.`,
      '',
      table,
      '',
      verdict + '.',
    ]);
    return 0;
  } finally {
    for (const tg of targets) tg.conn.close();
    await stopAll();
    removeRunDir(runDir);
  }
}

runIfMain(import.meta.url, 'bench auth', main);
