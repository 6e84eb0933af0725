// Structured JSON logs (pino) to stdout, one child logger per module. Redis's loglevel names map
// onto pino levels. Pipe through pino-pretty for humans.

import { pino, type Logger } from 'pino';

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

export function pinoLevel(redisLevel: string): string {
  return LEVELS[redisLevel] ?? 'info';
}

let root: Logger = pino({ level: 'info', base: { pid: process.pid } }, pino.destination({ dest: 1, sync: false }));

export function setLogLevel(redisLevel: string): void {
  root.level = pinoLevel(redisLevel);
}

/** Redirects logs to a file (the `logfile` option); empty means stdout. */
export function setLogFile(path: string): void {
  if (!path) return;
  root = pino({ level: root.level, base: { pid: process.pid } }, pino.destination({ dest: path, sync: false, mkdir: true }));
}

export function logger(mod: string): Logger {
  return root.child({ mod });
}

/** Flushes buffered log lines (before exit). */
export function flushLogs(): void {
  try {
    root.flush();
  } catch {
    /* nothing to flush */
  }
}
