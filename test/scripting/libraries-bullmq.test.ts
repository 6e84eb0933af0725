// BullMQ, unchanged, on redis-server and on respdb: a queue of JOBS jobs processed by 4 workers
// (concurrency 4 each) with retries (attempts 3, fixed backoff: jobs that fail their first
// attempt, their first two, or every one) and delayed jobs, some prioritized, some with a single
// attempt. BullMQ's scripts use hashes, lists, sorted sets, streams (XADD/XTRIM event logs),
// cmsgpack and cjson, and reach keys they compute from a prefix; with the default prefix its
// keys land on every shard of a 4-shard respdb (the cross-shard path), with a `{hash tag}`
// prefix on one. Each job's fate depends only on its index, so each run's multiset of (name,
// attemptsMade, state, return value or failure) must be redis-server's, every job finishes
// exactly once, its processor ran attemptsMade times, and no delayed job ran before its delay.
import t, { type Test } from 'tap';
import { Queue, Worker, type Job } from 'bullmq';
import { multiset, runOn, until, type Target } from './libraries-support.js';

const JOBS = 1000;
/** The 4-shard runs take fewer jobs (the first ones: each job's fate depends only on its index). */
const JOBS_4_SHARDS = 100;
const WORKERS = 4;
const CONCURRENCY = 4;
const DELAY_MS = 150;

/** How many attempts job i fails before it succeeds (Infinity: every one). */
function failures(i: number): number {
  if (i % 50 === 17) return Infinity;
  if (i % 13 === 5) return 2;
  if (i % 7 === 3) return 1;
  return 0;
}

function jobOpts(i: number): Record<string, unknown> {
  const o: Record<string, unknown> = { attempts: 3, backoff: { type: 'fixed', delay: 40 } };
  if (i % 10 === 0) o.delay = DELAY_MS;
  if (i % 25 === 11) o.priority = 1 + (i % 4);
  if (i % 31 === 7) o.attempts = 1;
  return o;
}

interface JobRecord {
  name: string;
  attemptsMade: number;
  state: string;
  result: unknown;
  /** How many times the processor ran for it. */
  runs: number;
  /** Processed no sooner than its delay after it was added. */
  delayKept: boolean;
}

interface RunResult {
  records: JobRecord[];
  counts: Record<string, number>;
  completedTwice: string[];
}

async function run(target: Target, n: number, prefix: string): Promise<RunResult> {
  const connection = { host: target.host, port: target.port, maxRetriesPerRequest: null };
  const queue = new Queue('work', { connection, prefix });
  const workers: Worker[] = [];
  const runs = new Map<string, number>();
  const completed = new Map<string, number>();
  let finished = 0;
  const errors: string[] = [];
  try {
    queue.on('error', (e) => errors.push(`queue: ${e.message}`));
    await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: `job-${i}`, data: { i }, opts: jobOpts(i) })));
    const processor = async (job: Job) => {
      runs.set(job.name, (runs.get(job.name) ?? 0) + 1);
      const i = (job.data as { i: number }).i;
      if (job.attemptsMade < failures(i)) throw new Error(`attempt ${job.attemptsMade + 1} of job ${i} fails`);
      return { double: i * 2 };
    };
    for (let w = 0; w < WORKERS; w++) {
      const worker = new Worker('work', processor, { connection, prefix, concurrency: CONCURRENCY });
      worker.on('error', (e) => errors.push(`worker: ${e.message}`));
      worker.on('completed', (job) => {
        completed.set(job.name, (completed.get(job.name) ?? 0) + 1);
        finished++;
      });
      worker.on('failed', (job) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) finished++;
      });
      workers.push(worker);
    }
    await until(() => finished >= n || errors.length > 0, 50000, `${target.label}: ${n} jobs finished (${finished} so far)`);
    if (errors.length > 0) throw new Error(`${target.label}: ${errors[0]}`);
    await Promise.all(workers.map((w) => w.close()));
    workers.length = 0;

    const jobs = await queue.getJobs(['completed', 'failed', 'active', 'wait', 'delayed', 'prioritized'], 0, -1);
    const records: JobRecord[] = [];
    for (const job of jobs) {
      const delay = (job.opts.delay as number | undefined) ?? 0;
      records.push({
        name: job.name,
        attemptsMade: job.attemptsMade,
        state: await job.getState(),
        result: job.returnvalue ?? job.failedReason ?? null,
        runs: runs.get(job.name) ?? 0,
        delayKept: job.processedOn !== undefined && job.processedOn >= job.timestamp + delay,
      });
    }
    const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed', 'prioritized');
    const completedTwice = [...completed].filter(([, c]) => c > 1).map(([name]) => name);
    return { records, counts, completedTwice };
  } finally {
    await Promise.all(workers.map((w) => w.close(true).catch(() => {})));
    await queue.close();
  }
}

const byName = (a: JobRecord, b: JobRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function check(t: Test, label: string, got: RunResult, want: JobRecord[], n: number): void {
  const records = got.records.sort(byName);
  const expected = want.filter((r) => Number(r.name.slice(4)) < n);
  t.equal(records.length, n, `${label}: every job is there`);
  t.same(got.completedTwice, [], `${label}: no job completed twice`);
  t.same(
    records.filter((r) => r.runs !== r.attemptsMade).map((r) => r.name),
    [],
    `${label}: each job's processor ran attemptsMade times`,
  );
  t.same(records.filter((r) => !r.delayKept).map((r) => r.name), [], `${label}: no job processed before its delay`);
  t.same(multiset(records), multiset(expected), `${label}: (name, attemptsMade, state, result) as on redis`);
  const finals = expected.reduce((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {} as Record<string, number>);
  t.same(got.counts, { completed: finals.completed ?? 0, failed: finals.failed ?? 0, active: 0, wait: 0, delayed: 0, prioritized: 0 }, `${label}: job counts`);
}

t.test(`BullMQ: ${JOBS} jobs, ${WORKERS} workers, retries and delays, as on redis-server`, async (t) => {
  const timed = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const v = await f();
    t.comment(`${label}: ${Date.now() - start} ms`);
    return v;
  };
  const redis = await timed('redis', () => runOn('redis', 60000, (target) => run(target, JOBS, 'bull')));
  const want = redis.records.sort(byName);
  check(t, `redis (${JOBS} jobs)`, redis, want, JOBS);
  t.same(
    multiset(want.map((r) => [r.state, r.attemptsMade])),
    multiset(Array.from({ length: JOBS }, (_, i) => {
      const attempts = i % 31 === 7 ? 1 : 3;
      const made = Math.min(failures(i) + 1, attempts);
      return [failures(i) >= attempts ? 'failed' : 'completed', made];
    })),
    'redis: the states and attempts the plan says',
  );

  const one = await timed('respdb-1', () => runOn(1, 60000, (target) => run(target, JOBS, 'bull')));
  check(t, `respdb-1 (${JOBS} jobs)`, one, want, JOBS);

  // 4 shards: the default prefix spreads a queue's keys over every shard (each script takes the
  // cross-shard path), a {hash tag} prefix keeps them on one; both queues at once on one server.
  const [spread, tagged] = await timed('respdb-4, both queues', () =>
    runOn(4, 60000, (target) => Promise.all([run(target, JOBS_4_SHARDS, 'bull'), run(target, JOBS_4_SHARDS, '{bq}')])),
  );
  check(t, `respdb-4 (${JOBS_4_SHARDS} jobs, prefix bull)`, spread, want, JOBS_4_SHARDS);
  check(t, `respdb-4 (${JOBS_4_SHARDS} jobs, prefix {bq})`, tagged, want, JOBS_4_SHARDS);
});
