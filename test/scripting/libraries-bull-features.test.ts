// Bull 4.16.5's other scripts, unchanged, on redis-server and on respdb with 1 and 4 shards:
// custom ids, progress and logs, update, global pause (a RENAME of the wait list inside a
// script) and resume, counts per priority, promote, remove, removeJobs by pattern (a SCAN ...
// MATCH inside a script, cursor loop in the client), a failed job retried, job.finished(),
// clean, empty, obliterate. What the queue answers at each step (states, counts, ids, values, the
// keys left at the end) must be redis-server's; timestamps are left out.
import t from 'tap';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { outcome, plain, runOnEach, until, type Outcome, type Target } from './libraries-support.js';

type Log = Record<string, Outcome | unknown>;

async function shape(job: Bull.Job | null | undefined): Promise<unknown> {
  if (!job) return null;
  return {
    id: job.id,
    data: job.data as unknown,
    state: await job.getState(),
    attemptsMade: job.attemptsMade,
    progress: job.progress(),
    priority: job.opts.priority ?? null,
    delay: job.opts.delay ?? null,
    returnvalue: job.returnvalue ?? null,
    failedReason: job.failedReason ?? null,
  };
}

async function scenario(target: Target): Promise<Log> {
  const queue = new Bull('feat', { redis: { host: target.host, port: target.port } });
  const log: Log = {};
  let step = 0;
  const note = async (name: string, f: () => Promise<unknown>) => {
    log[`${String(++step).padStart(2, '0')} ${name}`] = await outcome(f);
  };
  const errors: string[] = [];
  queue.on('error', (e) => errors.push(e.message));
  try {
    await note('add with id', async () => shape(await queue.add({ n: 1 }, { jobId: 'fixed-1' })));
    await note('add same id again', async () => shape(await queue.add({ n: 2 }, { jobId: 'fixed-1' })));
    await note('progress, log, update', async () => {
      const job = (await queue.getJob('fixed-1'))!;
      await job.progress(42);
      await job.log('line 1');
      await job.log('line 2');
      await job.update({ n: 1, updated: true });
      return { job: await shape(await queue.getJob('fixed-1')), logs: await queue.getJobLogs('fixed-1') };
    });
    await note('add prioritized', async () => {
      for (const [k, p] of [3, 1, 2, 1].entries()) await queue.add({ p }, { priority: p, jobId: `prio-${k}` });
      return queue.getCountsPerPriority([1, 2, 3, 4]);
    });
    await note('add delayed and promote', async () => {
      await queue.add({ late: true }, { jobId: 'late-1', delay: 60000 });
      const before = await shape(await queue.getJob('late-1'));
      await (await queue.getJob('late-1'))!.promote();
      return { before, after: await shape(await queue.getJob('late-1')) };
    });
    await note('pause', async () => {
      await queue.pause();
      await queue.add({ whilePaused: true }, { jobId: 'paused-1' });
      return { paused: await queue.isPaused(), counts: await queue.getJobCounts(), pausedCount: await queue.getPausedCount() };
    });
    await note('resume', async () => {
      await queue.resume();
      return { paused: await queue.isPaused(), counts: await queue.getJobCounts(), pausedCount: await queue.getPausedCount() };
    });
    await note('remove', async () => {
      await (await queue.getJob('paused-1'))!.remove();
      return { gone: await queue.getJob('paused-1'), counts: await queue.getJobCounts() };
    });
    await note('removeJobs by pattern', async () => {
      for (let i = 0; i < 30; i++) await queue.add({ i }, { jobId: `rm-${i}` });
      await queue.add({ keep: true }, { jobId: 'keep-rm' });
      await queue.removeJobs('rm-*');
      return { counts: await queue.getJobCounts(), waiting: (await queue.getWaiting(0, -1)).map((j) => String(j.id)).sort() };
    });

    // Processing: fixed-1 fails (one attempt), the rest complete; then it is retried.
    const processed: string[] = [];
    void queue.process(1, async (job: Bull.Job) => {
      processed.push(String(job.id));
      if (job.id === 'fixed-1' && !(job.data as { retried?: boolean }).retried) throw new Error('fails until retried');
      return `done ${job.id}`;
    });
    await until(async () => {
      const c = await queue.getJobCounts();
      return c.waiting + c.active + c.delayed === 0;
    }, 20000, 'the queue processed');
    await note('processing order', async () => processed.slice());
    await note('after processing', async () => ({ counts: await queue.getJobCounts(), failed: await Promise.all((await queue.getFailed()).map(shape)) }));
    await note('retry', async () => {
      const job = (await queue.getJob('fixed-1'))!;
      await job.update({ n: 1, retried: true });
      await job.retry();
      const again = (await queue.getJob('fixed-1'))!;
      return { value: await again.finished(), job: await shape(await queue.getJob('fixed-1')) };
    });
    await note('clean completed', async () => (await queue.clean(0, 'completed')).map(String).sort());
    await note('counts after clean', () => queue.getJobCounts());
    await note('empty', async () => {
      await queue.pause(true);
      await queue.add({ x: 1 }, { jobId: 'empty-1' });
      await queue.add({ x: 2 }, { jobId: 'empty-2', delay: 60000 });
      await queue.empty();
      return queue.getJobCounts();
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
    log.errors = errors;
    return plain(log) as Log;
  } finally {
    await queue.close();
  }
}

t.test('Bull queue operations and cleanup, 1 and 4 shards, as on redis-server', async (t) => {
  const runs = await runOnEach(t, ['redis', 1, 4], 60000, scenario);
  const want = runs.get('redis')!;
  for (const [label, got] of runs) {
    if (label === 'redis') continue;
    for (const k of Object.keys(want)) t.same(got[k], want[k], `${label}: ${k}`);
    t.same(Object.keys(got), Object.keys(want), `${label}: the same steps`);
  }
});
