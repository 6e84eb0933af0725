// The progress line of `respdb-rdb` on stderr when it is a terminal: done / total, rate, ETA.

export interface ProgressLine {
  update(done: number, keys: number): void;
  clear(): void;
}

function human(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/**
 * A bar over `total` units (bytes when `bytes`, else keys; total 0 = unknown), redrawn at most
 * every 100 ms.
 */
export function progressLine(total: number, bytes: boolean, out: NodeJS.WriteStream = process.stderr): ProgressLine {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done: number, keys: number): void {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max(0.001, (now - start) / 1000);
      const rate = done / secs;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const fill = Math.round(frac * width);
      const amount = bytes ? `${human(done)}${total ? ' / ' + human(total) : ''}` : `${done}${total ? ' / ' + total : ''} keys`;
      const speed = bytes ? `${human(rate)}/s` : `${Math.round(rate)} keys/s`;
      const eta = total > 0 && rate > 0 ? duration((total - done) / rate) : '--:--';
      out.write(`\r\x1b[K[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(frac * 100).toFixed(1)}% ${amount}, ${keys} keys, ${speed}, ETA ${eta}`);
      drawn = true;
    },
    clear(): void {
      if (drawn) out.write('\r\x1b[K');
      drawn = false;
    },
  };
}
