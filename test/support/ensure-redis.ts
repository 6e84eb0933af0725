/**
 * pretest: make sure Debian's redis-server, redis-cli, redis-benchmark,
 * redis-sentinel and nutcracker (twemproxy) are installed. The tests start
 * their own redis-server instances on free ports as a reference
 * implementation, and their own sentinels and proxies in front of respdb
 * (test/ha/); they never use a system service.
 *
 * - present: exit 0 immediately;
 * - missing, running as root with apt-get: apt-get update + install
 *   the packages (without letting them start their services);
 * - still missing: print what to install and exit 1. Never skips silently.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BINARIES = ['redis-server', 'redis-cli', 'redis-benchmark', 'redis-sentinel', 'nutcracker'] as const;
const PACKAGES = ['redis-server', 'redis-tools', 'redis-sentinel', 'nutcracker'] as const;
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function which(cmd: string): string | null {
  // nutcracker lives in /usr/sbin, which a user's PATH may not hold.
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin']) {
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
 * Debian's redis-server, redis-sentinel and nutcracker postinsts start their
 * system services (ports 6379, 26379, 22121) via invoke-rc.d. Tests never use them, so keep it from starting during our
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
      'Tests start their own servers, sentinels and proxies on free ports; no system service is needed or used.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const v = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
console.error(`[ensure-redis] installed: ${(v.stdout ?? '').trim()}`);
