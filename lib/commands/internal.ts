// Shard-side helpers of main-thread and cross-shard commands. Not visible to clients.

import type { CommandDef } from './types.js';

export const internalCommands: CommandDef[] = [];
