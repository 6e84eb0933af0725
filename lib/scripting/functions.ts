// Function libraries (FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE, FCALL) on the main
// thread. The main thread's engine loads each library once to learn its functions and their
// flags; the shards (and the cross-shard script thread) load a library's code the first time
// they run one of its functions, and forget it when it is replaced or deleted. Libraries are kept
// with the data (lib/scripting/saved.ts), as Redis keeps them in its RDB.

import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import type { FunctionInfo } from './engine-types.js';
import type { LoadedLibrary } from './engine.js';
import { numKeys, RO_WITH_WRITE_FLAG, type RunPlan } from './scripts.js';
import { RUN_FUNCTION, RUN_READ_ONLY } from './session.js';
import { logger } from '../log.js';

const log = logger('functions');

export interface Library {
  name: string;
  /** `name` as script-run's argument. */
  nameArg: Buffer;
  code: Buffer;
  functions: FunctionInfo[];
  /** The main engine's copy (only for what it declared). */
  loaded: LoadedLibrary;
  /** Shards that have this version loaded. */
  on: Set<number>;
  /** Functions that reached other shards once. */
  crossShard: Set<string>;
}

export class FunctionLibraries {
  private readonly libraries = new Map<string, Library>();
  private readonly byFunction = new Map<string, Library>();

  constructor(private readonly server: Server) {}

  get all(): Library[] {
    return [...this.libraries.values()];
  }

  get functionCount(): number {
    return this.byFunction.size;
  }

  /** At startup: the saved libraries. */
  restore(saved: Array<[string, Buffer]>): void {
    for (const [name, code] of saved) {
      const r = this.load(code, true, false);
      if (typeof r === 'string') log.error({ library: name, err: r }, 'saved library not loaded');
    }
  }

  /**
   * FUNCTION LOAD [REPLACE]: the library's name, or Redis's error. `persist`: keep it with the
   * data (not while restoring what is already kept).
   */
  load(code: Buffer, replace: boolean, persist = true): string | { name: string } {
    const engine = this.server.scripting.engine;
    const loaded = engine.loadLibrary(code);
    if (typeof loaded === 'string') return loaded;
    const old = this.libraries.get(loaded.name);
    if (old && !replace) {
      engine.dropLibrary(loaded);
      return `ERR Library '${loaded.name}' already exists`;
    }
    for (const f of loaded.functions) {
      const owner = this.byFunction.get(f.name);
      if (owner && owner !== old) {
        engine.dropLibrary(loaded);
        return `ERR Function ${f.name} already exists`;
      }
    }
    if (old) this.drop(old);
    const lib: Library = { name: loaded.name, nameArg: Buffer.from(loaded.name, 'latin1'), code: Buffer.from(code), functions: loaded.functions, loaded, on: new Set(), crossShard: new Set() };
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions) this.byFunction.set(f.name, lib);
    if (persist) this.server.scripting.saved.saveLibrary(lib.name, lib.code);
    return { name: lib.name };
  }

  private drop(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions) this.byFunction.delete(f.name);
    this.server.scripting.engine.dropLibrary(lib.loaded);
    void this.server.scripting.forget(['library', lib.name]);
  }


  /**
   * FUNCTION RESTORE: the payload's libraries, all or none: FLUSH drops the current ones first,
   * APPEND refuses a library that exists, REPLACE replaces it. Redis's error, or null.
   */
  restorePayload(codes: Buffer[], policy: 'flush' | 'append' | 'replace', payloadError: string | null = null): string | null {
    const engine = this.server.scripting.engine;
    const loaded: LoadedLibrary[] = [];
    const dropAll = (): void => {
      for (const l of loaded) engine.dropLibrary(l);
    };
    for (const code of codes) {
      const l = engine.loadLibrary(code);
      if (typeof l === 'string') {
        dropAll();
        return l;
      }
      loaded.push(l);
    }
    if (payloadError !== null) {
      dropAll();
      return payloadError;
    }
    const names = new Set<string>();
    const fnames = new Set<string>();
    for (const l of loaded) {
      if (names.has(l.name)) {
        dropAll();
        return `ERR Library '${l.name}' already exists`;
      }
      if (policy === 'append' && this.libraries.has(l.name)) {
        dropAll();
        return `ERR Library ${l.name} already exists`;
      }
      names.add(l.name);
      for (const f of l.functions) {
        const owner = policy === 'flush' ? undefined : this.byFunction.get(f.name);
        if (fnames.has(f.name) || (owner !== undefined && !names.has(owner.name))) {
          dropAll();
          return `ERR Function ${f.name} already exists`;
        }
        fnames.add(f.name);
      }
    }
    for (const l of loaded) engine.dropLibrary(l);
    if (policy === 'flush') void this.flush();
    codes.forEach((code) => this.load(code, true));
    return null;
  }

  /** FUNCTION DUMP: the libraries' codes. */
  codes(): Buffer[] {
    return this.all.map((l) => l.code);
  }

  delete(name: string): string | null {
    const lib = this.libraries.get(name);
    if (!lib) return 'ERR Library not found';
    this.drop(lib);
    this.server.scripting.saved.deleteLibrary(name);
    return null;
  }

  flush(): Promise<void> {
    for (const lib of this.libraries.values()) this.server.scripting.engine.dropLibrary(lib.loaded);
    this.libraries.clear();
    this.byFunction.clear();
    this.server.scripting.saved.flushLibraries();
    return this.server.scripting.forget(['functions']);
  }

  /** FCALL / FCALL_RO. */
  fcall(ctx: MainContext, args: Buffer[], readOnly: boolean): Promise<void> | void {
    const keys = numKeys(args);
    if (typeof keys === 'string') return ctx.out.error(keys);
    const fname = args[1].toString('latin1');
    const lib = this.byFunction.get(fname);
    if (!lib) return ctx.out.error('ERR Function not found');
    const info = lib.functions.find((f) => f.name === fname)!;
    let flags = RUN_FUNCTION;
    const noWrites = info.flags.includes('no-writes');
    if (readOnly && !noWrites) return ctx.out.error(RO_WITH_WRITE_FLAG);
    if (readOnly || noWrites) flags |= RUN_READ_ONLY;
    const plan: RunPlan = {
      flags,
      id: lib.name,
      idArg: lib.nameArg,
      code: lib.code,
      fname,
      keys: args.slice(3, 3 + keys),
      argv: args.slice(3 + keys),
      command: args,
      on: lib.on,
      get crossShard() {
        return lib.crossShard.has(fname);
      },
      markCrossShard() {
        lib.crossShard.add(fname);
      },
    };
    return this.server.scripting.start(ctx, plan);
  }
}
