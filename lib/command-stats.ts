// INFO commandstats: calls, rejected and failed calls per command (Redis field names).

import type { CommandDef } from './commands/types.js';

export interface CommandStat {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
}

export class CommandStats {
  private readonly m = new Map<string, CommandStat>();
  /** The same records by command index: two lookups per command, so no string-keyed Map on the hot path. */
  private byIndex: (CommandStat | undefined)[] = [];

  private get(def: CommandDef): CommandStat {
    const i = def.index ?? -1;
    let s = i >= 0 ? this.byIndex[i] : undefined;
    if (s !== undefined) return s;
    s = this.m.get(def.name);
    if (!s) {
      s = { calls: 0, usec: 0, rejected: 0, failed: 0 };
      this.m.set(def.name, s);
    }
    if (i >= 0) this.byIndex[i] = s;
    return s;
  }

  call(def: CommandDef): void {
    this.get(def).calls++;
  }

  rejected(def: CommandDef): void {
    this.get(def).rejected++;
  }

  failed(def: CommandDef): void {
    this.get(def).failed++;
  }

  time(def: CommandDef, usec: number): void {
    this.get(def).usec += usec;
  }

  entries(): Array<[string, CommandStat]> {
    return [...this.m.entries()];
  }

  reset(): void {
    this.m.clear();
    this.byIndex = [];
  }
}
