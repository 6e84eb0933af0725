// INFO respdb: respdb's own figures, shown by name and in INFO all / everything (never in the
// default set, which stays Redis's). Per shard one line in the style of INFO keyspace:
//   shard0:keys=..,expires=..,data_file_bytes=..,data_disk_bytes=..,page_size=..,pages=..,used_pages=..,free_pages=..,
//          map_bytes=..,queue_depth=..,commits=..,commit_usec=..,last_commit_usec=..,fsyncs=..,
//          fsync_usec=..,last_fsync_usec=..,binlog_bytes=..
// then the totals over the shards. Pages, binlog size: sampled by each shard once a second;
// commits, fsyncs: counted as they happen; queue depth: requests the shard has not answered yet.

import type { Server } from '../server.js';
import { shardFigures } from '../server-figures.js';

export function respdbSection(s: Server): string[] {
  const shards = shardFigures(s);
  const out: string[] = [`shards:${shards.length}`];
  let file = 0;
  let disk = 0;
  let binlog = 0;
  let commits = 0;
  let fsyncs = 0;
  let fsyncUsec = 0;
  let queued = 0;
  for (const f of shards) {
    file += f.dataFileBytes;
    disk += f.dataDiskBytes;
    binlog += f.binlogBytes;
    commits += f.commits;
    fsyncs += f.fsyncs;
    fsyncUsec += f.fsyncMicros;
    queued += f.queueDepth;
    out.push(
      `shard${f.shard}:keys=${f.keys},expires=${f.expires},data_file_bytes=${f.dataFileBytes},data_disk_bytes=${f.dataDiskBytes},page_size=${f.pageSize},` +
        `pages=${f.pages},used_pages=${f.usedPages},free_pages=${f.freePages},map_bytes=${f.mapSize},queue_depth=${f.queueDepth},` +
        `commits=${f.commits},commit_usec=${Math.round(f.commitMicros)},last_commit_usec=${Math.round(f.lastCommitMicros)},` +
        `fsyncs=${f.fsyncs},fsync_usec=${Math.round(f.fsyncMicros)},last_fsync_usec=${Math.round(f.lastFsyncMicros)},` +
        `binlog_bytes=${f.binlogBytes}`,
    );
  }
  out.push(
    `data_file_bytes:${file}`,
    `data_disk_bytes:${disk}`,
    `binlog_bytes:${binlog}`,
    `queue_depth:${queued}`,
    `commits:${commits}`,
    `fsyncs:${fsyncs}`,
    `fsync_usec:${Math.round(fsyncUsec)}`,
    `appendfsync:${s.config.str('appendfsync')}`,
  );
  return out;
}
