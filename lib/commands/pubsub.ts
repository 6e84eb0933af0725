// Pub/sub commands (SUBSCRIBE PSUBSCRIBE SSUBSCRIBE, their UNSUBSCRIBEs, PUBLISH SPUBLISH,
// PUBSUB ...), run on the main thread over the registry in lib/pubsub.ts. Replies and errors
// follow redis-server 7.0: each (un)subscription is confirmed by a message of its own (a push in
// RESP3) carrying the client's count of channels + patterns, or of shard channels.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Connection } from '../connection.js';
import { cmd, keySpec } from './define.js';
import { connectionHooks, help } from './connection.js';
import { SUB_CHANNEL, SUB_PATTERN, SUB_SHARD, type SubKind } from '../pubsub.js';

const SUBSCRIBE_NAME = ['subscribe', 'psubscribe', 'ssubscribe'];
const UNSUBSCRIBE_NAME = ['unsubscribe', 'punsubscribe', 'sunsubscribe'];

/** The count a confirmation carries: channels + patterns, or shard channels. */
function countFor(ctx: MainContext, kind: SubKind): number {
  const p = ctx.server.pubsub;
  if (kind === SUB_SHARD) return p.count(ctx.conn, SUB_SHARD);
  return p.count(ctx.conn, SUB_CHANNEL) + p.count(ctx.conn, SUB_PATTERN);
}

function confirm(ctx: MainContext, what: string, name: Buffer | null, count: number): void {
  ctx.out.push(3);
  ctx.out.bulkStr(what);
  ctx.out.bulk(name);
  ctx.out.int(count);
}

function subscriber(kind: SubKind) {
  return (ctx: MainContext, args: Buffer[]): void => {
    const p = ctx.server.pubsub;
    for (let i = 1; i < args.length; i++) {
      p.subscribe(ctx.conn, kind, args[i]);
      confirm(ctx, SUBSCRIBE_NAME[kind], args[i], countFor(ctx, kind));
    }
  };
}

/** Without arguments: every subscription of the kind, or one confirmation with a null name. */
function unsubscriber(kind: SubKind) {
  return (ctx: MainContext, args: Buffer[]): void => {
    const p = ctx.server.pubsub;
    const names = args.length > 1 ? args.slice(1) : p.subscribedTo(ctx.conn, kind);
    if (names.length === 0) return confirm(ctx, UNSUBSCRIBE_NAME[kind], null, countFor(ctx, kind));
    for (const n of names) {
      p.unsubscribe(ctx.conn, kind, n);
      confirm(ctx, UNSUBSCRIBE_NAME[kind], n, countFor(ctx, kind));
    }
  };
}

// Both go to the replicas too, in the stream (Redis propagates them: a replica's subscribers get
// the master's messages).
function publish(ctx: MainContext, args: Buffer[]): void {
  ctx.out.int(ctx.server.pubsub.publish(args[1], args[2]));
  ctx.server.replication.propagate(args);
}

function spublish(ctx: MainContext, args: Buffer[]): void {
  ctx.out.int(ctx.server.pubsub.publishShard(args[1], args[2]));
  ctx.server.replication.propagate(args);
}

function wrongSub(ctx: MainContext, args: Buffer[]): void {
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1')}'. Try PUBSUB HELP.`);
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern] */
function channels(kind: SubKind) {
  return (ctx: MainContext, args: Buffer[]): void => {
    if (args.length > 3) return wrongSub(ctx, args);
    const list = ctx.server.pubsub.active(kind, args.length === 3 ? args[2] : null);
    ctx.out.array(list.length);
    for (const c of list) ctx.out.bulk(c);
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: a flat array in both protocols, as Redis. */
function numsub(kind: SubKind) {
  return (ctx: MainContext, args: Buffer[]): void => {
    ctx.out.array((args.length - 2) * 2);
    for (let i = 2; i < args.length; i++) {
      ctx.out.bulk(args[i]);
      ctx.out.int(ctx.server.pubsub.subscribers(kind, args[i]));
    }
  };
}

function numpat(ctx: MainContext): void {
  ctx.out.int(ctx.server.pubsub.size(SUB_PATTERN));
}

function pubsubHelp(ctx: MainContext): void {
  help(ctx, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

/** What a RESP2 client may run while subscribed. */
const SUBSCRIBED_MODE = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'ping', 'quit', 'reset']);

/**
 * The router asks this for a client with subscriptions: the error for a command a RESP2 client
 * may not run while subscribed, or null (RESP3 clients may run anything).
 */
export function subscribedModeError(conn: Connection, def: CommandDef): string | null {
  if (conn.proto !== 2 || SUBSCRIBED_MODE.has(def.name)) return null;
  return `ERR Can't execute '${def.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

connectionHooks.reset.push((conn, server) => server.pubsub.dropAll(conn));
connectionHooks.describe.push((conn, st) => {
  const s = conn.subscriptions;
  if (conn.subscribed === 0 || s === null) return;
  st.flags = 'P' + st.flags; // Redis lists P before x (MULTI) and b (blocked)
  st.sub = s.byKind[SUB_CHANNEL].size;
  st.psub = s.byKind[SUB_PATTERN].size;
  st.ssub = s.byKind[SUB_SHARD].size;
});

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const PUB_FLAGS = ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'] as const;
const INTROSPECTION = ['pubsub', 'loading', 'stale'] as const;
const SHARD_CHANNELS = [keySpec(['not_key'], 1, -1)];

export const pubsubCommands: CommandDef[] = [
  cmd({
    name: 'subscribe', channels: { first: 1, one: false, pattern: false }, arity: -2, flags: [...SUB_FLAGS], main: subscriber(SUB_CHANNEL),
    summary: 'Listen for messages published to the given channels', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of channels to subscribe to.',
  }),
  cmd({
    name: 'unsubscribe', arity: -1, flags: [...SUB_FLAGS], main: unsubscriber(SUB_CHANNEL),
    summary: 'Stop listening for messages posted to the given channels', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
  }),
  cmd({
    name: 'psubscribe', channels: { first: 1, one: false, pattern: true }, arity: -2, flags: [...SUB_FLAGS], main: subscriber(SUB_PATTERN),
    summary: 'Listen for messages published to channels matching the given patterns', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
  }),
  cmd({
    name: 'punsubscribe', arity: -1, flags: [...SUB_FLAGS], main: unsubscriber(SUB_PATTERN),
    summary: 'Stop listening for messages posted to channels matching the given patterns', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
  }),
  cmd({
    name: 'publish', channels: { first: 1, one: true, pattern: false }, arity: 3, flags: [...PUB_FLAGS], main: publish,
    summary: 'Post a message to a channel', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
  }),
  cmd({
    name: 'ssubscribe', channels: { first: 1, one: false, pattern: false }, arity: -2, flags: [...SUB_FLAGS], main: subscriber(SUB_SHARD), keySpecs: SHARD_CHANNELS,
    summary: 'Listen for messages published to the given shard channels', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of shard channels to subscribe to.',
  }),
  cmd({
    name: 'sunsubscribe', arity: -1, flags: [...SUB_FLAGS], main: unsubscriber(SUB_SHARD), keySpecs: SHARD_CHANNELS,
    summary: 'Stop listening for messages posted to the given shard channels', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.',
  }),
  cmd({
    name: 'spublish', channels: { first: 1, one: true, pattern: false }, arity: 3, flags: [...PUB_FLAGS], main: spublish, keySpecs: [keySpec(['not_key'])],
    summary: 'Post a message to a shard channel', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
  }),
  cmd({
    name: 'pubsub', arity: -2,
    summary: 'A container for Pub/Sub commands', since: '2.8.0', group: 'pubsub', complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'pubsub|channels', arity: -2, flags: [...INTROSPECTION], main: channels(SUB_CHANNEL),
        summary: 'List active channels', since: '2.8.0', group: 'pubsub',
        complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
      }),
      cmd({
        name: 'pubsub|numsub', arity: -2, flags: [...INTROSPECTION], main: numsub(SUB_CHANNEL),
        summary: 'Get the count of subscribers for channels', since: '2.8.0', group: 'pubsub',
        complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
      }),
      cmd({
        name: 'pubsub|numpat', arity: 2, flags: [...INTROSPECTION], main: numpat,
        summary: 'Get the count of unique patterns pattern subscriptions', since: '2.8.0', group: 'pubsub', complexity: 'O(1)',
      }),
      cmd({
        name: 'pubsub|shardchannels', arity: -2, flags: [...INTROSPECTION], main: channels(SUB_SHARD),
        summary: 'List active shard channels', since: '7.0.0', group: 'pubsub',
        complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
      }),
      cmd({
        name: 'pubsub|shardnumsub', arity: -2, flags: [...INTROSPECTION], main: numsub(SUB_SHARD),
        summary: 'Get the count of subscribers for shard channels', since: '7.0.0', group: 'pubsub',
        complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
      }),
      cmd({
        name: 'pubsub|help', arity: 2, flags: ['loading', 'stale'], main: pubsubHelp,
        summary: 'Show helpful text about the different subcommands', since: '6.2.0', group: 'pubsub', complexity: 'O(1)',
      }),
    ],
  }),
];
