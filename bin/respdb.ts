#!/usr/bin/env node
// respdb server: `respdb [config file] [--name value ...]`, options as in redis.conf.

import { Config } from '../lib/config.js';
import { setLogFile, setLogLevel, logger, flushLogs } from '../lib/log.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = Config.fromArgv(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`respdb: ${(e as Error).message}\n`);
    process.exit(1);
  }
  setLogFile(config.logFile());
  setLogLevel(config.str('loglevel'));
  config.on('change', (name: string, value: unknown) => {
    if (name === 'loglevel') setLogLevel(String(value));
  });
  const log = logger('main');
  const { installCommands } = await import('../lib/commands/index.js');
  installCommands();
  const { applyRenames } = await import('../lib/commands/registry.js');
  const renameError = applyRenames(config.renames.map((r) => [r.from, r.to]));
  if (renameError !== null) {
    process.stderr.write(`respdb: ${config.renames[renameError.index].where}: ${renameError.error}\n`);
    flushLogs();
    process.exit(1);
  }
  // the rules of the `user` lines, now that the command names are known
  const { checkUserLines } = await import('../lib/config/user-directive.js');
  const userError = checkUserLines(config);
  if (userError !== null) {
    process.stderr.write(`respdb: ${userError}\n`);
    flushLogs();
    process.exit(1);
  }
  const { Server } = await import('../lib/server.js');
  const server = new Server(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'received signal, shutting down');
    server.shutdown().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        flushLogs();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.start();
  } catch (e) {
    log.fatal({ err: e }, 'could not start');
    process.stderr.write(`respdb: ${(e as Error).message}\n`);
    flushLogs();
    setTimeout(() => process.exit(1), 50);
  }
}

void main();
