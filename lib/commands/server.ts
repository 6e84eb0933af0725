// Server commands (INFO, CONFIG, COMMAND, ...), run on the main thread.

import type { CommandDef } from './types.js';

export const serverCommands: CommandDef[] = [];
