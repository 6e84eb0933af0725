// The scripts and libraries one thread's engine has compiled (a shard, the cross-shard script
// thread), by id: a script's SHA1, a library's name. The main thread sends the code along until
// it knows the thread has it, and tells every thread to forget what SCRIPT FLUSH, FUNCTION
// FLUSH / DELETE / LOAD REPLACE dropped.

import type { ScriptEngine, CompiledScript, LoadedLibrary } from './engine.js';

export type Runnable = { script: CompiledScript; lib?: undefined } | { lib: LoadedLibrary; script?: undefined };

export class CompiledCode {
  private readonly scripts = new Map<string, CompiledScript>();
  private readonly libraries = new Map<string, LoadedLibrary>();

  constructor(readonly engine: ScriptEngine) {}

  /**
   * The script or library `id`, compiled from `code` when given (a library's new code replaces the
   * old one); null when the thread does not have it and no code came; Redis's error text when the
   * code does not compile.
   */
  get(isFunction: boolean, id: string, code: Uint8Array | null): Runnable | string | null {
    const e = this.engine;
    const has = code !== null && code.length > 0;
    if (isFunction) {
      let lib = this.libraries.get(id);
      if (has) {
        const loaded = e.loadLibrary(Buffer.from(code));
        if (typeof loaded === 'string') return loaded;
        if (lib) e.dropLibrary(lib);
        this.libraries.set(id, (lib = loaded));
      }
      return lib ? { lib } : null;
    }
    let script = this.scripts.get(id);
    if (!script && has) {
      const compiled = e.compileScript(Buffer.from(code), id);
      if (typeof compiled === 'string') return compiled;
      this.scripts.set(id, (script = compiled));
    }
    return script ? { script } : null;
  }

  /** scripts | functions | library <name>. */
  forget(what: readonly string[]): void {
    if (what[0] === 'scripts') {
      this.scripts.clear();
      this.engine.dropScripts();
    } else if (what[0] === 'functions') {
      for (const l of this.libraries.values()) this.engine.dropLibrary(l);
      this.libraries.clear();
    } else {
      const l = this.libraries.get(what[1]);
      if (l) this.engine.dropLibrary(l);
      this.libraries.delete(what[1]);
    }
  }
}
