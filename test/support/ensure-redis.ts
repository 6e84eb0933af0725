/**
 * pretest: make sure Debian's redis-server, redis-cli and redis-benchmark are
 * installed (the tests start their own redis-server instances on free ports
 * as a reference implementation; they never use a system service).
 *
 * - present: exit 0 immediately;
 * - missing, running as root with apt-get: apt-get update + install
 *   redis-server redis-tools (without letting the package start its service);
 * - still missing: print what to install and exit 1. Never skips silently.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BINARIES = ['redis-server', 'redis-cli', 'redis-benchmark'] as const;
const PACKAGES = ['redis-server', 'redis-tools'] as const;
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

function missing(): string[] {
  return BINARIES.filter((b) => which(b) === null);
}

function run(cmd: string, args: string[]): boolean {
  console.error(`[ensure-redis] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) console.error(`[ensure-redis] ${cmd} failed to run: ${r.error.message}`);
  return r.status === 0;
}

/**
 * Debian's redis-server postinst starts the system service (port 6379) via
 * invoke-rc.d. Tests never use it, so keep it from starting during our
 * install with a temporary policy-rc.d ("101: action forbidden"), removed
 * afterwards. An existing policy-rc.d is left untouched.
 */
function withServiceStartsBlocked<T>(fn: () => T): T {
  let created = false;
  try {
    if (!fs.existsSync(POLICY_RC_D)) {
      fs.writeFileSync(POLICY_RC_D, '#!/bin/sh\n# temporary, written by respdb test/support/ensure-redis\nexit 101\n', { mode: 0o755 });
      created = true;
    }
  } catch {
    /* not fatal: at worst the service starts on its default port, which tests don't use */
  }
  try {
    return fn();
  } finally {
    if (created) fs.rmSync(POLICY_RC_D, { force: true });
  }
}

function install(): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error('[ensure-redis] not running as root: cannot apt-get install automatically');
    return;
  }
  if (!which('apt-get')) {
    console.error('[ensure-redis] apt-get not found: cannot install automatically');
    return;
  }
  withServiceStartsBlocked(() => {
    run('apt-get', ['update']);
    if (!run('apt-get', ['install', '-y', ...PACKAGES])) {
      // an interrupted earlier dpkg run is the usual cause; repair and retry once
      run('dpkg', ['--configure', '-a']);
      run('apt-get', ['install', '-y', ...PACKAGES]);
    }
  });
}

let absent = missing();
if (absent.length === 0) process.exit(0);

console.error(`[ensure-redis] missing: ${absent.join(', ')}; trying to install Debian packages: ${PACKAGES.join(' ')}`);
install();
absent = missing();
if (absent.length > 0) {
  console.error(
    [
      '',
      `ERROR: the test suite needs ${BINARIES.join(', ')} on PATH (missing: ${absent.join(', ')}).`,
      `They come from the Debian packages: ${PACKAGES.join(' ')}`,
      `Install them with:  sudo apt-get update && sudo apt-get install -y ${PACKAGES.join(' ')}`,
      'Tests start their own redis-server on free ports; no system service is needed or used.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const v = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
console.error(`[ensure-redis] installed: ${(v.stdout ?? '').trim()}`);
