/**
 * CPU accounting for the throughput benchmark: how much CPU each server thread spends per request.
 *
 * On a 2-core machine the servers, their threads and redis-benchmark compete for the same cores, so
 * ops/s alone does not say where the time goes. Reading /proc/<pid>/task/<tid>/stat before and after
 * a run gives each thread's CPU time; divided by the requests served it is the CPU cost per request,
 * and divided by the run's duration the number of cores the server kept busy. respdb's main thread is
 * the task whose tid equals the pid; its shard workers are the busiest other threads (Node names every
 * thread "node", so they are told apart by the CPU they use); what remains (GC helpers, the libuv pool
 * running LMDB syncs) is "other".
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc's utime/stime (getconf CLK_TCK; 100 on Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) of every thread of a process, by tid; empty when /proc is unreadable. */
export function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  const hz = ticksPerSecond();
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // fields after the parenthesised command name (which may contain spaces): state is field 3,
      // utime field 14, stime field 15
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(rest[11]) + Number(rest[12])) / hz);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

export interface CpuSplit {
  /** CPU seconds of the main thread (tid == pid) */
  main: number;
  /** CPU seconds of the `workers` busiest other threads (respdb's shards) */
  workers: number;
  /** CPU seconds of every remaining thread */
  other: number;
  total: number;
}

/** CPU used between two threadCpu() samples, split into main thread, the busiest `workers` threads, rest. */
export function cpuBetween(pid: number, before: Map<number, number>, after: Map<number, number>, workers: number): CpuSplit {
  let main = 0;
  const others: number[] = [];
  for (const [tid, t] of after) {
    const d = Math.max(0, t - (before.get(tid) ?? 0));
    if (tid === pid) main = d;
    else others.push(d);
  }
  others.sort((a, b) => b - a);
  const w = others.slice(0, workers).reduce((s, v) => s + v, 0);
  const rest = others.slice(workers).reduce((s, v) => s + v, 0);
  return { main, workers: w, other: rest, total: main + w + rest };
}

/** Parses the "%U %S" line GNU time wrote with -o: user + system seconds of the timed command. */
export function parseTimeOutput(text: string): number | undefined {
  const line = text.trim().split('\n').pop() ?? '';
  const m = /^([\d.]+) ([\d.]+)$/.exec(line.trim());
  return m ? Number(m[1]) + Number(m[2]) : undefined;
}

/** GNU time, when installed: it reports redis-benchmark's own CPU, the load generator's share. */
export const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => fs.existsSync(p));
