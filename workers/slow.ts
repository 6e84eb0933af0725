// Slow-command pool thread entry point (a piscina task module): the command table, then the
// runtime (lib/slow/runtime.ts) over the shards' environments.
import { workerData } from 'node:worker_threads';
import { installCommands } from '../lib/commands/index.js';
import { SlowRuntime } from '../lib/slow/runtime.js';
import type { SlowInit, SlowResult, SlowTask } from '../lib/slow/pool.js';

installCommands();
const runtime = new SlowRuntime(workerData as SlowInit);

export default function run(task: SlowTask): Promise<SlowResult> {
  return runtime.run(task);
}
