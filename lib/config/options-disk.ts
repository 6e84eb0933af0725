// Directives of the disk-space guard (lib/store/disk-space.ts).

import type { OptionDef } from './options.js';

// prettier-ignore
export const DISK_OPTIONS: readonly OptionDef[] = [
  { name: 'disk-free-reserve', type: 'memory', default: '64mb', min: 0, max: Number.MAX_SAFE_INTEGER, mutable: true, doc: 'effect: free space the data directory keeps: below it writes that add data are refused (MISCONF), below a quarter of it every write; 0 = refuse only after a commit failed for lack of space' },
];
