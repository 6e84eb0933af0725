// Full-sync load thread entry point: imports a replica's RDB file into a new data set
// (lib/replication/rdb-load-thread.ts).
import { runRdbLoad } from '../lib/replication/rdb-load-thread.js';

void runRdbLoad();
