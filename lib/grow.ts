// Growable byte buffers: the reply writer and the shard request batches share this.

/** `buf` if `used + need` bytes fit, else a buffer of double size (or more) holding its first `used` bytes. */
export function grow(buf: Buffer, used: number, need: number): Buffer {
  if (used + need <= buf.length) return buf;
  let size = buf.length * 2;
  while (size < used + need) size *= 2;
  const nb = Buffer.allocUnsafe(size);
  buf.copy(nb, 0, 0, used);
  return nb;
}
