// A respdb master with respdb replicas on fixed loopback ports (sentinel needs stable addresses:
// a node restarted after kill -9 comes back on its own port and dir), for the Sentinel tests.
import { freePort, startRespdb, type RespdbProc } from './servers.js';
import { RawClient } from './resp-client.js';
import { caughtUp, field, until } from './replica.js';
import { getInfo } from './info.js';

export interface Node {
  p: RespdbProc;
  port: number;
  /** Extra arguments the node was started with (kept for restarts). */
  args: string[];
}

export async function startNode(args: string[] = [], replicaOf?: number): Promise<Node> {
  // a free port can be taken by another test before the node listens on it: try another
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const all = ['--port', String(port), ...args, ...(replicaOf ? ['--replicaof', `127.0.0.1 ${replicaOf}`] : [])];
    try {
      return { p: await startRespdb({ shards: 2, args: all }), port, args };
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error && e.message.includes('EADDRINUSE'))) throw e;
    }
  }
}

/** A master and `replicas` replicas with their links up and caught up. */
export async function startGroup(replicas: number, args: string[] = [], replicaArgs: string[][] = []): Promise<Node[]> {
  const master = await startNode(args);
  const nodes = [master];
  try {
    for (let i = 0; i < replicas; i++) nodes.push(await startNode([...args, ...(replicaArgs[i] ?? [])], master.port));
    const cm = await RawClient.connect(master.port);
    try {
      for (const n of nodes.slice(1)) {
        const c = await RawClient.connect(n.port);
        try {
          await caughtUp(cm, c);
        } finally {
          c.close();
        }
      }
    } finally {
      cm.close();
    }
  } catch (e) {
    await stopAll(nodes);
    throw e;
  }
  return nodes;
}

export async function stopAll(nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.p.stop().catch(() => undefined)));
}

/**
 * Sentinel's reconfiguration ends with CLIENT KILL TYPE normal on the node it reconfigures, so a
 * short connection of a test may be closed under it: that is a question to ask again.
 */
export function closedByNode(e: unknown): boolean {
  return e instanceof Error && /^connection to \S+ closed/.test(e.message);
}

/** One INFO replication field of the node on `port`, on a short connection (undefined when Sentinel closed it). */
export async function infoField(port: number, name: string): Promise<string | undefined> {
  const c = await RawClient.connect(port);
  try {
    return await field(c, name);
  } catch (e) {
    if (closedByNode(e)) return undefined;
    throw e;
  } finally {
    c.close();
  }
}

/** Waits until the node on `port` is a replica of `masterPort` with its link up. */
export async function untilFollows(port: number, masterPort: number, ms = 20000): Promise<void> {
  await until(`node ${port} to follow ${masterPort} with its link up`, async () => {
    return (
      (await infoField(port, 'role')) === 'slave' &&
      (await infoField(port, 'master_port')) === String(masterPort) &&
      (await infoField(port, 'master_link_status')) === 'up'
    );
  }, ms);
}

/** SETs `prefix:0..n-1` and waits until both replicas acknowledged them (WAIT 2). */
export async function writeKeys(port: number, prefix: string, n: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    await c.pipeline(Array.from({ length: n }, (_, i) => ['SET', `${prefix}:${i}`, String(i)]));
    const acks = await c.send('WAIT', '2', '5000');
    if (acks.t !== 'int' || acks.v < 2n) throw new Error(`WAIT 2 answered ${JSON.stringify(acks)}`);
  } finally {
    c.close();
  }
}

/** How many of `prefix:0..n-1` the node lacks. */
export async function missing(port: number, prefix: string, n: number): Promise<number> {
  const c = await RawClient.connect(port);
  try {
    const r = await c.send('MGET', ...Array.from({ length: n }, (_, i) => `${prefix}:${i}`));
    return r.t === 'array' && r.v ? r.v.filter((x) => x.t !== 'bulk' || x.v === null).length : n;
  } finally {
    c.close();
  }
}

/** INFO's role of the node (undefined when Sentinel closed the connection). */
export async function role(port: number): Promise<string | undefined> {
  const c = await RawClient.connect(port);
  try {
    return (await getInfo(c, 'replication')).f.get('role');
  } catch (e) {
    if (closedByNode(e)) return undefined;
    throw e;
  } finally {
    c.close();
  }
}
