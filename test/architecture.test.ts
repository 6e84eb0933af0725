// The rules of the house (docs/design.md, "Where things live"), checked on the sources:
// - dependency-cruiser with .dependency-cruiser.cjs: no runtime import cycle in lib/, the store
//   never imports the commands, nothing in lib/ imports the families' index, workers/ import lib/
//   only, lib/ never reaches into workers/, bin/, test/ or bench/;
// - every module of lib/commands/ and lib/store/ loads on its own, in a fresh worker thread (its
//   own module graph; an import cycle through the table shows up as "Cannot access ... before
//   initialization");
// - the command table is the one source of what the router needs: no module outside
//   lib/commands/ compares a command's name.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/servers.js';

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

/**
 * Imports `url` in a worker thread of its own (a fresh isolate: its own module graph, nothing of
 * this process loaded) and returns what went wrong: the error it threw and anything it wrote to
 * stderr ('' when it loaded cleanly).
 */
function loadAlone(url: string): Promise<string> {
  return new Promise((resolve) => {
    // CommonJS eval code: the rejected import is an uncaught error of the worker ('error' below)
    const w = new Worker(`import(${JSON.stringify(url)});`, { eval: true, stderr: true, stdout: true });
    let problems = '';
    w.stderr.setEncoding('utf8').on('data', (s: string) => (problems += s));
    w.stdout.resume();
    w.on('error', (e) => (problems += e.stack ?? String(e)));
    w.on('exit', (code) => {
      if (code !== 0 && problems === '') problems = `exit code ${code}`;
      resolve(problems);
    });
  });
}

t.test('a module that fails to load is reported (the check can fail)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-load-'));
  try {
    // a.js and b.js import each other, and a.js uses b's binding while it is being evaluated
    fs.writeFileSync(path.join(dir, 'a.js'), "import { b } from './b.js';\nexport const a = 1;\n");
    fs.writeFileSync(path.join(dir, 'b.js'), "import { a } from './a.js';\nexport const b = a + 1;\n");
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    t.match(await loadAlone(pathToFileURL(path.join(dir, 'a.js')).href), /Cannot access 'a' before initialization/);
    fs.writeFileSync(path.join(dir, 'warn.js'), "process.emitWarning('loud');\nexport const w = 1;\n");
    t.match(await loadAlone(pathToFileURL(path.join(dir, 'warn.js')).href), /loud/, 'what a module writes to stderr counts');
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
    t.equal(await loadAlone(pathToFileURL(m).href), '', `${path.relative(dist, m)} loads alone`);
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
