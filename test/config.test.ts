import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Config, ConfigError, OPTIONS, parseMemory, findOption } from '../lib/config.js';
import { startRedis } from './support/servers.js';

function errText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '<no error>';
}

t.test('definitions', async (t) => {
  const names = new Set<string>();
  for (const d of OPTIONS) {
    t.notOk(names.has(d.name), `unique ${d.name}`);
    names.add(d.name);
    t.ok(d.doc.length > 0, `${d.name} documented`);
  }
  t.equal(findOption('MAX-CONN-RBUF-SIZE')?.name, 'client-query-buffer-limit');
  t.equal(findOption('nosuch'), undefined);
});

t.test('defaults and typed getters', async (t) => {
  const c = new Config();
  t.equal(c.get('port'), 6379);
  t.equal(c.num('port'), 6379);
  t.equal(c.get('appendonly'), true);
  t.equal(c.bool('appendonly'), true);
  t.equal(c.display('appendonly'), 'yes');
  t.equal(c.str('appendfsync'), 'everysec');
  t.equal(c.str('lmdb-writemap'), 'auto');
  t.equal(c.str('bind'), '127.0.0.1 ::1');
  t.equal(c.str('dir'), './data');
  t.equal(c.num('proto-max-bulk-len'), 512 * 1024 * 1024);
  t.equal(c.display('proto-max-bulk-len'), '536870912');
  t.equal(c.num('client-query-buffer-limit'), 1024 ** 3);
  t.equal(c.num('max-conn-rbuf-size'), 1024 ** 3, 'alias');
  t.equal(c.num('HZ'), 10, 'case-insensitive');
  t.equal(c.str('requirepass'), '');
  t.equal(c.str('loglevel'), 'notice');
  t.equal(c.num('slowlog-log-slower-than'), 10000);
  const shards = c.num('shards');
  t.ok(shards >= 1 && shards <= 8);
  t.equal(shards, Math.max(1, Math.min(8, os.availableParallelism())));
  t.equal(c.file, null);
  t.throws(() => c.get('nosuch'), ConfigError);
  t.throws(() => c.num('appendonly'), TypeError);
  t.throws(() => c.bool('port'), TypeError);
  t.throws(() => c.str('port'), TypeError);
});

t.test('parseMemory', async (t) => {
  const table: Array<[string, number | null]> = [
    ['12', 12],
    ['0', 0],
    ['', 0],
    ['1b', 1],
    ['1k', 1000],
    ['1kb', 1024],
    ['1K', 1000],
    ['1KB', 1024],
    ['1m', 1000000],
    ['1mb', 1048576],
    ['1Mb', 1048576],
    ['512mb', 536870912],
    ['1g', 1e9],
    ['1gb', 1073741824],
    ['1GB', 1073741824],
    ['100k', 100000],
    ['1.5mb', null],
    ['-1', null],
    [' 1mb', null],
    ['1 mb', null],
    ['1tb', null],
    ['+5', null],
    ['abc', null],
  ];
  for (const [s, want] of table) t.equal(parseMemory(s), want, JSON.stringify(s));
});

t.test('file parsing: redis syntax', async (t) => {
  const c = Config.fromFileText(
    [
      '# a comment',
      '   # indented comment',
      '',
      'port 7000',
      'bind 0.0.0.0 ::1',
      'requirepass "secret with spaces"',
      "logfile '/var/log/respdb.log'",
      'dir "/tmp/a\\"b"',
      'appendfsync ALWAYS',
      'appendonly No',
      'proto-max-bulk-len 2gb',
      'MAX-CONN-RBUF-SIZE 64mb',
      'save 3600 1',
      'save 300 100',
      'timeout 10',
      'timeout 20',
      'slow-cmd-list "get,set"',
    ].join('\n'),
  );
  t.equal(c.num('port'), 7000);
  t.equal(c.str('bind'), '0.0.0.0 ::1');
  t.equal(c.str('requirepass'), 'secret with spaces');
  t.equal(c.str('logfile'), '/var/log/respdb.log');
  t.equal(c.str('dir'), '/tmp/a"b');
  t.equal(c.str('appendfsync'), 'always');
  t.equal(c.bool('appendonly'), false);
  t.equal(c.num('proto-max-bulk-len'), 2 * 1024 ** 3);
  t.equal(c.num('client-query-buffer-limit'), 64 * 1024 * 1024);
  t.equal(c.str('save'), '3600 1 300 100', 'save lines accumulate');
  t.equal(c.num('timeout'), 20, 'last wins');
  t.equal(c.str('slow-cmd-list'), 'get,set');
  t.equal(c.file, null);

  const reset = Config.fromFileText('save 3600 1\nsave ""\n');
  t.equal(reset.str('save'), '');
  t.equal(Config.fromFileText('bind ::1\n').str('bind'), '::1', 'IPv6 in redis form is not read as pika form');
  t.equal(Config.fromFileText('bind ::1 127.0.0.1\n').str('bind'), '::1 127.0.0.1');
  t.equal(Config.fromFileText('bind : ::1\n').str('bind'), '::1', 'pika form with IPv6 value');
  t.equal(Config.fromFileText('dir "a b"  \n').str('dir'), 'a b');
  t.equal(Config.fromFileText('requirepass "\\x41\\n"\n').str('requirepass'), 'A\n');
  t.equal(Config.fromFileText('port 7000\r\nhz 20\r\n').num('hz'), 20, 'CRLF');
});

t.test('file parsing: pika syntax', async (t) => {
  const c = Config.fromFileText(
    ['# Pika style', 'port : 9221', 'max-conn-rbuf-size : 268435456', 'requirepass : ', 'bind : 10.0.0.1   ::1', 'dir:/data/pika', 'slow-cmd-list : get, hgetall', 'loglevel :warning'].join(
      '\n',
    ),
  );
  t.equal(c.num('port'), 9221);
  t.equal(c.num('client-query-buffer-limit'), 268435456);
  t.equal(c.str('requirepass'), '');
  t.equal(c.str('bind'), '10.0.0.1 ::1');
  t.equal(c.str('dir'), '/data/pika');
  t.equal(c.str('slow-cmd-list'), 'get, hgetall');
  t.equal(c.str('loglevel'), 'warning');
});

t.test('file parsing errors', async (t) => {
  t.match(errText(() => Config.fromFileText('# x\nport abc\n')), /line 2 >>> 'port abc': argument couldn't be parsed into an integer/);
  t.match(errText(() => Config.fromFileText('nosuch 1')), /line 1 >>> 'nosuch 1': Bad directive or wrong number of arguments/);
  t.match(errText(() => Config.fromFileText('port')), /wrong number of arguments/);
  t.match(errText(() => Config.fromFileText('port 1 2')), /wrong number of arguments/);
  t.match(errText(() => Config.fromFileText('port "12')), /Unbalanced quotes in configuration line/);
  t.match(errText(() => Config.fromFileText('dir "a"b')), /Unbalanced quotes/);
  t.match(errText(() => Config.fromFileText('appendfsync foo')), /argument\(s\) must be one of the following: everysec, always, no/);
  t.match(errText(() => Config.fromFileText('port 70000')), /argument must be between 0 and 65535 inclusive/);
  t.match(errText(() => Config.fromFileText('save 1 2 3')), /Invalid save parameters/);
  t.match(errText(() => Config.fromFileText('port : abc')), /argument couldn't be parsed into an integer/);
  t.type((() => {
    try {
      Config.fromFileText('nosuch 1');
    } catch (e) {
      return e;
    }
  })(), ConfigError);
});

t.test('fromArgv', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-config-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'respdb.conf');
  fs.writeFileSync(file, 'port 7000\ntimeout 5\nrequirepass foo\n');

  const c = Config.fromArgv([file, '--port', '7001', '--bind', '0.0.0.0', '::', '--save', '--maxclients', '5']);
  t.equal(c.file, path.resolve(file));
  t.equal(c.num('port'), 7001, 'argv overrides file');
  t.equal(c.num('timeout'), 5, 'file value kept');
  t.equal(c.str('requirepass'), 'foo');
  t.equal(c.str('bind'), '0.0.0.0 ::');
  t.equal(c.str('save'), '', 'bare --save means save ""');
  t.equal(c.num('maxclients'), 5);

  const noFile = Config.fromArgv(['--port', '7002', '--requirepass', '--weird', '--save']);
  t.equal(noFile.file, null);
  t.equal(noFile.num('port'), 7002);
  t.equal(noFile.str('requirepass'), '--weird', 'the first argument after a name is always its value');
  t.equal(Config.fromArgv(['--port 7003']).num('port'), 7003, 'name and value in one argument');
  t.equal(Config.fromArgv(['--MAX-CONN-RBUF-SIZE', '2mb']).num('client-query-buffer-limit'), 2 * 1024 * 1024);
  t.equal(Config.fromArgv([]).num('port'), 6379);

  t.match(errText(() => Config.fromArgv(['--nosuch', '1'])), /--nosuch 1.*Bad directive or wrong number of arguments/);
  t.match(errText(() => Config.fromArgv(['--port'])), /wrong number of arguments/);
  t.match(errText(() => Config.fromArgv(['--port', '1', '2'])), /wrong number of arguments/);
  t.match(errText(() => Config.fromArgv(['--port', 'x'])), /argument couldn't be parsed into an integer/);
  t.match(errText(() => Config.fromArgv([path.join(dir, 'missing.conf')])), /can't open config file/);
  t.match(errText(() => Config.fromArgv(['-x'])), /Invalid argument/);
  fs.writeFileSync(file, 'port 7000\nbogus yes\n');
  t.match(errText(() => Config.fromArgv([file])), /line 2 >>> 'bogus yes': Bad directive/);
});

t.test('match (CONFIG GET)', async (t) => {
  const c = new Config();
  const all = c.match('*');
  const aliases = OPTIONS.reduce((n, o) => n + (o.aliases?.length ?? 0), 0);
  t.equal(all.length, OPTIONS.length + aliases, 'every option plus its aliases');
  t.same(
    all.map((x) => x[0]).filter((n) => n === 'busy-reply-threshold' || n === 'lua-time-limit'),
    ['busy-reply-threshold', 'lua-time-limit'],
  );
  t.same(
    all.map((x) => x[0]).filter((n) => n === 'client-query-buffer-limit' || n === 'max-conn-rbuf-size'),
    ['client-query-buffer-limit', 'max-conn-rbuf-size'],
  );
  t.same(c.match('port'), [['port', '6379']]);
  t.same(c.match('PORT'), [['PORT', '6379']], 'exact lookups are reported as typed, like Redis');
  t.same(c.match('P[O]RT'), [['port', '6379']], 'glob is case-insensitive, reported under the real name');
  t.same(c.match('nosuch'), []);
  t.same(c.match('max-conn-*'), [['max-conn-rbuf-size', '1073741824']], 'alias reported under the alias');
  t.same(c.match('max-conn-rbuf-size'), [['max-conn-rbuf-size', '1073741824']]);
  t.same(c.match('*query*'), [['client-query-buffer-limit', '1073741824']]);
  t.same(
    c.match('*-size').map((x) => x[0]).filter((n) => ['client-query-buffer-limit', 'max-conn-rbuf-size', 'binlog-max-size', 'list-max-listpack-size', 'list-max-ziplist-size'].includes(n)),
    ['max-conn-rbuf-size', 'binlog-max-size', 'list-max-listpack-size', 'list-max-ziplist-size'],
    'definition order, aliases right after their option',
  );
  t.same(c.match('appendonly'), [['appendonly', 'yes']]);
  t.same(c.match('requirepass'), [['requirepass', '']]);
  t.same(c.match('save'), [['save', '']]);
  t.same(
    c.matchAll(['port', 'PORT', 'p?rt']).map((x) => x[0]),
    ['port'],
    'deduplicated case-insensitively across patterns',
  );
  t.same(
    c.matchAll(['slowlog-[lm]*', 'slowlog-max-len']).map((x) => x[0]),
    ['slowlog-log-slower-than', 'slowlog-max-len'],
  );
});

t.test('set: errors (exact Redis texts)', async (t) => {
  const c = new Config();
  const cases: Array<[Array<[string, string]>, string]> = [
    [[['port', '1']], "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"],
    [[['PORT', 'abc']], "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"],
    [[['dir', '/x']], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"],
    [[['lmdb-writemap', 'no']], "ERR CONFIG SET failed (possibly related to argument 'lmdb-writemap') - can't set immutable config"],
    [[['nosuch', '1']], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
    [[['NOSUCH', '1']], "ERR Unknown option or number of arguments for CONFIG SET - 'NOSUCH'"],
    [[['daemonize', 'no']], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"],
    [[['rename-command', 'x']], "ERR Unknown option or number of arguments for CONFIG SET - 'rename-command'"],
    [[['timeout', 'abc']], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"],
    [[['TIMEOUT', '05']], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"],
    [[['timeout', '-1']], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"],
    [[['timeout', '99999999999999999999']], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"],
    [[['appendfsync', 'x']], "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"],
    [[['loglevel', 'x']], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing"],
    [[['maxclients', '0']], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 1000000 inclusive"],
    [[['appendonly', 'maybe']], "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"],
    [[['appendonly', '1']], "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"],
    [[['proto-max-bulk-len', 'abc']], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"],
    [[['proto-max-bulk-len', '1.5mb']], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"],
    [[['proto-max-bulk-len', '1k']], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"],
    [[['proto-max-bulk-len', '18446744073709551615']], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"],
    [[['max-conn-rbuf-size', 'x']], "ERR CONFIG SET failed (possibly related to argument 'max-conn-rbuf-size') - argument must be a memory value"],
    [[['hz', '-1']], "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"],
    [[['save', '1 2 3']], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"],
    [[['timeout', '1'], ['timeout', '2']], "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter"],
    [[['timeout', 'abc'], ['TIMEOUT', '2']], "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter"],
    [[['timeout', 'abc'], ['nosuch', '1']], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
    [[['timeout', '1'], ['port', '1']], "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"],
  ];
  for (const [pairs, want] of cases) {
    let got: unknown;
    try {
      c.set(pairs);
    } catch (e) {
      got = e;
    }
    t.type(got, ConfigError, JSON.stringify(pairs));
    t.equal((got as Error | undefined)?.message, want, JSON.stringify(pairs));
  }
  t.equal(c.num('timeout'), 0, 'nothing applied');
});

t.test('set: all-or-nothing and events', async (t) => {
  const c = new Config();
  const events: Array<[string, unknown]> = [];
  c.on('change', (name: string, value: unknown) => events.push([name, value]));

  t.throws(() => c.set([['timeout', '5'], ['maxclients', '0']]), ConfigError);
  t.equal(c.num('timeout'), 0, 'earlier pair not applied');
  t.same(events, [], 'no events on failure');

  c.set([
    ['timeout', '5'],
    ['APPENDFSYNC', 'Always'],
    ['appendonly', 'NO'],
    ['proto-max-bulk-len', '1gb'],
    ['max-conn-rbuf-size', '2mb'],
    ['requirepass', 'p w'],
    ['maxclients', '10000'], // unchanged: no event
  ]);
  t.equal(c.num('timeout'), 5);
  t.equal(c.str('appendfsync'), 'always');
  t.equal(c.bool('appendonly'), false);
  t.equal(c.display('appendonly'), 'no');
  t.equal(c.num('proto-max-bulk-len'), 1024 ** 3);
  t.equal(c.display('proto-max-bulk-len'), '1073741824');
  t.equal(c.num('client-query-buffer-limit'), 2 * 1024 * 1024);
  t.same(c.match('requirepass'), [['requirepass', 'p w']]);
  t.same(events, [
    ['timeout', 5],
    ['appendfsync', 'always'],
    ['appendonly', false],
    ['proto-max-bulk-len', 1024 ** 3],
    ['client-query-buffer-limit', 2 * 1024 * 1024],
    ['requirepass', 'p w'],
  ]);

  events.length = 0;
  c.set([['hz', '0']]);
  t.equal(c.num('hz'), 1, 'hz clamps low like Redis');
  c.set([['hz', '1000']]);
  t.equal(c.num('hz'), 500, 'hz clamps high like Redis');
  t.same(events, [
    ['hz', 1],
    ['hz', 500],
  ]);

  // Redis treats an alias and its canonical name as different parameters: the last one wins.
  c.set([
    ['client-query-buffer-limit', '4mb'],
    ['max-conn-rbuf-size', '8mb'],
  ]);
  t.equal(c.num('client-query-buffer-limit'), 8 * 1024 * 1024);

  c.set([['save', '3600 1 300 100']]);
  t.equal(c.str('save'), '3600 1 300 100');
  c.set([['save', '']]);
  t.equal(c.str('save'), '');
  c.set([['slowlog-log-slower-than', '-1']]);
  t.equal(c.num('slowlog-log-slower-than'), -1);
  c.set([]);
});

t.test('rewrite', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rewrite-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  t.equal(errText(() => new Config().rewrite()), 'ERR The server is running without a config file');
  t.equal(errText(() => Config.fromFileText('port 1').rewrite()), 'ERR The server is running without a config file');

  const file = path.join(dir, 'respdb.conf');
  const original = [
    '# respdb config',
    'port 7000',
    '',
    '# idle timeout',
    'timeout 5',
    'timeout 6',
    '  hz 10',
    'max-conn-rbuf-size : 64mb',
    'save ""',
    'requirepass old',
    '',
  ].join('\n');
  fs.writeFileSync(file, original);
  const c = Config.fromArgv([file, '--loglevel', 'warning']);
  t.equal(c.num('timeout'), 6);

  // An unknown line added after startup is preserved verbatim.
  fs.appendFileSync(file, 'some-future-option 42\n');

  c.set([
    ['timeout', '0'],
    ['maxclients', '50'],
    ['client-query-buffer-limit', '3mb'],
    ['proto-max-bulk-len', '1500000'],
    ['requirepass', 'new pass'],
    ['slow-cmd-list', ''],
  ]);
  c.rewrite();
  const text = fs.readFileSync(file, 'utf8');
  t.equal(
    text,
    [
      '# respdb config',
      'port 7000',
      '',
      '# idle timeout',
      'timeout 0',
      '',
      'hz 10',
      'max-conn-rbuf-size : 3145728',
      'save ""',
      'requirepass "new pass"',
      'some-future-option 42',
      '',
      '# Generated by CONFIG REWRITE',
      'maxclients 50',
      'proto-max-bulk-len 1500000',
      'loglevel warning',
      '',
    ].join('\n'),
  );
  t.same(fs.readdirSync(dir), ['respdb.conf'], 'no temp files left');

  // Round trip (the unknown line would be rejected on load, so drop it first).
  fs.writeFileSync(file, text.replace('some-future-option 42\n', ''));
  const again = Config.fromArgv([file]);
  for (const d of OPTIONS) t.equal(again.display(d.name), c.display(d.name), `round trip ${d.name}`);

  // A second rewrite does not add another signature; memory uses units in redis syntax.
  again.set([['binlog-max-size', '2gb']]);
  again.rewrite();
  const text2 = fs.readFileSync(file, 'utf8');
  t.equal(text2.split('# Generated by CONFIG REWRITE').length, 2);
  t.match(text2, /\nbinlog-max-size 2gb\n$/);
  again.set([['binlog-max-size', '1gb']]);
  again.rewrite();
  t.match(fs.readFileSync(file, 'utf8'), /\nbinlog-max-size 1gb\n$/, 'an option already in the file stays even at its default');
});

t.test('rewrite: pika-style file gets pika-style additions', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rewrite-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'pika.conf');
  fs.writeFileSync(file, 'port : 9221\nrequirepass : \nbind : 127.0.0.1\n');
  const c = Config.fromArgv([file]);
  c.set([
    ['requirepass', 'x y'],
    ['maxclients', '7'],
    ['binlog-max-size', '2gb'],
  ]);
  c.rewrite();
  t.equal(
    fs.readFileSync(file, 'utf8'),
    'port : 9221\nrequirepass : x y\nbind : 127.0.0.1\n\n# Generated by CONFIG REWRITE\nmaxclients : 7\nbinlog-max-size : 2147483648\n',
  );
  const again = Config.fromArgv([file]);
  t.equal(again.str('requirepass'), 'x y');
  t.equal(again.num('binlog-max-size'), 2 * 1024 ** 3);
  t.equal(again.num('maxclients'), 7);
});

t.test('rewrite: quoting survives a round trip', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rewrite-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'q.conf');
  fs.writeFileSync(file, '');
  const c = Config.fromArgv([file]);
  const nasty = `a "b" 'c' \\ # \t\n\x01 é`;
  c.set([
    ['requirepass', nasty],
    ['save', '10 1 20 2'],
  ]);
  c.rewrite();
  const again = Config.fromArgv([file]);
  t.equal(again.str('requirepass'), nasty);
  t.equal(again.str('save'), '10 1 20 2');
  t.equal(Config.fromArgv([file]).str('slow-cmd-list'), '');
});

// ---------------------------------------------------------------------------------------------
// Optional: compare CONFIG SET error replies with a real redis-server for options whose bounds
// and mutability match Redis's.
// ---------------------------------------------------------------------------------------------
t.test('CONFIG SET errors agree with redis-server', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout.trim();

  const probes: string[][] = [
    ['timeout', 'abc'],
    ['timeout', '-1'],
    ['timeout', '+5'],
    ['tcp-keepalive', '-2'],
    ['appendfsync', 'x'],
    ['appendonly', 'maybe'],
    ['appendonly', 'true'],
    ['nosuch', '1'],
    ['NoSuch', '1'],
    ['timeout', '1', 'timeout', '2'],
    ['timeout', 'abc', 'nosuch', '1'],
    ['proto-max-bulk-len', 'abc'],
    ['proto-max-bulk-len', '1k'],
    ['proto-max-bulk-len', '-1'],
    ['client-query-buffer-limit', '1.5mb'],
    ['client-query-buffer-limit', '2b'],
    ['slowlog-log-slower-than', '-2'],
    ['slowlog-max-len', '-1'],
    ['latency-monitor-threshold', 'x'],
    ['hz', '-1'],
    ['save', '1 2 3'],
  ];
  for (const probe of probes) {
    const want = cli('CONFIG', 'SET', ...probe);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < probe.length; i += 2) pairs.push([probe[i], probe[i + 1]]);
    const got = errText(() => new Config().set(pairs));
    t.equal(got, want, probe.join(' '));
  }
});
