// Preloaded (--import) into the node processes the tests start, in place of tap's own
// @tapjs/processinfo import when tap collects coverage: it does the same registration
// (process tree, V8 coverage written at exit, the environment passed on to children) but
// registers no module-load hooks. Those hooks pass every module load of every thread through a
// hooks thread, which made a 4-shard respdb start in 11-15 s instead of about 5 s on a loaded
// 2-core machine; the coverage does not need them (line lengths come from the source maps).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// the package exports only its index; this file sits beside the CommonJS index's ESM twin
const index = createRequire(import.meta.url).resolve('@tapjs/processinfo');
const file = path.join(path.dirname(index), '..', 'esm', 'get-process-info.js');
const mod = (await import(pathToFileURL(file).href)) as { getProcessInfo(): unknown };
mod.getProcessInfo();
