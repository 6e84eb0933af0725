// Scripts and function libraries kept with the data: shard 0's `info` sub-database, under
// `script:<sha1>` (the body) and `function:<library>` (the code), written in shard 0's
// transactions (internal `script-store`), read back at startup. So EVALSHA and FCALL keep working
// across restarts, as Redis keeps functions in its RDB.

import type { ShardExec, Tx } from '../commands/types.js';
import type { ShardStore } from '../store/shard-store.js';
import type { ShardSet } from '../shard/set.js';
import { internal } from '../commands/registry.js';

const SCRIPT = 'script:';
const LIBRARY = 'function:';
const STORE = Buffer.from('script-store');

interface Entries {
  getRange(o: { start: Buffer; end: Buffer }): Iterable<{ key: Buffer; value: Buffer }>;
  putSync(k: Buffer, v: Buffer): void;
  removeSync(k: Buffer): void;
}

function range(prefix: string): { start: Buffer; end: Buffer } {
  return { start: Buffer.from(prefix, 'latin1'), end: Buffer.from(prefix.slice(0, -1) + ';', 'latin1') };
}

/** script-store put <key> <value> | del <key> | clear <prefix>: on shard 0. */
export function scriptStoreOnShard(x: ShardExec, args: Buffer[]): void {
  const info = x.store.info as unknown as Entries;
  const op = args[1].toString('latin1');
  if (op === 'put') info.putSync(args[2], args[3]);
  else if (op === 'del') info.removeSync(args[2]);
  else for (const { key } of info.getRange(range(args[2].toString('latin1')))) info.removeSync(key);
  x.out.ok();
}

export class SavedScripts {
  constructor(private readonly shards: ShardSet) {}

  private send(args: string[], value?: Buffer): void {
    const a: Buffer[] = [STORE, ...args.map((s) => Buffer.from(s, 'latin1'))];
    if (value) a.push(value);
    void this.shards.call(0, internal('script-store'), 0, 2, a);
  }

  saveScript(sha: string, body: Buffer): void {
    this.send(['put', SCRIPT + sha], body);
  }

  flushScripts(): void {
    this.send(['clear', SCRIPT]);
  }

  saveLibrary(name: string, code: Buffer): void {
    this.send(['put', LIBRARY + name], code);
  }

  deleteLibrary(name: string): void {
    this.send(['del', LIBRARY + name]);
  }

  flushLibraries(): void {
    this.send(['clear', LIBRARY]);
  }

  /**
   * Every saved script and library as shard 0's `info` holds them (key, value), to be written
   * back with `script-store put` into another data set (a replica's full sync keeps them).
   */
  static entries(view: ShardStore): Array<[Buffer, Buffer]> {
    const info = view.info as unknown as Entries;
    const out: Array<[Buffer, Buffer]> = [];
    for (const prefix of [SCRIPT, LIBRARY]) for (const { key, value } of info.getRange(range(prefix))) out.push([Buffer.from(key), Buffer.from(value)]);
    return out;
  }

  /** Writes entries() into shard 0, held by `tx` (its data set was replaced). */
  static async writeBack(tx: Tx, entries: Array<[Buffer, Buffer]>): Promise<void> {
    const def = internal('script-store');
    for (const [key, value] of entries) await tx.exec(0, def, 0, [STORE, Buffer.from('put'), key, value]);
  }

  /** What shard 0 holds (its read-only view, at startup). */
  static load(view: ShardStore): { scripts: Array<[string, Buffer]>; libraries: Array<[string, Buffer]> } {
    const info = view.info as unknown as Entries;
    const read = (prefix: string): Array<[string, Buffer]> =>
      [...info.getRange(range(prefix))].map(({ key, value }) => [key.toString('latin1').slice(prefix.length), Buffer.from(value)]);
    return { scripts: read(SCRIPT), libraries: read(LIBRARY) };
  }
}
