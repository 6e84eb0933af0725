// Copier thread entry point: copies pinned snapshots of shard environments (lib/backup/copy-thread.ts).
import { runCopier } from '../lib/backup/copy-thread.js';

runCopier();
