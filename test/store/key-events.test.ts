// The shard side of keyspace events, on a store without a server: what the log records for the
// effects the store rooms write (lazy and active expiry, creations, emptied collections, reads
// that miss, reports of modified keys), nothing while it is off, and the helpers that order the
// parts of a cross-shard command and read notify-keyspace-events.
import t, { type Test } from 'tap';
import { installCommands } from '../../lib/commands/index.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { deriveEffectEvents } from '../../lib/shard/key-events.js';
import {
  EVENT_NAMES,
  EV,
  NOTIFY_ALL,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  NOTIFY_KEY_MISS,
  NOTIFY_NEW,
  REC_FLUSHED,
  REC_MODIFIED,
  REC_MODIFIED_BY_SERVER,
  REPORT_MODIFIED,
  forEachRecord,
  mergeParts,
  notifyClassesText,
  parseNotifyClasses,
} from '../../lib/store/key-events.js';
import { sweepExpired } from '../../lib/store/sweep.js';
import { setString } from '../../lib/store/string.js';
import { addMembers, removeMembers } from '../../lib/store/set.js';
import { deleteKeys } from '../../lib/store/keyspace.js';
import { flushDb } from '../../lib/store/keyspace-db.js';
import { DEL } from '../../lib/store/effects.js';

installCommands();

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const ALL_ON = NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT | NOTIFY_NEW | NOTIFY_KEY_MISS;

function open(tt: Test, word: number): TestStore {
  const s = openTestStore(tt);
  s.store.events.deriveEffect = deriveEffectEvents;
  s.store.configureEvents(word);
  return s;
}

/** The records written since the last call, as "event key" (reports as "+key", "!key", "flush db"), then cleared. */
function taken(s: TestStore): string[] {
  const ev = s.store.events;
  ev.endCommand();
  const out: string[] = [];
  forEachRecord(ev.records(), 0, ev.records().length, (code, db, key) => {
    const k = (db === 0 ? '' : `${db}:`) + key.toString('latin1');
    if (code === REC_MODIFIED) out.push(`+${k}`);
    else if (code === REC_MODIFIED_BY_SERVER) out.push(`!${k}`);
    else if (code === REC_FLUSHED) out.push(`flush ${db}`);
    else out.push(`${EVENT_NAMES[code].toString('latin1')} ${k}`);
  });
  ev.clear();
  return out;
}

t.test('off: nothing is collected', (t) => {
  const s = open(t, 0);
  t.equal(s.store.events.active, false);
  s.write((x) => setString(x, B('k'), B('v'), 0, null));
  s.write((x) => addMembers(x, [B('SADD'), B('s'), B('a')]));
  t.equal(s.store.events.count, 0);
  t.same(taken(s), []);
  // K or E alone publishes nothing, and neither do classes without K or E
  s.store.configureEvents(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
  t.equal(s.store.events.active, false);
  s.store.configureEvents(NOTIFY_ALL);
  t.equal(s.store.events.active, false);
  t.end();
});

t.test('creations, the command event, emptied collections', (t) => {
  const s = open(t, ALL_ON);
  s.write((x) => setString(x, B('k'), B('v'), 0, null));
  t.same(taken(s), ['new k', 'set k'], 'a new key: new before set (no blind write while new is published)');
  s.write((x) => setString(x, B('k'), B('w'), 0, null));
  t.same(taken(s), ['set k']);
  s.write((x) => addMembers(x, [B('SADD'), B('s'), B('a'), B('b')]));
  t.same(taken(s), ['new s', 'sadd s']);
  s.write((x) => removeMembers(x, [B('SREM'), B('s'), B('a'), B('b')]));
  t.same(taken(s), ['srem s', 'del s'], 'the emptied set is deleted after its srem');
  s.write((x) => deleteKeys(x, [B('k'), B('nosuch')], 0, DEL));
  t.same(taken(s), ['del k'], 'a missing key has no del');
  t.end();
});

t.test('lazy expiry in a write transaction, and in a read', (t) => {
  const s = open(t, ALL_ON);
  s.write((x) => setString(x, B('k'), B('v'), 0, BigInt(s.now + 10)));
  t.same(taken(s), ['new k', 'set k', 'expire k']);
  s.now += 20;
  s.store.countHits = true;
  s.write((x) => x.store.get(x.db, B('k'), x.now));
  t.same(taken(s), ['expired k', 'keymiss k'], 'a read lookup in a write transaction deletes it: expired, then keymiss');
  s.write((x) => setString(x, B('j'), B('v'), 0, BigInt(s.now + 10)));
  taken(s);
  s.now += 20;
  t.equal(s.read((x) => x.store.get(x.db, B('j'), x.now)), null, 'outside a write transaction it reads as missing');
  t.equal(s.store.metExpired, true, '...and the store says only the shard can expire it');
  t.same(taken(s), ['keymiss j']);
  s.store.metExpired = false;
  s.store.countHits = false;
  t.end();
});

t.test('active expiry: expired, reported as modified by the server', (t) => {
  const s = open(t, ALL_ON | REPORT_MODIFIED);
  s.write((x) => setString(x, B('k'), B('v'), 0, BigInt(s.now + 10)));
  t.same(taken(s), ['+k', 'new k', 'set k', '+k', 'expire k']);
  const n = s.write(() => sweepExpired(s.store, s.now + 20, 100)).result;
  t.equal(n, 1);
  t.same(taken(s), ['!k', 'expired k']);
  t.end();
});

t.test('reports alone: modified keys and flushes, no events', (t) => {
  const s = open(t, REPORT_MODIFIED);
  t.equal(s.store.events.active, true);
  s.write((x) => setString(x, B('k'), B('v'), 0, null));
  s.write((x) => addMembers(x, [B('SADD'), B('s'), B('a')]));
  s.write((x) => removeMembers(x, [B('SREM'), B('s'), B('a')]));
  t.same(taken(s), ['+k', '+s', '+s']);
  s.write((x) => flushDb(x));
  t.same(taken(s), ['flush 0']);
  t.end();
});

t.test('an explicit event replaces the effect\'s own on its first key; none drops it', (t) => {
  const s = open(t, ALL_ON);
  s.write((x) => {
    x.binlog([B('SREM'), B('s'), B('a')], EV.spop);
    x.binlog([B('DEL'), B('a'), B('b')], EV.none);
    x.binlog([B('MSET'), B('a'), B('1'), B('b'), B('2')]);
    x.binlog([B('RENAME'), B('a'), B('b')]);
  });
  t.same(taken(s), ['spop s', 'set a', 'set b', 'new b', 'rename_from a', 'rename_to b']);
  t.end();
});

t.test('mergeParts: the events of per-shard parts in the order of the keys', (t) => {
  const rec = (...evs: Array<[number, string]>): Buffer => {
    const parts = evs.map(([code, k]) => {
      const b = Buffer.alloc(7 + k.length);
      b[0] = code;
      b.writeUInt32LE(k.length, 3);
      b.write(k, 7, 'latin1');
      return b;
    });
    return Buffer.concat(parts);
  };
  const names = (b: Buffer): string[] => {
    const out: string[] = [];
    forEachRecord(b, 0, b.length, (code, _db, key) => out.push(`${code >= REC_MODIFIED ? '+' : EVENT_NAMES[code].toString('latin1') + ' '}${key}`));
    return out;
  };
  // MSET a 1 b 2 a 3 c 4: a and c on shard 0, b on shard 1
  const parts = new Map([
    [0, rec([REC_MODIFIED, 'a'], [EV.new, 'a'], [EV.set, 'a'], [EV.set, 'a'], [EV.expired, 'c'], [EV.new, 'c'], [EV.set, 'c'])],
    [1, rec([EV.set, 'b'])],
  ]);
  t.same(names(mergeParts([B('a'), B('b'), B('a'), B('c')], [0, 1, 0, 0], parts)), ['+a', 'new a', 'set a', 'set b', 'set a', 'expired c', 'new c', 'set c']);
  t.end();
});

t.test('notify-keyspace-events text', (t) => {
  t.equal(parseNotifyClasses('KEA'), NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
  t.equal(parseNotifyClasses('x?'), null);
  t.equal(notifyClassesText(parseNotifyClasses('KEA')!), 'AKE');
  t.equal(notifyClassesText(parseNotifyClasses('g$lshzxetd')!), 'A');
  t.equal(notifyClassesText(parseNotifyClasses('An')!), 'A', 'n is not shown beside A (as Redis)');
  t.equal(notifyClassesText(parseNotifyClasses('mKExg')!), 'gxKEm');
  t.equal(notifyClassesText(0), '');
  t.end();
});
