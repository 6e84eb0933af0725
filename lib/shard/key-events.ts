// The keyspace events of a binlog effect, from the command table: an effect is a command (what a
// replica applies), its keys are where the table's key specs say, and its events are what its
// entry declares (CommandDef.keyEvents: by default its own name, when that is one of Redis's
// events, on each of its keys). A store room that logs an effect under another command's name
// (SPOP as SREM, INCRBYFLOAT as SET ... KEEPTTL, an expiry as DEL) states the event itself, and
// it applies to the effect's first key. The keys that get an event are the keys the effect
// modified (for client tracking); an effect whose events are stated elsewhere (EV.none) modified
// all of its keys.

import { keyIndexes, lookupBytes } from '../commands/registry.js';
import type { CommandDef, KeyEventEmitter } from '../commands/types.js';
import { EV, eventId, type KeyEventLog } from '../store/key-events.js';

/** Per command index: the event its name stands for (0: none), computed once. */
const ownEvent: number[] = [];

function ownEventOf(def: CommandDef): number {
  let ev = ownEvent[def.index!];
  if (ev === undefined) ev = ownEvent[def.index!] = eventId(def.name);
  return ev;
}

class Emitter implements KeyEventEmitter {
  log: KeyEventLog = null as unknown as KeyEventLog;
  db = 0;

  event(key: Buffer, ev: number, db = this.db): void {
    this.log.event(db, key, ev);
  }

  flushed(db: number): void {
    this.log.flushed(db);
  }
}

const emitter = new Emitter();

/**
 * Derives the events of effect `args` in `db`: `ev` -1 for the ones its table entry declares,
 * EV.none for none, else that event on its first key. Installed as KeyEventLog.deriveEffect.
 */
export function deriveEffectEvents(log: KeyEventLog, db: number, args: Buffer[], ev: number): void {
  const def = lookupBytes(args[0]);
  if (def === undefined) throw new Error(`binlog effect ${args[0].toString('latin1')} is not a command`);
  const keys = keyIndexes(def, args);
  if (ev === EV.none) {
    if (log.report) for (let i = 0; i < keys.length; i++) if (keys[i] < args.length) log.modified(db, args[keys[i]]);
    return;
  }
  if (ev > 0) {
    if (keys.length > 0) log.event(db, args[keys[0]], ev);
    return;
  }
  const spec = def.keyEvents;
  if (typeof spec === 'function') {
    emitter.log = log;
    emitter.db = db;
    spec(args, emitter);
    return;
  }
  const own = spec ?? ownEventOf(def);
  if (own === EV.none) return;
  for (let i = 0; i < keys.length; i++) if (keys[i] < args.length) log.event(db, args[keys[i]], own);
}
