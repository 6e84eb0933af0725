/**
 * Reporting helpers shared by the throughput and latency benchmarks: machine description,
 * number formatting, markdown tables and the sections of bench/RESULTS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, redisVersion } from './servers.js';

export const RESULTS_PATH = path.join(REPO_ROOT, 'bench', 'RESULTS.md');

export interface MachineInfo {
  cores: number;
  memory: string;
  cpu: string;
  node: string;
  redis: string;
  platform: string;
  /** 1/5/15-minute load averages when the run started (other work on the machine) */
  loadavg: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    cpu: cpus[0]?.model?.trim() || 'unknown',
    node: process.version,
    redis: redisVersion(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cores} cores (os.availableParallelism), ${m.memory} RAM, ${m.cpu}, ${m.platform}, Node ${m.node}, redis-server ${m.redis}; load average at start ${m.loadavg}`;
}

/** 38684.72 -> "38,685" */
export function fmtOps(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0)) return 'n/a';
  return (a / b).toFixed(2);
}

/** Markdown table with columns padded for reading in a terminal as well. */
export function markdownTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (rightAlign[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (rightAlign[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** The command line that reproduces this run: `npm run bench -- <args>`. */
export function reproduceCommand(argv: readonly string[]): string {
  const q = (a: string) => (/^[\w\-.,=/:]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return argv.length ? `npm run bench -- ${argv.map(q).join(' ')}` : 'npm run bench';
}

const HEADER = `# respdb benchmark results

Produced by \`npm run bench -- --write\` (throughput, bench/run.ts) and
\`npm run bench -- latency --write\` (latency, bench/latency.ts); each run replaces its own section.
Throughput runs write one section per configuration: the default (appendfsync everysec, 50 clients)
in "throughput", \`--fsync always\` in "throughput-fsync-always", \`--clients 200\` in
"throughput-c200" (both: "throughput-fsync-always-c200").
The figures come from a shared 2-core machine where the servers and the load generator compete for
the same cores; runs vary by ±30% or more from one run to the next, so read ratios, not absolutes.
`;

/**
 * The section of bench/RESULTS.md for one throughput configuration: "throughput" for the default
 * (appendfsync everysec, 50 clients), else "throughput" + "-fsync-always" (when not everysec) +
 * "-cN" (when the client count is not 50).
 */
export function throughputSection(fsync: string, clients: number): string {
  return `throughput${fsync === 'everysec' ? '' : `-fsync-${fsync}`}${clients === 50 ? '' : `-c${clients}`}`;
}

/**
 * Where a section goes in the file: the throughput sections first (the default, then its fsync
 * variants, then other client counts in increasing order, each followed by its fsync variants),
 * then everything else (latency) in the order it was first written.
 */
function sectionRank(name: string): (number | string)[] {
  const m = /^throughput(?:-fsync-([a-z]+))?(?:-c(\d+))?$/.exec(name);
  if (!m) return [1];
  const clients = m[2] === undefined ? 50 : Number(m[2]);
  return [0, clients === 50 ? 0 : clients, m[1] === undefined ? 0 : 1, m[1] ?? ''];
}

function rankLess(a: (number | string)[], b: (number | string)[]): boolean {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (a[k] === undefined) return b[k] !== undefined;
    if (b[k] === undefined) return false;
    if (a[k] < b[k]) return true;
    if (a[k] > b[k]) return false;
  }
  return false;
}

/**
 * Prints a benchmark's RESULTS.md section, its `lines` and then the command that reproduces it
 * (`--write` left out), and with `write` puts it in RESULTS.md as section `section`.
 */
export function publishSection(section: string, bench: string, argv: readonly string[], write: boolean, lines: readonly string[]): void {
  const body = [...lines, '', `Reproduce: \`${reproduceCommand([bench, ...argv.filter((a) => a !== '--write')])}\``].join('\n');
  console.log('\n' + body);
  if (write) {
    writeSection(section, body);
    console.log(`written to ${RESULTS_PATH}`);
  }
}

/**
 * Replaces the section `name` of bench/RESULTS.md, delimited by HTML comments, and keeps
 * everything else in the file. A new section is inserted before the first section that ranks
 * after it (see sectionRank), or appended at the end, so the file keeps a stable order.
 */
export function writeSection(name: string, body: string, file = RESULTS_PATH): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body.trimEnd()}\n${end}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : HEADER;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) {
    text = text.slice(0, i) + block + text.slice(j + end.length);
  } else {
    const mine = sectionRank(name);
    let at = -1;
    for (const m of text.matchAll(/<!-- bench:([\w-]+):start -->/g)) {
      if (rankLess(mine, sectionRank(m[1]))) {
        at = m.index!;
        break;
      }
    }
    text = at < 0 ? `${text.trimEnd()}\n\n${block}\n` : `${text.slice(0, at)}${block}\n\n${text.slice(at)}`;
  }
  fs.writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
}

// ------------------------------------------------------------------------------------------------
// Argument parsing
// ------------------------------------------------------------------------------------------------

export class UsageError extends Error {}

/** Parses a benchmark's arguments; on a UsageError prints it with the usage text and returns null. */
export function parseOrUsage<T>(argv: string[], parse: (argv: string[]) => T, prefix: string, usage: string): T | null {
  try {
    return parse(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${prefix}: ${e.message}\n\n${usage}`);
      return null;
    }
    throw e;
  }
}

/**
 * A benchmark's options from `argv`: each key of `ints` is a positive integer option and each of
 * `flags` a switch, named as the key in kebab case (`fromRedis`: `--from-redis`); `--help` and
 * anything else are usage errors. Starts from `defaults`.
 */
export function parseOptions<T extends object>(argv: string[], defaults: T, spec: { ints: readonly (keyof T & string)[]; flags: readonly (keyof T & string)[] }): T {
  const o = { ...defaults } as Record<string, unknown>;
  const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const ints = new Map(spec.ints.map((k) => [kebab(k), k]));
  const flags = new Map(spec.flags.map((k) => [kebab(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const intKey = ints.get(name);
    const flagKey = flags.get(a);
    if (intKey !== undefined) {
      let v: string;
      [v, i] = takeValue(argv, i, name);
      o[intKey] = positiveInt(v, name);
    } else if (flagKey !== undefined) o[flagKey] = true;
    else if (a === '--help') throw new UsageError('help');
    else throw new UsageError(`unknown option ${a}`);
  }
  return o as T;
}

/** A comma-separated choice among `allowed` (kept in `allowed`'s order); unknown or empty is a usage error. */
export function pickList<T extends string>(v: string, name: string, allowed: readonly T[]): T[] {
  const list = v.split(',').filter((x) => x !== '');
  for (const s of list) if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`${name}: unknown value '${s}'`);
  const out = allowed.filter((k) => list.includes(k));
  if (!out.length) throw new UsageError(`${name}: empty list`);
  return out;
}

/** Reads the value of an option that takes one (`--tests set,get` or `--tests=set,get`). */
export function takeValue(argv: string[], i: number, name: string): [string, number] {
  const a = argv[i];
  const eq = a.indexOf('=');
  if (eq >= 0) return [a.slice(eq + 1), i];
  if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
  return [argv[i + 1], i + 1];
}

export function positiveInt(s: string, name: string): number {
  if (!/^[0-9]+$/.test(s) || Number(s) < 1) throw new UsageError(`${name}: expected a positive integer, got '${s}'`);
  return Number(s);
}

export function intList(s: string, name: string): number[] {
  const out = s.split(',').filter((x) => x !== '').map((x) => positiveInt(x, name));
  if (!out.length) throw new UsageError(`${name}: empty list`);
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
