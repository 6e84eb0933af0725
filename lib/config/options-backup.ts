// The directives of backups and compaction (lib/backup/), as Pika 3.5 documents them.

import type { OptionDef } from './options.js';

/** Pika's compact-cron: "weekdays/start-end/ratio" (1-7/02-04/60), or empty. */
export function validateCompactCron(v: string): string | null {
  if (v === '') return null;
  const m = /^(\d)-(\d)\/(\d{1,2})-(\d{1,2})\/(\d{1,3})$/.exec(v);
  if (!m) return 'invalid compact-cron: expected weekdays/start-end/ratio, e.g. 1-7/02-04/60';
  const [d1, d2, h1, h2, r] = m.slice(1).map(Number);
  if (d1 < 1 || d2 > 7 || d1 > d2) return 'invalid compact-cron: weekdays are 1 (Monday) to 7 (Sunday), first <= last';
  if (h1 > 23 || h2 > 24 || h1 >= h2) return 'invalid compact-cron: hours are 00 to 24, start < end';
  if (r > 100) return 'invalid compact-cron: the ratio is a percentage (0-100)';
  return null;
}

/** Pika's compact-interval: "interval/ratio" (hours / free-page percentage), or empty. */
export function validateCompactInterval(v: string): string | null {
  if (v === '') return null;
  const m = /^(\d+)\/(\d{1,3})$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) > 100) return 'invalid compact-interval: expected interval/ratio, e.g. 6/60 (hours, free-page percentage)';
  return null;
}

// prettier-ignore
export const BACKUP_OPTIONS: readonly OptionDef[] = [
  { name: 'dump-path', type: 'string', default: './dump/', mutable: true, doc: 'effect: where SAVE / BGSAVE write backups (relative to dir)' },
  { name: 'dump-prefix', type: 'string', default: '', mutable: true, doc: 'effect: prefix of backup directory names (<prefix><YYYYMMDDHHMMSS>)' },
  { name: 'dump-expire', type: 'int', default: '0', min: 0, max: 2147483647, mutable: true, doc: 'effect: days after which backups are removed (0 = never)' },
  { name: 'rdb-key-save-delay', type: 'int', default: '0', min: -2147483648, max: 2147483647, mutable: true, doc: 'effect: microseconds a backup or compaction copy waits per record copied (tests; 0 = none)' },
  { name: 'disable_auto_compactions', type: 'bool', default: 'no', mutable: true, doc: 'effect: yes: compact-cron and compact-interval start no compaction' },
  { name: 'compact-cron', type: 'string', default: '', validate: validateCompactCron, mutable: true, doc: 'effect: compact on these weekdays between these hours when the free pages reach ratio % (1-7/02-04/60)' },
  { name: 'compact-interval', type: 'string', default: '', validate: validateCompactInterval, mutable: true, doc: 'effect: compact every interval hours when the free pages reach ratio % (6/60)' },
];
