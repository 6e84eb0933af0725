// Bull 4.16.5 (the older queue library: lists, sorted sets, pub/sub, Lua scripts with cmsgpack,
// its own ioredis 5 over RESP2), unchanged, on redis-server and on respdb: JOBS jobs processed by
// 4 queue instances (concurrency 4 each) with retries (attempts 3, fixed backoff: jobs that fail
// their first attempt, their first two, or every one), delayed jobs, some prioritized, some with a
// single attempt. Each job's fate depends only on its index, so each run's multiset of (name,
// attemptsMade, state, result) must be redis-server's, every job finishes exactly once, its
// processor ran once per failed attempt (what attemptsMade counts in Bull) and once more if it
// completed, and no delayed job ran before its delay.
import t from 'tap';
import Bull from 'bull';
import { multiset, runOn, until, type ServerKind, type Target } from './libraries-support.js';

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

function jobOpts(i: number): Bull.JobOptions {
  const o: Bull.JobOptions = { attempts: 3, backoff: { type: 'fixed', delay: 40 } };
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

async function run(target: Target, n: number, prefix: string): Promise<{ records: JobRecord[]; counts: Record<string, number>; completedTwice: string[] }> {
  const opts: Bull.QueueOptions = { redis: { host: target.host, port: target.port }, prefix };
  const queues = Array.from({ length: WORKERS }, () => new Bull('work', opts));
  const runs = new Map<string, number>();
  const completed = new Map<string, number>();
  let finished = 0;
  const errors: string[] = [];
  try {
    for (const q of queues) q.on('error', (e) => errors.push(e.message));
    await queues[0].addBulk(Array.from({ length: n }, (_, i) => ({ data: { i }, opts: jobOpts(i) })));
    for (const q of queues) {
      q.on('completed', (job: Bull.Job) => {
        const name = `job-${(job.data as { i: number }).i}`;
        completed.set(name, (completed.get(name) ?? 0) + 1);
        finished++;
      });
      q.on('failed', (job: Bull.Job) => {
        if (job.attemptsMade >= (job.opts.attempts ?? 1)) finished++;
      });
      void q.process(CONCURRENCY, async (job: Bull.Job) => {
        const i = (job.data as { i: number }).i;
        runs.set(`job-${i}`, (runs.get(`job-${i}`) ?? 0) + 1);
        if (job.attemptsMade < failures(i)) throw new Error(`attempt ${job.attemptsMade + 1} of job ${i} fails`);
        return { double: i * 2 };
      });
    }
    await until(() => finished >= n || errors.length > 0, 50000, `${target.label}: ${n} jobs finished (${finished} so far)`);
    if (errors.length > 0) throw new Error(`${target.label}: ${errors[0]}`);

    const q = queues[0];
    const jobs = await q.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'paused'], 0, -1);
    const records: JobRecord[] = [];
    for (const job of jobs) {
      const delay = job.opts.delay ?? 0;
      records.push({
        name: `job-${(job.data as { i: number }).i}`,
        attemptsMade: job.attemptsMade,
        state: await job.getState(),
        result: job.returnvalue ?? job.failedReason ?? null,
        runs: runs.get(`job-${(job.data as { i: number }).i}`) ?? 0,
        delayKept: job.processedOn !== undefined && job.processedOn !== null && job.processedOn >= job.timestamp + delay,
      });
    }
    const c = await q.getJobCounts();
    const counts: Record<string, number> = { ...c, paused: await q.getPausedCount() };
    const completedTwice = [...completed].filter(([, k]) => k > 1).map(([name]) => name);
    return { records, counts, completedTwice };
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => {})));
  }
}

const byName = (a: JobRecord, b: JobRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

t.test(`Bull: ${JOBS} jobs, ${WORKERS} queue instances, retries and delays, as on redis-server`, async (t) => {
  const plans: Array<{ kind: ServerKind; n: number; prefix: string }> = [
    { kind: 'redis', n: JOBS, prefix: 'bull' },
    { kind: 1, n: JOBS, prefix: 'bull' },
    { kind: 4, n: JOBS_4_SHARDS, prefix: 'bull' },
  ];
  let want: JobRecord[] = [];
  for (const plan of plans) {
    const start = Date.now();
    const got = await runOn(plan.kind, 70000, (target) => run(target, plan.n, plan.prefix));
    const label = `${plan.kind === 'redis' ? 'redis' : `respdb-${plan.kind}`} (${plan.n} jobs)`;
    t.comment(`${label}: ${Date.now() - start} ms`);
    const records = got.records.sort(byName);
    if (plan.kind === 'redis') want = records;
    const expected = want.filter((r) => Number(r.name.slice(4)) < plan.n);
    t.equal(records.length, plan.n, `${label}: every job is there`);
    t.same(got.completedTwice, [], `${label}: no job completed twice`);
    t.same(
      records.filter((r) => r.runs !== r.attemptsMade + (r.state === 'completed' ? 1 : 0)).map((r) => r.name),
      [],
      `${label}: each job's processor ran once per failed attempt, and once more if it completed`,
    );
    t.same(records.filter((r) => !r.delayKept).map((r) => r.name), [], `${label}: no job processed before its delay`);
    t.same(multiset(records), multiset(expected), `${label}: (name, attemptsMade, state, result) as on redis`);
    const finals = expected.reduce((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {} as Record<string, number>);
    t.same(got.counts, { waiting: 0, active: 0, completed: finals.completed ?? 0, failed: finals.failed ?? 0, delayed: 0, paused: 0 }, `${label}: job counts`);
  }
  t.same(
    multiset(want.map((r) => [r.state, r.attemptsMade])),
    multiset(Array.from({ length: JOBS }, (_, i) => {
      const attempts = i % 31 === 7 ? 1 : 3;
      // Bull counts the failed attempts only.
      return failures(i) >= attempts ? ['failed', attempts] : ['completed', failures(i)];
    })),
    'redis: the states and attempts the plan says',
  );
});
