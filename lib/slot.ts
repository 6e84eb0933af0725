// Key -> hash slot (Redis Cluster's CRC16/XMODEM mod 16384, honouring {hash tags}) -> shard.

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

function crc16(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b[i]) & 0xff];
  return crc;
}

export function keySlot(key: Uint8Array): number {
  const len = key.length;
  let s = -1;
  for (let i = 0; i < len; i++) {
    if (key[i] === 123 /* { */) {
      s = i;
      break;
    }
  }
  if (s >= 0) {
    for (let e = s + 1; e < len; e++) {
      if (key[e] === 125 /* } */) {
        if (e > s + 1) return crc16(key, s + 1, e) & 16383;
        break;
      }
    }
  }
  return crc16(key, 0, len) & 16383;
}

export function shardOf(key: Uint8Array, shards: number): number {
  return shards === 1 ? 0 : keySlot(key) % shards;
}
