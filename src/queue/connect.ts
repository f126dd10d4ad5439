// Reaching the queue's Redis before the long-lived clients start: a BullMQ Queue (whose close is safe on a
// connection that never came up, unlike a QueueEvents' or a Worker's) waits for the server's answer for at
// most a given time, then a clear message names the address.
import { Queue } from 'bullmq';
import { connectionOptions, type QueueAddress } from './address';

/**
 * Resolves once Redis at `address` answers; rejects after `timeoutMs` with `${op}: cannot reach the queue at …`.
 *
 * @example
 * await reachQueue(parseQueueUrl('redis://127.0.0.1:6379'), 30_000, 'runQueueWorker');
 */
export async function reachQueue(address: QueueAddress, timeoutMs: number, op: string): Promise<void> {
  const queue = new Queue(address.queue, { connection: connectionOptions(address, false) });
  queue.on('error', () => {}); // ioredis's reconnect attempts; the timeout below speaks for them
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${op}: cannot reach the queue at ${address.display} (no answer in ${timeoutMs} ms; is Redis running there?)`)), timeoutMs);
  });
  try {
    await Promise.race([queue.waitUntilReady(), timeout]);
  } finally {
    clearTimeout(timer);
    await queue.close().catch(() => {});
  }
}
