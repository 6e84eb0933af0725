// Redis's error texts, in one place. Each is the full line without the leading '-'.

export const E = {
  syntax: 'ERR syntax error',
  notInt: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noKey: 'ERR no such key',
  dbIndex: 'ERR DB index is out of range',
  invalidDb: 'ERR invalid DB index',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetRange: 'ERR offset is out of range',
  nanOrInf: 'ERR increment would produce NaN or Infinity',
  sameObject: 'ERR source and destination objects are the same',
  maxClients: 'ERR max number of clients reached',
  intRange: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  invalidCursor: 'ERR invalid cursor',
  invalidFirstDb: 'ERR invalid first DB index',
  invalidSecondDb: 'ERR invalid second DB index',
  expireNxAnd: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtLt: 'ERR GT and LT options at the same time are not compatible',
  noLfu: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
} as const;

export function wrongArgs(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

export function invalidExpire(cmd: string): string {
  return `ERR invalid expire time in '${cmd}' command`;
}

/**
 * Redis: "unknown command 'x', with args beginning with: 'a' 'b' " (args truncated to 128 chars in
 * all). Redis formats them with %s, so each one also ends at its first NUL byte.
 */
export function unknownCommand(args: Buffer[]): string {
  const name = cstr(args[0], 128);
  let rest = '';
  for (let i = 1; i < args.length && rest.length < 128; i++) {
    rest += `'${cstr(args[i], 128 - rest.length)}' `;
  }
  return `ERR unknown command '${sanitize(name)}', with args beginning with: ${sanitize(rest)}`;
}

/** The latin1 text of `b` up to its first NUL byte (C string) and at most `max` bytes. */
function cstr(b: Buffer, max: number): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return b.toString('latin1', 0, Math.min(end, max));
}

export function unknownSubcommand(sub: Buffer, parent: string): string {
  return `ERR unknown subcommand '${sanitize(cstr(sub, 128))}'. Try ${parent.toUpperCase()} HELP.`;
}

/** Error lines cannot carry CR/LF; Redis replaces them with spaces. */
function sanitize(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/** An error reply line ("-" + text + CRLF); the text's bytes are latin1 and CR/LF become spaces. */
export function errBuf(msg: string): Buffer {
  return Buffer.from('-' + sanitize(msg) + '\r\n', 'latin1');
}

/** A command failure carrying a Redis error text. */
export class RedisError extends Error {}

/**
 * The error line of a handler's exception: a RedisError's text (WRONGTYPE, syntax...), a message
 * that already starts with an error code, else "ERR " + the message.
 */
export function errText(e: unknown): string {
  if (e instanceof RedisError) return e.message;
  const m = e instanceof Error ? e.message : String(e);
  return /^[A-Z]+ /.test(m) ? m : 'ERR ' + m;
}
