// Copier thread entry point: the command table (the binlog's effects name their keys through it),
// then the copier (lib/backup/copy-thread.ts).
import { installCommands } from '../lib/commands/index.js';
import { runCopier } from '../lib/backup/copy-thread.js';

installCommands();
runCopier();
