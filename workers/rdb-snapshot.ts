// Snapshot thread entry point: the RDB writer of a consistent cut (lib/replication/snapshot-thread.ts).
import { runSnapshotThread } from '../lib/replication/snapshot-thread.js';

runSnapshotThread();
