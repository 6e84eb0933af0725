// The SharedArrayBuffer byte pipe and its framing, across a real worker thread.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { Ring, FrameReader } from '../lib/ring.js';
import { BinlogRing, BinlogRingReader, type RingRecord } from '../lib/binlog-ring.js';

t.test('write/read wrap around and report partial writes', async (t) => {
  const r = new Ring(16);
  t.equal(r.write(Buffer.from('0123456789')), 10);
  const out = Buffer.alloc(16);
  t.equal(r.read(out, 0, 6), 6);
  t.equal(out.toString('latin1', 0, 6), '012345');
  // 4 left; 12 free; write 14 -> only 12 fit, wrapping
  t.equal(r.write(Buffer.from('abcdefghijklmn')), 12);
  t.equal(r.readable(), 16);
  t.equal(r.read(out), 16);
  t.equal(out.toString('latin1'), '6789abcdefghijkl');
  t.equal(r.readable(), 0);
});

t.test('frames larger than the ring stream through (with a reader thread)', async (t) => {
  const r = new Ring(1 << 12);
  const sizes = [0, 1, 100, 4095, 4096, 4097, 100_000, 3];
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    const sab = workerData;
    const ctrl = new Int32Array(sab, 0, 2);
    const cap = sab.byteLength - 64;
    const data = new Uint8Array(sab, 64, cap);
    const sizes = ${JSON.stringify(sizes)};
    let w = 0;
    function put(b) {
      let off = 0;
      while (off < b.length) {
        const wc = Atomics.load(ctrl, 0), rc = Atomics.load(ctrl, 1);
        const free = cap - ((wc - rc) >>> 0);
        if (free === 0) { Atomics.wait(ctrl, 1, rc, 50); continue; }
        const n = Math.min(free, b.length - off);
        for (let i = 0; i < n; i++) data[(wc + i) & (cap - 1)] = b[off + i];
        Atomics.store(ctrl, 0, (wc + n) | 0); Atomics.notify(ctrl, 0);
        off += n;
      }
    }
    for (const s of sizes) {
      const b = Buffer.alloc(4 + s);
      b.writeUInt32LE(s, 0);
      for (let i = 0; i < s; i++) b[4 + i] = (i * 7 + s) & 255;
      put(b);
    }
    parentPort.postMessage('done');
  `;
  const worker = new Worker(src, { eval: true, workerData: r.sab });
  const reader = new FrameReader(r, 1024);
  const got: Buffer[] = [];
  while (got.length < sizes.length) {
    const seen = r.writeCounter();
    const frames: Buffer[] = [];
    reader.drain(frames);
    for (const f of frames) got.push(Buffer.from(f));
    if (frames.length === 0) {
      const p = r.waitReadable(seen);
      if (p) await Promise.race([p, new Promise((res) => setTimeout(res, 100))]);
    }
  }
  await worker.terminate();
  t.same(got.map((g) => g.length), sizes);
  for (let k = 0; k < sizes.length; k++) {
    let ok = true;
    for (let i = 0; i < sizes[k]; i++) if (got[k][i] !== ((i * 7 + sizes[k]) & 255)) ok = false;
    t.ok(ok, `frame ${k} (${sizes[k]} bytes) intact`);
  }
});

t.test('binlog broadcast ring: readers follow, detect overrun, skip oversized records', async (t) => {
  const ring = new BinlogRing(1024);
  const reader = new BinlogRingReader(ring);
  ring.publish(1, Buffer.from('a'));
  ring.publish(2, Buffer.from('bb'));
  const out: RingRecord[] = [];
  t.equal(reader.poll(out), 'ok');
  t.same(out.map((r) => [r.seq, r.rec?.toString()]), [[1, 'a'], [2, 'bb']]);
  ring.publish(3, Buffer.alloc(600)); // > cap/4: marker only
  out.length = 0;
  t.equal(reader.poll(out), 'ok');
  t.same(out, [{ seq: 3, rec: null }]);
  for (let i = 0; i < 20; i++) ring.publish(10 + i, Buffer.alloc(100, i));
  out.length = 0;
  t.equal(reader.poll(out), 'overrun', 'a lapped reader is told so');
  ring.publish(99, Buffer.from('z'));
  out.length = 0;
  t.equal(reader.poll(out), 'ok');
  t.same(out.map((r) => r.seq), [99]);
});
