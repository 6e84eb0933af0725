// BullMQ's other scripts, unchanged, on redis-server and on respdb with 1 and 4 shards: custom
// job ids and duplicates, deduplication, delayed jobs (changeDelay, promote), priorities
// (changePriority), progress and logs, pause/resume, remove, retry of failed jobs, a flow (a
// parent waiting for its children, processed by a worker, with the children's values),
// QueueEvents (XREAD BLOCK on the events stream) and waitUntilFinished, clean, drain and
// obliterate. What the queue answers at each step (job states, counts, ids, values,
// the keys left at the end) must be redis-server's; timestamps and generated ids are left out.
import t from 'tap';
import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { outcome, plain, runOnEach, until, type Outcome, type Target } from './libraries-support.js';

type Log = Record<string, Outcome | unknown>;

/** A job as far as it does not depend on time: name, data, state, attempts, progress, value. */
async function shape(job: Job | undefined | null): Promise<unknown> {
  if (!job) return null;
  return {
    name: job.name,
    id: job.id,
    data: job.data as unknown,
    state: await job.getState(),
    attemptsMade: job.attemptsMade,
    progress: job.progress,
    priority: job.priority,
    delay: job.delay,
    returnvalue: job.returnvalue ?? null,
    failedReason: job.failedReason ?? null,
  };
}

async function scenario(target: Target): Promise<Log> {
  const connection = { host: target.host, port: target.port, maxRetriesPerRequest: null };
  const queue = new Queue('feat', { connection });
  const flows = new FlowProducer({ connection });
  const workers: Worker[] = [];
  const log: Log = {};
  let step = 0;
  const note = async (name: string, f: () => Promise<unknown>) => {
    log[`${String(++step).padStart(2, '0')} ${name}`] = await outcome(f);
  };
  const counts = () => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children');
  try {
    await note('add with id', async () => shape(await queue.add('a', { n: 1 }, { jobId: 'fixed-1' })));
    await note('add same id again', async () => shape(await queue.add('a', { n: 2 }, { jobId: 'fixed-1' })));
    await note('add deduplicated', async () => (await queue.add('d', { n: 1 }, { deduplication: { id: 'dd' } })).id === (await queue.add('d', { n: 2 }, { deduplication: { id: 'dd' } })).id);
    await note('deduplication owner', async () => (await queue.getDeduplicationJobId('dd')) !== null);
    await note('add delayed', async () => shape(await queue.add('late', { n: 3 }, { jobId: 'late-1', delay: 60000 })));
    await note('change delay', async () => {
      const job = (await queue.getJob('late-1'))!;
      await job.changeDelay(120000);
      return shape(await queue.getJob('late-1'));
    });
    await note('promote', async () => {
      await (await queue.getJob('late-1'))!.promote();
      return shape(await queue.getJob('late-1'));
    });
    await note('add prioritized', async () => {
      for (let p = 5; p >= 1; p--) await queue.add(`p${p}`, { p }, { jobId: `prio-${p}`, priority: p });
      return (await queue.getPrioritized()).map((j) => j.id).sort();
    });
    await note('change priority', async () => {
      await (await queue.getJob('prio-5'))!.changePriority({ priority: 10 });
      return shape(await queue.getJob('prio-5'));
    });
    await note('progress and logs', async () => {
      const job = (await queue.getJob('fixed-1'))!;
      await job.updateProgress({ pct: 42 });
      for (let i = 0; i < 3; i++) await job.log(`line ${i}`);
      return { job: await shape(await queue.getJob('fixed-1')), logs: await queue.getJobLogs('fixed-1'), last2: await queue.getJobLogs('fixed-1', 0, 1, false) };
    });
    await note('counts', counts);
    await note('pause', async () => {
      await queue.pause();
      await queue.add('while-paused', {}, { jobId: 'paused-1' });
      return { paused: await queue.isPaused(), counts: await counts() };
    });
    await note('resume', async () => {
      await queue.resume();
      return { paused: await queue.isPaused(), counts: await counts() };
    });
    await note('remove', async () => {
      await (await queue.getJob('paused-1'))!.remove();
      return { gone: (await queue.getJob('paused-1')) ?? null, counts: await counts() };
    });
    await note('waiting order', async () => (await queue.getWaiting(0, -1)).map((j) => j.id));

    // A worker takes everything: a job that fails once without retries, the rest succeed.
    const processed: string[] = [];
    const worker = new Worker(
      'feat',
      async (job: Job) => {
        processed.push(job.name);
        if (job.name === 'a' && job.attemptsMade === 0 && !(job.data as { retried?: boolean }).retried) throw new Error('fails once');
        return `done ${job.name}`;
      },
      { connection, concurrency: 1 },
    );
    workers.push(worker);
    await until(async () => {
      const c = await counts();
      return c.waiting + c.active + c.prioritized === 0;
    }, 20000, 'the first jobs processed');
    await note('processing order', async () => processed.slice());
    await note('after processing', async () => ({ counts: await counts(), failed: await Promise.all((await queue.getFailed()).map(shape)) }));
    await note('retry failed', async () => {
      await (await queue.getJob('fixed-1'))!.updateData({ n: 1, retried: true });
      await queue.retryJobs({ state: 'failed' });
      await until(async () => (await queue.getJob('fixed-1'))?.finishedOn !== undefined && (await (await queue.getJob('fixed-1'))!.getState()) === 'completed', 20000, 'the retried job completed');
      return shape(await queue.getJob('fixed-1'));
    });

    // A flow: the parent waits for its three children, then runs with their values.
    const parentValues: Record<string, unknown>[] = [];
    const flowWorker = new Worker(
      'flowq',
      async (job: Job) => {
        if (job.name === 'parent') {
          parentValues.push(await job.getChildrenValues());
          return 'parent done';
        }
        return (job.data as { v: number }).v * 10;
      },
      { connection, concurrency: 2 },
    );
    workers.push(flowWorker);
    await note('flow', async () => {
      const node = await flows.add({
        name: 'parent',
        queueName: 'flowq',
        opts: { jobId: 'parent-1' },
        children: [1, 2, 3].map((v) => ({ name: `child-${v}`, queueName: 'flowq', data: { v }, opts: { jobId: `child-${v}` } })),
      });
      return { parent: node.job.id, children: (node.children ?? []).map((c) => c.job.id).sort() };
    });
    const flowq = new Queue('flowq', { connection });
    try {
      await until(async () => (await flowq.getJobCounts('completed')).completed === 4, 20000, 'the flow completed');
      await note('flow result', async () => ({
        values: parentValues.map((v) => Object.entries(v).sort()),
        parent: await shape(await flowq.getJob('parent-1')),
        deps: await (await flowq.getJob('parent-1'))!.getDependenciesCount(),
      }));
      await flowq.obliterate({ force: true });
    } finally {
      await flowq.close();
    }
    // QueueEvents reads the events stream from its start with XREAD BLOCK: a job's life as its events, and
    // waitUntilFinished (which waits for the completed or failed event).
    const events = new QueueEvents('evq', { connection, lastEventId: '0-0' });
    const evq = new Queue('evq', { connection });
    const seen: string[] = [];
    try {
      for (const name of ['added', 'waiting', 'active', 'progress', 'completed', 'failed', 'delayed', 'removed'] as const) {
        events.on(name, (e: { jobId: string }) => seen.push(`${e.jobId} ${name}`));
      }
      await events.waitUntilReady();
      const evWorker = new Worker(
        'evq',
        async (job: Job) => {
          await job.updateProgress(50);
          if (job.name === 'bad') throw new Error('bad job');
          return { ok: job.name };
        },
        { connection },
      );
      workers.push(evWorker);
      await note('wait until finished', async () => {
        const good = await evq.add('good', {}, { jobId: 'ev-1' });
        const bad = await evq.add('bad', {}, { jobId: 'ev-2' });
        return { good: await good.waitUntilFinished(events, 20000), bad: await outcome(() => bad.waitUntilFinished(events, 20000)) };
      });
      await until(() => seen.filter((e) => e.endsWith('completed') || e.endsWith('failed')).length >= 2, 20000, 'both jobs finished as events');
      await note('events', async () => ({ 'ev-1': seen.filter((e) => e.startsWith('ev-1 ')), 'ev-2': seen.filter((e) => e.startsWith('ev-2 ')) }));
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      await evq.obliterate({ force: true });
    } finally {
      await events.close();
      await evq.close();
    }

    await note('clean completed', async () => (await queue.clean(0, 100, 'completed')).length);
    await note('counts after clean', counts);
    await note('drain', async () => {
      await queue.add('x', {}, { jobId: 'drain-1' });
      await queue.add('y', {}, { jobId: 'drain-2', delay: 60000 });
      await queue.drain(true);
      return counts();
    });
    await note('obliterate', async () => {
      await queue.obliterate({ force: true });
      const direct = new Redis({ host: target.host, port: target.port });
      try {
        return (await direct.keys('bull:*')).sort();
      } finally {
        direct.disconnect();
      }
    });
    return plain(log) as Log;
  } finally {
    await Promise.all(workers.map((w) => w.close(true).catch(() => {})));
    await flows.close();
    await queue.close();
  }
}

t.test('BullMQ queue operations, flows and cleanup, 1 and 4 shards, as on redis-server', async (t) => {
  const runs = await runOnEach(t, ['redis', 1, 4], 60000, scenario);
  const want = runs.get('redis')!;
  for (const [label, got] of runs) {
    if (label === 'redis') continue;
    for (const k of Object.keys(want)) t.same(got[k], want[k], `${label}: ${k}`);
    t.same(Object.keys(got), Object.keys(want), `${label}: the same steps`);
  }
});
