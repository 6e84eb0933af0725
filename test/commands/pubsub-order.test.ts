// Message order under load (respdb): while a publisher pipelines thousands of messages, RESP3
// subscribers run ordinary commands on their shards and subscribers join in the middle. Every
// subscriber sees the messages in publish order, each push whole between replies, every reply in
// its command's order, and a subscription's confirmation before its first message.
import t from 'tap';
import { startRespdb } from '../support/servers.js';
import { RawClient, encodeCommand, formatReply, type Reply } from '../support/resp-client.js';

const N = 4000;
const BATCH = 200;

const text = (r: Reply): string => (r.t === 'bulk' && r.v ? r.v.toString() : formatReply(r));

/** A push (RESP3) or array (RESP2) message on `ch`: its payload, or null for anything else. */
function messageOf(r: Reply, ch: string): string | null {
  if ((r.t !== 'push' && r.t !== 'array') || !r.v || r.v.length !== 3) return null;
  const [kind, c, m] = r.v.map(text);
  return kind === 'message' && c === ch ? m : null;
}

t.test('messages keep publish order among replies, across shards, with subscribers joining midway', async (t) => {
  const respdb = await startRespdb({ shards: 4 });
  t.teardown(() => respdb.stop());
  const pub = await RawClient.connect(respdb.port);
  const busy = await Promise.all([0, 1, 2].map(() => RawClient.connect(respdb.port)));
  const resp2 = await RawClient.connect(respdb.port);
  const late = await Promise.all([0, 1, 2].map(() => RawClient.connect(respdb.port)));
  t.teardown(() => Promise.all([pub, resp2, ...busy, ...late].map((c) => c.close())));
  for (const c of [...busy, ...late]) await c.send('HELLO', '3');
  for (const c of busy) await c.send('SUBSCRIBE', 'ch');
  await resp2.send('SUBSCRIBE', 'ch');

  // the busy subscribers' commands: each has a known reply (its own keys, on every shard)
  const workers = busy.map(async (c, w) => {
    const problems: string[] = [];
    const messages: string[] = [];
    for (let round = 0; round < 40; round++) {
      const cmds: string[][] = [];
      const want: string[] = [];
      for (let k = 0; k < 8; k++) {
        const key = `w${w}:k${k}`;
        cmds.push(['SET', key, `${round}`], ['GET', key], ['INCR', `w${w}:n${k}`]);
        want.push('"OK"', `${round}`, `(integer) ${round + 1}`);
      }
      await c.sendRaw(Buffer.concat(cmds.map((x) => encodeCommand(x))));
      // pushes arrive between the replies: sort them out in arrival order
      for (let got = 0; got < want.length; ) {
        const r = await c.readReply();
        const m = messageOf(r, 'ch');
        if (m !== null) {
          messages.push(m);
          continue;
        }
        const shown = r.t === 'simple' ? `"${r.v}"` : text(r);
        if (shown !== want[got]) problems.push(`round ${round} reply ${got}: ${shown}, expected ${want[got]}`);
        got++;
      }
    }
    return { problems, messages };
  });

  // subscribers joining while messages flow: a write still on its shard, then SUBSCRIBE
  const joining = late.map(async (c, j) => {
    await new Promise((r) => setTimeout(r, 5 + j * 10));
    return c.pipeline([
      ['SET', `late${j}`, 'x'],
      ['SUBSCRIBE', 'ch'],
    ]);
  });

  for (let i = 0; i < N; i += BATCH) {
    const counts = await pub.pipeline(Array.from({ length: BATCH }, (_, k) => ['PUBLISH', 'ch', `m${i + k}`]));
    t.ok(
      counts.every((r) => r.t === 'int' && r.v >= 4n),
      `batch ${i / BATCH}: every PUBLISH reached the busy subscribers and the RESP2 one`,
    );
  }
  const results = await Promise.all(workers);
  const seq = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `m${from + k}`);
  for (const [w, r] of results.entries()) {
    t.same(r.problems, [], `busy subscriber ${w}: every reply in its command's order`);
    // everything after the last round's replies is still to be read
    while (r.messages.length < N) {
      const m = messageOf(await busy[w].readReply(), 'ch');
      if (m === null) break;
      r.messages.push(m);
    }
    t.same(r.messages, seq(0, N), `busy subscriber ${w}: all ${N} messages in publish order`);
  }
  const plain: string[] = [];
  while (plain.length < N) plain.push(messageOf(await resp2.readReply(), 'ch') ?? '?');
  t.same(plain, seq(0, N), 'the RESP2 subscriber: all messages in publish order');

  for (const [j, p] of joining.entries()) {
    const [ok, confirmation] = await p;
    t.equal(formatReply(ok), formatReply({ t: 'simple', v: 'OK' }), `late subscriber ${j}: its SET's reply first`);
    t.equal(text((confirmation as { v: Reply[] }).v[0]), 'subscribe', `late subscriber ${j}: then its confirmation`);
    // everything up to the reply of a PING sent now
    await late[j].sendRaw(encodeCommand(['PING']));
    const got: string[] = [];
    for (;;) {
      const r = await late[j].readReply();
      const m = messageOf(r, 'ch');
      if (m === null) break;
      got.push(m);
    }
    const first = got.length > 0 ? Number(got[0].slice(1)) : N;
    t.same(got, seq(first, N), `late subscriber ${j}: messages ${first}..${N - 1}, in order, none missing`);
  }
});
