// Durability under kill -9 with appendfsync everysec and no: as docs/design.md states for a
// process crash, the directory opens and the acknowledged writes are there
// (test/support/crash-load.ts).
import t from 'tap';
import { dataDirs } from './support/data-dirs.js';
import { crashUnderLoad } from './support/crash-load.js';

const dirs = dataDirs(t);

t.test('kill -9 under write load, appendfsync everysec / no: the directory opens, acknowledged writes are there', async (t) => {
  await crashUnderLoad(t, dirs, 4, 'everysec');
  // (lmdb-writemap auto: a writable map above, write(2) of each page here)
  await crashUnderLoad(t, dirs, 2, 'no', ['--lmdb-writemap', 'no']);
});
