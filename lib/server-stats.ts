// The main thread's counters behind INFO server/clients/stats/errorstats: connections, commands,
// commands per second, peak memory, error replies by kind. Per-command figures live in
// CommandStats (lib/command-stats.ts); per-shard ones in ShardStats (lib/shard/stats.ts).

/**
 * Bytes and socket operations of every client connection (INFO stats total_net_*_bytes,
 * total_reads/writes_processed), counted once per socket read and per socket write.
 */
export const NET = { inputBytes: 0, outputBytes: 0, reads: 0, writes: 0 };

/** Redis keeps at most this many kinds of error in INFO errorstats. */
const MAX_ERROR_KINDS = 128;

export class ServerCounters {
  readonly startedAt = Date.now();
  totalConnections = 0;
  totalCommands = 0;
  rejectedConnections = 0;
  lastSave = Math.floor(Date.now() / 1000);
  /** Commands per second over the last cron second. */
  opsPerSec = 0;
  private opsSample = { at: Date.now(), count: 0 };
  peakMemory = 0;
  /** used_memory when the server had started (INFO memory used_memory_startup) */
  startupMemory = 0;
  /** Network throughput over the last cron second (KB/s). */
  inputKbps = 0;
  outputKbps = 0;
  private netSample = { in: 0, out: 0 };
  totalErrorReplies = 0;
  /** Error replies by their first word (INFO errorstats). */
  readonly errorStats = new Map<string, number>();
  /** *STORE attempts computed on the slow pool whose inputs changed before they could be applied. */
  slowStoreRetries = 0;

  /** Once a second: commands per second since the last call, peak memory. */
  sample(): void {
    const now = Date.now();
    const dt = now - this.opsSample.at;
    if (dt > 0) this.opsPerSec = Math.max(0, Math.round(((this.totalCommands - this.opsSample.count) * 1000) / dt));
    if (dt > 0) {
      this.inputKbps = ((NET.inputBytes - this.netSample.in) * 1000) / dt / 1024;
      this.outputKbps = ((NET.outputBytes - this.netSample.out) * 1000) / dt / 1024;
    }
    this.netSample = { in: NET.inputBytes, out: NET.outputBytes };
    this.opsSample = { at: now, count: this.totalCommands };
    const m = process.memoryUsage();
    this.peakMemory = Math.max(this.peakMemory, m.heapUsed + m.external);
  }

  /** An error reply left for a client (RESP bytes starting with '-'). */
  errorReply(data: Buffer): void {
    this.totalErrorReplies++;
    let end = 1;
    while (end < data.length && end < 64 && data[end] !== 32 && data[end] !== 13) end++;
    const kind = data.toString('latin1', 1, end);
    const n = this.errorStats.get(kind);
    if (n !== undefined) this.errorStats.set(kind, n + 1);
    else if (this.errorStats.size < MAX_ERROR_KINDS) this.errorStats.set(kind, 1);
  }

  /** CONFIG RESETSTAT */
  reset(): void {
    this.totalCommands = 0;
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.errorStats.clear();
    NET.inputBytes = 0;
    NET.outputBytes = 0;
    NET.reads = 0;
    NET.writes = 0;
    this.netSample = { in: 0, out: 0 };
    this.opsSample = { at: Date.now(), count: 0 };
    this.opsPerSec = 0;
    const m = process.memoryUsage();
    this.peakMemory = m.heapUsed + m.external;
  }
}
