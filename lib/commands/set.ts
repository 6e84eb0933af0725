// set commands (filled in by the collections work).
import type { CommandDef } from './types.js';

export const setCommands: CommandDef[] = [];
