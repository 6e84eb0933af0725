// ACL LOG: the latest denied commands and failed AUTHs, newest first, at most acllog-max-len.
// An event like one of the last ten (same reason, context, object and user, within a minute of
// that entry's last update) counts into it instead of taking a line of its own.

export type LogReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua';

export interface LogEntry {
  count: number;
  reason: LogReason;
  context: LogContext;
  object: string;
  username: string;
  clientInfo: string;
  entryId: number;
  created: number;
  updated: number;
}

const GROUPING_MS = 60_000;
const SCANNED = 10;

export class AclLog {
  entries: LogEntry[] = [];
  private nextId = 0;

  constructor(private readonly maxLen: () => number) {}

  add(reason: LogReason, context: LogContext, object: string, username: string, clientInfo: string, now = Date.now()): void {
    for (let i = 0; i < Math.min(SCANNED, this.entries.length); i++) {
      const e = this.entries[i];
      if (e.reason === reason && e.context === context && e.object === object && e.username === username && now - e.updated <= GROUPING_MS) {
        e.count++;
        e.updated = now;
        e.clientInfo = clientInfo;
        return;
      }
    }
    this.entries.unshift({ count: 1, reason, context, object, username, clientInfo, entryId: this.nextId++, created: now, updated: now });
    this.trim();
  }

  trim(): void {
    const max = this.maxLen();
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries = [];
  }
}
