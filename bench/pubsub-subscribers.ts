/**
 * The subscribers of the pub/sub benchmark (bench/pubsub.ts), in a worker thread of their own so
 * that reading N sockets never delays the publishers' event loop: N connections SUBSCRIBE to one
 * channel, then only count the bytes they receive (every message frame has the same size), and
 * report when all of them have received what the publishers sent.
 */
import net from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { encodeCommand } from './resp.js';

interface SubscriberData {
  role: 'pubsub-subscribers';
  port: number;
  count: number;
  channel: string;
}

type Msg = { type: 'ready' } | { type: 'done'; bytes: number } | { type: 'error'; error: string };

/** The bytes of the SUBSCRIBE confirmation (RESP2), read before the messages. */
function confirmation(channel: string): number {
  return `*3\r\n$9\r\nsubscribe\r\n$${channel.length}\r\n${channel}\r\n:1\r\n`.length;
}

function runSubscribers(d: SubscriberData): void {
  const port = parentPort!;
  const post = (m: Msg) => port.postMessage(m);
  const head = confirmation(d.channel);
  let ready = 0;
  let total = 0;
  let expected = -1;
  const sockets: net.Socket[] = [];
  const check = () => {
    if (expected >= 0 && total >= expected) {
      post({ type: 'done', bytes: total });
      expected = -1;
    }
  };
  for (let i = 0; i < d.count; i++) {
    const s = net.connect(d.port, '127.0.0.1');
    sockets.push(s);
    let seen = 0;
    s.on('error', (e) => post({ type: 'error', error: e.message }));
    s.on('connect', () => s.write(encodeCommand(['SUBSCRIBE', d.channel])));
    s.on('data', (b: Buffer) => {
      if (seen < head) {
        const take = Math.min(head - seen, b.length);
        seen += take;
        if (seen === head && ++ready === d.count) post({ type: 'ready' });
        total += b.length - take;
      } else {
        total += b.length;
      }
      check();
    });
  }
  port.on('message', (m: { type: 'expect'; bytes: number } | { type: 'close' }) => {
    if (m.type === 'expect') {
      expected = m.bytes;
      check();
    } else {
      for (const s of sockets) s.destroy();
      port.close();
    }
  });
}

/** Drives the worker: N subscribers connected, then waits for a number of bytes across them. */
export class Subscribers {
  private readonly worker: Worker;
  private listeners: Array<(m: Msg) => void> = [];

  constructor(port: number, count: number, channel: string) {
    const data: SubscriberData = { role: 'pubsub-subscribers', port, count, channel };
    this.worker = new Worker(new URL(import.meta.url), { workerData: data });
    this.worker.on('message', (m: Msg) => {
      for (const l of this.listeners) l(m);
    });
  }

  private next(type: Msg['type']): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const l = (m: Msg) => {
        if (m.type === 'error') reject(new Error(`subscriber: ${m.error}`));
        else if (m.type === type) resolve(m);
        else return;
        this.listeners = this.listeners.filter((x) => x !== l);
      };
      this.listeners.push(l);
    });
  }

  /** Resolves once every subscriber's SUBSCRIBE was confirmed. */
  ready(): Promise<Msg> {
    return this.next('ready');
  }

  /** Resolves once the subscribers together have received `bytes` bytes of messages. */
  received(bytes: number): Promise<Msg> {
    const p = this.next('done');
    this.worker.postMessage({ type: 'expect', bytes });
    return p;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}

if (!isMainThread && (workerData as Partial<SubscriberData> | null)?.role === 'pubsub-subscribers') {
  runSubscribers(workerData as SubscriberData);
}
