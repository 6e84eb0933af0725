/**
 * redis-benchmark, the load of the throughput benchmark (bench/run.ts): the tests it runs by default,
 * one run of one test against a server, and its --csv output.
 */
import fs from 'node:fs';
import { GNU_TIME, parseTimeOutput } from './cpu.js';
import { runTool } from './servers.js';

/** redis-benchmark tests run by default: strings, then one write and one read per collection type. */
export const DEFAULT_TESTS = ['set', 'get', 'incr', 'mset', 'lpush', 'rpop', 'sadd', 'spop', 'hset', 'zadd', 'lrange_100'];
export const DATA_SIZE = 100;
export const KEYSPACE = 100000;

/** Splits one CSV line with double-quoted fields (redis-benchmark --csv). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          s += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else s += line[i++];
      }
      out.push(s);
      i++; // comma
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

export interface CsvRow {
  test: string;
  rps: number;
  p50ms?: number;
  p99ms?: number;
}

/**
 * Parses `redis-benchmark --csv` output: a header row
 * `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`
 * then one row per test.
 */
export function parseBenchmarkCsv(text: string): CsvRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  for (const l of lines) {
    const f = csvFields(l.trim());
    if (f[0] === 'test') {
      header = f;
      continue;
    }
    if (!header) continue;
    const col = (name: string) => {
      const k = header!.indexOf(name);
      return k >= 0 && f[k] !== undefined && f[k] !== '' ? Number(f[k]) : undefined;
    };
    const rps = col('rps');
    if (rps === undefined || !Number.isFinite(rps)) continue;
    rows.push({ test: f[header.indexOf('test')], rps, p50ms: col('p50_latency_ms'), p99ms: col('p99_latency_ms') });
  }
  return rows;
}

export interface BenchmarkRun {
  row?: CsvRow;
  error?: string;
  args: string[];
  /** redis-benchmark's own CPU seconds (GNU time), when timed */
  benchCpu?: number;
  /** the test filled its list first (LRANGE_*): the server's CPU over the run is not one test's */
  prefilled?: boolean;
}

/**
 * `redis-benchmark -c clients -n requests -d DATA_SIZE -r KEYSPACE -t test -P pipeline --csv`
 * against 127.0.0.1:port, under GNU time (its CPU to `timeFile`) when there is a timeFile and GNU time.
 */
export async function runBenchmark(
  port: number,
  test: string,
  pipeline: number,
  o: { clients: number; requests: number },
  timeFile?: string,
): Promise<BenchmarkRun> {
  const args = [
    '-h', '127.0.0.1',
    '-p', String(port),
    '-c', String(o.clients),
    '-n', String(o.requests),
    '-d', String(DATA_SIZE),
    '-r', String(KEYSPACE),
    '-t', test,
    '-P', String(pipeline),
    '--csv',
  ];
  // GNU time around redis-benchmark measures the load generator's own CPU (written to a file, so
  // stdout/stderr stay redis-benchmark's)
  const r = timeFile && GNU_TIME
    ? await runTool(GNU_TIME, ['-o', timeFile, '-f', '%U %S', 'redis-benchmark', ...args])
    : await runTool('redis-benchmark', args);
  let benchCpu: number | undefined;
  if (timeFile && GNU_TIME) {
    try {
      benchCpu = parseTimeOutput(fs.readFileSync(timeFile, 'utf8'));
    } catch {
      benchCpu = undefined;
    }
  }
  const rows = parseBenchmarkCsv(r.stdout);
  const errLine = (r.stderr + '\n' + r.stdout)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('WARNING') && !l.startsWith('"'));
  // LRANGE_* tests first fill their list with an extra "LPUSH (needed to benchmark LRANGE)" run
  const prefill = rows.filter((x) => x.test.startsWith('LPUSH (needed'));
  const measured = rows.filter((x) => !x.test.startsWith('LPUSH (needed'));
  if (r.code !== 0 || measured.length !== 1) {
    const why = errLine ?? (r.signal ? `killed by ${r.signal}` : `exit code ${r.code}, ${rows.length} CSV rows`);
    // "ERR unknown command 'INCR', with args beginning with: ..." -> keep it short for the table
    const short = why.replace(/, with args beginning with:.*$/, '');
    return { error: short.length > 160 ? short.slice(0, 159) + '…' : short, args };
  }
  return { row: measured[0], args, benchCpu, prefilled: prefill.length > 0 };
}
