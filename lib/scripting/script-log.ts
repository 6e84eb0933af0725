// redis.log: a script's messages go to the server log at the level it names.

import { LOG_DEBUG, LOG_NOTICE, LOG_VERBOSE } from './engine-types.js';
import { logger } from '../log.js';

const log = logger('script');

export function scriptLog(level: number, message: string): void {
  if (level === LOG_DEBUG) log.debug(message);
  else if (level === LOG_VERBOSE) log.info({ verbose: true }, message);
  else if (level === LOG_NOTICE) log.info(message);
  else log.warn(message);
}
