// The store harness itself (test/support/store.ts): a write is visible after its transaction, its
// binlog effects are collected, an exception aborts the transaction and leaves nothing behind.
import t from 'tap';
import { openTestStore } from '../support/store.js';
import { payload } from '../../lib/store/meta.js';

t.test('writes commit, effects are collected, a failure aborts', async (t) => {
  const s = openTestStore(t);
  const key = Buffer.from('k');
  const { effects } = s.write((x) => {
    const f = x.store.find(x.db, key, x.now);
    x.store.putString(x.db, key, f.mk, Buffer.from('v'), 0, f.meta);
    x.binlog([Buffer.from('SET'), key, Buffer.from('v')]);
  });
  t.same(effects, [['SET', 'k', 'v']]);
  t.equal(s.read((x) => payload(x.store.get(x.db, key, x.now)!).toString()), 'v');
  t.throws(() =>
    s.write((x) => {
      const f = x.store.find(x.db, Buffer.from('gone'), x.now);
      x.store.putString(x.db, Buffer.from('gone'), f.mk, Buffer.from('v'), 0, f.meta);
      throw new Error('boom');
    }),
  );
  t.equal(s.read((x) => x.store.get(x.db, Buffer.from('gone'), x.now)), null, 'the aborted write left nothing');
  t.equal(s.read((x) => x.store.get(1, key, x.now)), null, 'databases are separate');
});
