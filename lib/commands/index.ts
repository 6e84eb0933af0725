// The command families, in table order. Only the threads' entry points (bin/respdb.ts,
// workers/shard.ts, workers/slow.ts) import this, to install the table before anything reads it:
// the families themselves import the registry, never this list, so no family depends on another
// through the table.

import type { CommandDef } from './types.js';
import { install } from './registry.js';
import { stringCommands } from './string.js';
import { keyspaceCommands } from './keyspace.js';
import { connectionCommands } from './connection.js';
import { clientCommands } from './client.js';
import { monitorCommands } from './monitor.js';
import { serverCommands } from './server.js';
import { aclCommands } from './acl.js';
import { backupCommands } from './backup.js';
import { internalCommands } from './internal.js';
import { hashCommands } from './hash.js';
import { listCommands } from './list.js';
import { setCommands } from './set.js';
import { zsetCommands } from './zset.js';
import { streamCommands } from './stream.js';
import { streamReadCommands } from './stream-read.js';
import { blockingCommands } from './blocking.js';
import { sortCommands } from './sort.js';
import { diagnosticsCommands } from './diagnostics.js';
import { pubsubCommands } from './pubsub.js';
import { txnCommands } from './txn.js';
import { scriptingCommands } from './scripting.js';
import { functionCommands } from './functions.js';
import { memoryCommands } from './memory.js';
import { dumpCommands } from './dump.js';
import { replicationCommands } from './replication.js';
import { replicaofCommands } from './replicaof.js';

export const FAMILIES: readonly CommandDef[][] = [
  stringCommands,
  keyspaceCommands,
  hashCommands,
  listCommands,
  setCommands,
  zsetCommands,
  streamCommands,
  streamReadCommands,
  blockingCommands,
  sortCommands,
  connectionCommands,
  clientCommands,
  monitorCommands,
  serverCommands,
  aclCommands,
  backupCommands,
  diagnosticsCommands,
  pubsubCommands,
  txnCommands,
  scriptingCommands,
  functionCommands,
  memoryCommands,
  dumpCommands,
  replicationCommands,
  replicaofCommands,
  internalCommands,
];

/** Installs every family into the command table (idempotent). */
export function installCommands(): void {
  install(FAMILIES as CommandDef[][]);
}
