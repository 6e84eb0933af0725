// Shared pieces of INFO's sections: how Redis prints sizes and CPU times, and reading directives
// that a build may not define (INFO prints Redis's default for those).

import type { Server } from '../server.js';

/** One section's field lines (without line ends). */
export type Section = (s: Server) => string[];

/** Redis bytesToHuman. */
export function human(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** Seconds with 6 decimals, from µs. */
export function cpuSeconds(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(Math.floor(us % 1e6)).padStart(6, '0')}`;
}

/** A ratio as Redis prints it (2 decimals), 0 when undefined. */
export function ratio(a: number, b: number): string {
  return (b > 0 ? a / b : 0).toFixed(2);
}

/** A numeric directive, or `fallback` when this build has no such directive. */
export function optNum(s: Server, name: string, fallback: number): number {
  try {
    return s.config.num(name);
  } catch {
    return fallback;
  }
}

/** A string directive, or `fallback` when this build has no such directive. */
export function optStr(s: Server, name: string, fallback: string): string {
  try {
    return String(s.config.get(name));
  } catch {
    return fallback;
  }
}
