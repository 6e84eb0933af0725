// The rules of the house (docs/design.md, "Where things live"), checked on the sources:
// - dependency-cruiser with .dependency-cruiser.cjs: no runtime import cycle in lib/, the store
//   never imports the commands, nothing in lib/ imports the families' index, workers/ import lib/
//   only, lib/ never reaches into workers/, bin/, test/ or bench/;
// - every module of lib/commands/ and lib/store/ loads on its own, in a fresh process (an import
//   cycle through the table shows up as "Cannot access ... before initialization");
// - the command table is the one source of what the router needs: no module outside
//   lib/commands/ compares a command's name.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/servers.js';

const run = promisify(execFile);

t.test('dependency rules (dependency-cruiser)', async (t) => {
  const { cruise } = await import('dependency-cruiser');
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const config = (await import(pathToFileURL(path.join(REPO_ROOT, '.dependency-cruiser.cjs')).href)).default;
    const result = await cruise(['lib', 'workers', 'bin'], { ruleSet: config, validate: true, ...config.options, outputType: 'err' });
    const out = result.output as string;
    t.ok(typeof out === 'string');
    const summary = (result.output as unknown as string).trim();
    t.equal(result.exitCode, 0, summary);
    t.ok(/no dependency violations/.test(summary), summary);
  } finally {
    process.chdir(cwd);
  }
});

t.test('a rule violation is reported (the check can fail)', async (t) => {
  const { cruise } = await import('dependency-cruiser');
  // a tree of its own: lib/a.ts and lib/b.ts import each other, lib/store/s.ts imports lib/commands/c.ts
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-cruise-'));
  const write = (f: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  };
  write('lib/a.ts', "import { b } from './b.js';\nexport const a = (): number => b();\n");
  write('lib/b.ts', "import { a } from './a.js';\nexport const b = (): number => a();\n");
  write('lib/commands/c.ts', 'export const c = 1;\n');
  write('lib/store/s.ts', "import { c } from '../commands/c.js';\nexport const s = c;\n");
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  try {
    const config = (await import(pathToFileURL(path.join(REPO_ROOT, '.dependency-cruiser.cjs')).href)).default;
    const result = await cruise(['lib'], { ruleSet: config, validate: true, ...config.options, baseDir: dir, outputType: 'err' });
    t.not(result.exitCode, 0);
    t.match(result.output as string, /no-runtime-cycles/);
    t.match(result.output as string, /store-never-imports-commands/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.test('each command and store module loads on its own', async (t) => {
  const dist = path.join(REPO_ROOT, 'dist', 'lib');
  const modules = ['commands', 'store'].flatMap((d) =>
    fs
      .readdirSync(path.join(dist, d))
      .filter((f) => f.endsWith('.js'))
      .map((f) => path.join(dist, d, f)),
  );
  t.ok(modules.length >= 10, `${modules.length} modules`);
  for (const m of modules) {
    const url = pathToFileURL(m).href;
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(url)});`]).catch((e: { stderr: string }) => ({ stderr: e.stderr || String(e) }));
    t.equal(stderr, '', `${path.relative(dist, m)} loads alone`);
  }
});

t.test('no module outside lib/commands/ compares a command name', async (t) => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(REPO_ROOT, 'lib'));
  walk(path.join(REPO_ROOT, 'workers'));
  const outside = files.filter((f) => !f.includes(`${path.sep}lib${path.sep}commands${path.sep}`));
  t.ok(outside.length > 10);
  // def.name === 'sort', d.name !== "x", switch (def.name): a command known by its name
  const pattern = /\b(?:def|d|cmd)\.name\s*[!=]==?\s*['"]|switch\s*\((?:def|d|cmd)\.name\)/;
  for (const f of outside) {
    const hits = fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => pattern.test(l));
    t.same(hits, [], path.relative(REPO_ROOT, f));
  }
});
