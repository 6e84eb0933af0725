// A respdb server in a process of its own that starts a full-sync load at once, for the kill -9
// test: `node load-child.js <dir> <rdb file>`; prints `progress <bytes>` lines while it loads.
import { loadFullSync } from '../../lib/replication/full-load.js';
import { startInProcess } from './full-load-support.js';

const [dir, file] = process.argv.slice(2);
const node = await startInProcess({ shards: 2, dir });
process.stdout.write(`ready ${node.server.port}\n`);
await loadFullSync(node.server, file, { onProgress: (bytes) => process.stdout.write(`progress ${bytes}\n`) });
process.stdout.write('loaded\n');
