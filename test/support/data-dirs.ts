// Helpers of the durability tests (test/persistence*.test.ts): data directories of the test's
// own, kept across restarts and removed with every server still running when the file ends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRespdb, type RespdbProc } from './servers.js';
import type { Reply } from './resp-client.js';

export interface DataDirs {
  /** A fresh directory, removed at the end of the file. */
  tempDir(): string;
  /** A respdb on `dir` (not removed on stop), stopped at the end of the file if still running. */
  start(shards: number, dir: string, args?: string[]): Promise<RespdbProc>;
}

export function dataDirs(root: { teardown(fn: () => unknown): void }): DataDirs {
  const dirs: string[] = [];
  const procs: RespdbProc[] = [];
  // The servers' child processes are unref'd (see support/servers.ts): keep this process alive
  // while a test waits for one of them to exit.
  const keepAlive = setInterval(() => {}, 1000);
  root.teardown(async () => {
    clearInterval(keepAlive);
    await Promise.all(procs.map((p) => p.stop().catch(() => {})));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir() {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-persist-'));
      dirs.push(d);
      return d;
    },
    async start(shards, dir, args = []) {
      const p = await startRespdb({ shards, dir, args });
      procs.push(p);
      return p;
    },
  };
}

/** A reply in short: values by their length. */
export function show(r: Reply): string {
  if (r.t === 'bulk') return r.v === null ? '(nil)' : `bulk(${r.v.length})`;
  if (r.t === 'int') return `:${r.v}`;
  if (r.t === 'simple' || r.t === 'error') return `${r.t}:${r.v}`;
  return r.t;
}
