// Encodes a command (argument list) as a RESP array of bulk strings: the binlog record format and
// what a replica or a test client sends.

/** `headroom` bytes are left free at the start of the result (for a record header). */
export function encodeCommand(args: Uint8Array[], headroom = 0): Buffer {
  let size = headroom + 1 + 11 + 2;
  for (const a of args) size += 1 + 11 + 2 + a.length + 2;
  const b = Buffer.allocUnsafe(size);
  let p = headroom;
  p += b.write(`*${args.length}\r\n`, p, 'latin1');
  for (const a of args) {
    p += b.write(`$${a.length}\r\n`, p, 'latin1');
    b.set(a, p);
    p += a.length;
    b[p++] = 13;
    b[p++] = 10;
  }
  return b.subarray(0, p);
}
