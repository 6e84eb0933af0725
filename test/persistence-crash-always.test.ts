// Durability under kill -9 with appendfsync always: a write load is running when the server is
// killed; after a restart no acknowledged write is lost (test/support/crash-load.ts).
import t from 'tap';
import { dataDirs } from './support/data-dirs.js';
import { crashUnderLoad } from './support/crash-load.js';

const dirs = dataDirs(t);

t.test('kill -9 under write load, appendfsync always: no acknowledged write is lost', async (t) => {
  await crashUnderLoad(t, dirs, 4, 'always');
  await crashUnderLoad(t, dirs, 1, 'always');
  // lmdb-writemap auto means no writable map under always; forced on, its msync must be as durable
  await crashUnderLoad(t, dirs, 2, 'always', ['--lmdb-writemap', 'yes']);
});
