// A queue worker for test/node/queue.test.ts, run as `node test/suite/queue_worker.mjs` with its settings in
// the environment: runQueueWorker from the built dist/queue.js with a deterministic handler (each point i
// of a batch gives pointOutcome(i) of queue_outcome.mjs, after SLEEP_MS), printing `started START-END` when it takes a batch
// and `ready ID` once connected, so the test can kill it while it holds one; the batch starting at FAIL_AT
// throws. Closes on SIGTERM.
import { runQueueWorker } from '../../dist/queue.js';
import { pointOutcome } from './queue_outcome.mjs';

const env = process.env;
const sleepMs = Number(env.SLEEP_MS ?? 0);
const worker = await runQueueWorker({
  url: env.QUEUE_URL,
  id: env.WORKER_ID,
  fingerprints: { model: env.MODEL_FINGERPRINT, data: env.DATA_FINGERPRINT },
  lockDurationMs: Number(env.LOCK_MS ?? 2000),
  stalledIntervalMs: Number(env.STALLED_MS ?? 1000),
  handler: async ({ start, end, task }) => {
    console.log(`started ${start}-${end}`);
    if (sleepMs > 0) await new Promise((r) => setTimeout(r, sleepMs));
    if (env.FAIL_AT !== undefined && Number(env.FAIL_AT) === start) throw new Error(`the handler broke at point ${start}`);
    const points = [];
    for (let i = start; i < end; i++) points.push({ ...pointOutcome(i), scale: task?.scale ?? 1 });
    return points;
  },
});
console.log(`ready ${worker.id}`);
await worker.closed;
console.log(`closed ${worker.id}`);
