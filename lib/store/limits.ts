// Limits the data work of a shard enforces, set per thread from the configuration (the main
// thread sends them at startup and on CONFIG SET; lib/shard/runtime.ts applies them).

/** proto-max-bulk-len: the largest string APPEND / SETRANGE may build. */
let maxStringLen = 512 * 1024 * 1024;

export function setProtoMaxBulkLen(n: number): void {
  if (Number.isFinite(n) && n > 0) maxStringLen = n;
}

/** Redis's checkStringLength: would a string of `size + append` bytes exceed proto-max-bulk-len? */
export function stringTooLong(size: number | bigint, append: number): boolean {
  return BigInt(size) + BigInt(append) > BigInt(maxStringLen);
}
