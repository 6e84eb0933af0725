// SLOWLOG and LATENCY (Redis 7.0): the command table entries. The state behind them (slow log,
// latency monitor, histograms) is server.diagnostics (lib/latency.ts Diagnostics).

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd } from './define.js';
import { help } from './connection.js';
import { ALL, lookup } from './registry.js';
import { parseI64 } from '../resp/number.js';
import { HIST_BUCKETS, BUCKET_USEC } from '../latency.js';

// ------------------------------------------------------------------------------------------------
// SLOWLOG
// ------------------------------------------------------------------------------------------------

function syntaxHelp(ctx: MainContext, args: Buffer[], parent: string): void {
  let end = args[1].indexOf(0);
  if (end < 0) end = args[1].length;
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1', 0, Math.min(end, 128))}'. Try ${parent} HELP.`);
}

const COUNT_ERR = 'ERR count should be greater than or equal to -1';

/** SLOWLOG GET [count]: newest first; default 10, -1 = all. */
function slowlogGet(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 3) return syntaxHelp(ctx, args, 'SLOWLOG');
  let count = 10;
  if (args.length === 3) {
    const v = parseI64(args[2]);
    if (v === null || v < -1n) return ctx.out.error(COUNT_ERR);
    count = v === -1n ? Infinity : Number(v);
  }
  const out = ctx.out;
  const entries = ctx.server.diagnostics.slowlog.newest(count);
  out.array(entries.length);
  for (const e of entries) {
    out.array(6);
    out.int(e.id);
    out.int(e.time);
    out.int(e.micros);
    out.array(e.args.length);
    for (const a of e.args) out.bulk(a);
    out.bulkStr(e.addr);
    out.bulk(e.name);
  }
}

function slowlogLen(ctx: MainContext): void {
  ctx.out.int(ctx.server.diagnostics.slowlog.length);
}

function slowlogReset(ctx: MainContext): void {
  ctx.server.diagnostics.slowlog.reset();
  ctx.out.ok();
}

function slowlogHelp(ctx: MainContext): void {
  help(ctx, 'SLOWLOG', [
    'GET [<count>]',
    '    Return the <count> most recent entries of the slow log (default: 10, -1: all of them).',
    '    Each entry is: id, unix time, execution time in microseconds, arguments,',
    '    client address (ip:port), client name.',
    'LEN',
    '    Return the number of entries in the slow log.',
    'RESET',
    '    Empty the slow log.',
  ]);
}

// ------------------------------------------------------------------------------------------------
// LATENCY
// ------------------------------------------------------------------------------------------------

function eventName(b: Buffer): string {
  return b.toString('latin1');
}

function latencyLatest(ctx: MainContext): void {
  const rows = ctx.server.diagnostics.latency.latest();
  const out = ctx.out;
  out.array(rows.length);
  for (const [name, time, latest, max] of rows) {
    out.array(4);
    out.bulkStr(name);
    out.int(time);
    out.int(latest);
    out.int(max);
  }
}

function latencyHistory(ctx: MainContext, args: Buffer[]): void {
  const h = ctx.server.diagnostics.latency.history(eventName(args[2]));
  const out = ctx.out;
  out.array(h.length);
  for (const [time, ms] of h) {
    out.array(2);
    out.int(time);
    out.int(ms);
  }
}

function latencyReset(ctx: MainContext, args: Buffer[]): void {
  const names = args.slice(2).map(eventName);
  ctx.out.int(ctx.server.diagnostics.latency.reset(names));
}

function latencyGraph(ctx: MainContext, args: Buffer[]): void {
  const name = eventName(args[2]);
  const g = ctx.server.diagnostics.latency.graph(name);
  if (g === null) {
    let end = name.indexOf('\0');
    if (end < 0) end = name.length;
    return ctx.out.error(`ERR No samples available for event '${name.slice(0, end)}'`);
  }
  ctx.out.verbatim(g);
}

function latencyDoctor(ctx: MainContext): void {
  const d = ctx.server.diagnostics;
  ctx.out.verbatim(d.latency.doctor(d.latencyThreshold, d.slowlogThreshold));
}

/** Subcommands of a container with their own data, or the command itself. */
function withData(d: CommandDef, out: CommandDef[]): void {
  out.push(d);
  if (d.sub) for (const s of d.sub.values()) if (!s.internal) out.push(s);
}

/** LATENCY HISTOGRAM [command ...]: per command, its calls and cumulative counts per bucket. */
function latencyHistogram(ctx: MainContext, args: Buffer[]): void {
  const diag = ctx.server.diagnostics;
  const defs: CommandDef[] = [];
  if (args.length === 2) {
    for (const d of ALL) if (!d.internal) defs.push(d);
  } else {
    for (let i = 2; i < args.length; i++) {
      const d = byFullName(args[i].toString('latin1'));
      if (d) withData(d, defs);
    }
  }
  const shown: Array<[CommandDef, Float64Array]> = [];
  for (const d of defs) {
    const h = diag.histogram(d);
    let calls = 0;
    for (let k = 0; k < HIST_BUCKETS; k++) calls += h[k];
    if (calls > 0) shown.push([d, h]);
  }
  const out = ctx.out;
  out.map(shown.length);
  for (const [d, h] of shown) {
    let calls = 0;
    let buckets = 0;
    for (let k = 0; k < HIST_BUCKETS; k++) {
      calls += h[k];
      if (h[k] > 0) buckets++;
    }
    out.bulkStr(d.name);
    out.map(2);
    out.bulkStr('calls');
    out.int(calls);
    out.bulkStr('histogram_usec');
    out.map(buckets);
    let cum = 0;
    for (let k = 0; k < HIST_BUCKETS; k++) {
      if (h[k] === 0) continue;
      cum += h[k];
      out.int(BUCKET_USEC[k]);
      out.int(cum);
    }
  }
}

/** A command by its full name ("get", "config|get"), case-insensitive; internal ones are unknown. */
function byFullName(name: string): CommandDef | undefined {
  const n = name.toLowerCase();
  const bar = n.indexOf('|');
  if (bar < 0) return lookup(n);
  const sub = lookup(n.slice(0, bar))?.sub?.get(n.slice(bar + 1));
  return sub && !sub.internal ? sub : undefined;
}

function latencyHelp(ctx: MainContext): void {
  help(ctx, 'LATENCY', [
    'DOCTOR',
    '    Return a report on the latency spikes recorded, with advice.',
    'GRAPH <event>',
    '    Return an ASCII chart of the samples of <event>.',
    'HISTORY <event>',
    '    Return the samples of <event> as [unix time, milliseconds] pairs.',
    'LATEST',
    '    Return, for each event: its name, the time and value of its latest sample, its highest value.',
    'RESET [<event> ...]',
    '    Forget the samples of the given events (default: of all events).',
    'HISTOGRAM [<command> ...]',
    '    Return the number of calls and the cumulative distribution of execution times of the given',
    '    commands (default: of all commands that ran), in power-of-two microsecond buckets.',
  ]);
}

// ------------------------------------------------------------------------------------------------
// Table entries
// ------------------------------------------------------------------------------------------------

const SL = ['admin', 'loading', 'stale'] as const;
const LAT = ['admin', 'noscript', 'loading', 'stale'] as const;
const HELP_FLAGS = ['loading', 'stale'] as const;
const LAT_TIPS = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];
const G = { group: 'server' } as const;

export const diagnosticsCommands: CommandDef[] = [
  cmd({
    name: 'slowlog', arity: -2,
    summary: 'A container for slow log commands', since: '2.2.12', ...G, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'slowlog|len', arity: 2, flags: [...SL], main: slowlogLen,
        tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'],
        summary: "Get the slow log's length", since: '2.2.12', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'slowlog|get', arity: -2, flags: [...SL], main: slowlogGet,
        tips: ['request_policy:all_nodes', 'nondeterministic_output'],
        summary: "Get the slow log's entries", since: '2.2.12', ...G, complexity: 'O(N) where N is the number of entries returned',
      }),
      cmd({
        name: 'slowlog|reset', arity: 2, flags: [...SL], main: slowlogReset,
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Clear all entries from the slow log', since: '2.2.12', ...G, complexity: 'O(N) where N is the number of entries in the slowlog',
      }),
      cmd({
        name: 'slowlog|help', arity: 2, flags: [...HELP_FLAGS], main: slowlogHelp,
        summary: 'Show helpful text about the different subcommands', since: '6.2.0', ...G, complexity: 'O(1)',
      }),
    ],
  }),
  cmd({
    name: 'latency', arity: -2,
    summary: 'A container for latency diagnostics commands', since: '2.8.13', ...G, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'latency|histogram', arity: -2, flags: [...LAT], main: latencyHistogram, tips: LAT_TIPS,
        summary: 'Return the cumulative distribution of latencies of a subset of commands or all.', since: '7.0.0', ...G,
        complexity: 'O(N) where N is the number of commands with latency information being retrieved.',
      }),
      cmd({
        name: 'latency|reset', arity: -2, flags: [...LAT], main: latencyReset,
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Reset latency data for one or more events.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'latency|graph', arity: 3, flags: [...LAT], main: latencyGraph, tips: LAT_TIPS,
        summary: 'Return a latency graph for the event.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'latency|latest', arity: 2, flags: [...LAT], main: latencyLatest, tips: LAT_TIPS,
        summary: 'Return the latest latency samples for all events.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'latency|doctor', arity: 2, flags: [...LAT], main: latencyDoctor, tips: LAT_TIPS,
        summary: 'Return a human readable latency analysis report.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'latency|help', arity: 2, flags: [...HELP_FLAGS], main: latencyHelp,
        summary: 'Show helpful text about the different subcommands.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'latency|history', arity: 3, flags: [...LAT], main: latencyHistory, tips: LAT_TIPS,
        summary: 'Return timestamp-latency samples for the event.', since: '2.8.13', ...G, complexity: 'O(1)',
      }),
    ],
  }),
];
