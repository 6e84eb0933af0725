// Shard thread entry point: one LMDB environment, the commands routed to it.
import { workerData, parentPort } from 'node:worker_threads';
import { installCommands } from '../lib/commands/index.js';
import { applyRenames } from '../lib/commands/registry.js';
import { ShardRuntime } from '../lib/shard/runtime.js';
import { prepareShardScripting } from '../lib/scripting/shard-run.js';
import type { ShardInit } from '../lib/shard/protocol.js';

try {
  installCommands();
  const init = workerData as ShardInit;
  applyRenames(init.renames);
  await prepareShardScripting(init);
  new ShardRuntime(init).start();
} catch (e) {
  parentPort!.postMessage({ t: 'fatal', message: (e as Error).message });
}
