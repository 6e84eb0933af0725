// Command names of the effects written to the binlog (the records a replica applies), in one place.

export const SET = Buffer.from('SET');
export const DEL = Buffer.from('DEL');
export const UNLINK = Buffer.from('UNLINK');
export const MSET = Buffer.from('MSET');
export const PXAT = Buffer.from('PXAT');
export const KEEPTTL = Buffer.from('KEEPTTL');
export const PEXPIREAT = Buffer.from('PEXPIREAT');
export const PERSIST = Buffer.from('PERSIST');
export const RENAME = Buffer.from('RENAME');
export const MOVE = Buffer.from('MOVE');
export const FLUSHDB = Buffer.from('FLUSHDB');
export const FLUSHALL = Buffer.from('FLUSHALL');
export const SWAPDB = Buffer.from('SWAPDB');
/** Around an EXEC's writes, so replication ships them as one transaction. */
export const MULTI = Buffer.from('MULTI');
export const EXEC = Buffer.from('EXEC');
