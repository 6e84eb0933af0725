// What the backup tests share: servers started in one temporary root (stopped and removed at the
// end of the file), replies as text, and INFO persistence read and waited on.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRespdb, type RespdbProc } from './servers.js';
import { formatReply, type RawClient, type Reply } from './resp-client.js';

export interface BackupHarness {
  root: string;
  start(args: string[], dir?: string): Promise<RespdbProc>;
}

/** A temporary root and a starter of 2-shard servers, all cleaned up in the file's teardown. */
export function backupHarness(prefix: string): BackupHarness {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const procs: RespdbProc[] = [];
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(async () => {
    clearInterval(keepAlive);
    await Promise.all(procs.map((p) => p.stop().catch(() => {})));
    fs.rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    async start(args: string[], dir?: string): Promise<RespdbProc> {
      const p = await startRespdb({ shards: 2, dir, args });
      procs.push(p);
      return p;
    },
  };
}

/** A reply as `simple:OK` / `error:ERR ...`, or its formatted form. */
export function text(r: Reply): string {
  return r.t === 'simple' || r.t === 'error' ? `${r.t}:${r.v}` : formatReply(r);
}

/** INFO persistence as field -> value. */
export async function persistenceInfo(c: RawClient): Promise<Map<string, string>> {
  const body = ((await c.send('INFO', 'persistence')) as { v: Buffer }).v.toString();
  return new Map(body.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

/** INFO persistence once `ok` holds for it (the file's timeout bounds the wait). */
export async function untilPersistence(c: RawClient, ok: (f: Map<string, string>) => boolean): Promise<Map<string, string>> {
  for (;;) {
    const f = await persistenceInfo(c);
    if (ok(f)) return f;
    await new Promise((r) => setTimeout(r, 20));
  }
}
