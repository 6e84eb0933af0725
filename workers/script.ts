// Cross-shard script thread entry point (lib/scripting/script-thread.ts).
import { workerData, parentPort } from 'node:worker_threads';
import { installCommands } from '../lib/commands/index.js';
import { applyRenames } from '../lib/commands/registry.js';
import { ScriptThread, type ScriptThreadInit, type ToScriptThread } from '../lib/scripting/script-thread.js';

installCommands();
applyRenames((workerData as ScriptThreadInit).renames);
const thread = await ScriptThread.create(workerData as ScriptThreadInit, (m) => parentPort!.postMessage(m));
parentPort!.on('message', (m: ToScriptThread) => thread.handle(m));
