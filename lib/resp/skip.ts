// Finding where one RESP2/RESP3 value ends, without decoding it: an EXEC's reply array is
// assembled from the shards' raw replies, byte for byte as each command answered.

function lineEnd(b: Uint8Array, p: number): number {
  while (p < b.length && b[p] !== 13) p++;
  return p;
}

function headerNumber(b: Uint8Array, from: number, to: number): number {
  let neg = false;
  let p = from;
  if (b[p] === 45) {
    neg = true;
    p++;
  }
  let n = 0;
  for (; p < to; p++) n = n * 10 + (b[p] - 48);
  return neg ? -n : n;
}

/** The index just after the RESP value that starts at `p` of `b`. */
export function respEnd(b: Uint8Array, p: number): number {
  const t = b[p];
  const e = lineEnd(b, p + 1);
  const after = e + 2;
  switch (t) {
    case 36: // $ bulk
    case 61: // = verbatim
    case 33: {
      // ! bulk error
      const n = headerNumber(b, p + 1, e);
      return n < 0 ? after : after + n + 2;
    }
    case 42: // * array
    case 126: // ~ set
    case 62: {
      // > push
      const n = headerNumber(b, p + 1, e);
      let q = after;
      for (let i = 0; i < n; i++) q = respEnd(b, q);
      return q;
    }
    case 37: // % map
    case 124: {
      // | attribute: its pairs, then the value it describes
      const n = headerNumber(b, p + 1, e);
      let q = after;
      for (let i = 0; i < 2 * n; i++) q = respEnd(b, q);
      return t === 124 ? respEnd(b, q) : q;
    }
    default:
      // + - : _ # , ( : one line
      return after;
  }
}

/** The elements of the RESP array at the start of `b` (views), or null for a null array or a non-array. */
export function arrayElements(b: Buffer): Buffer[] | null {
  if (b[0] !== 42) return null;
  const e = lineEnd(b, 1);
  const n = headerNumber(b, 1, e);
  if (n < 0) return null;
  const out: Buffer[] = new Array(n);
  let q = e + 2;
  for (let i = 0; i < n; i++) {
    const end = respEnd(b, q);
    out[i] = b.subarray(q, end);
    q = end;
  }
  return out;
}
