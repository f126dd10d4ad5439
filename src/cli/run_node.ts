// A job in Node: WebGPU through Dawn, files on the local disk, the summary on stdout.
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initWebGPU } from '../engine/init';
import { currentWebGPU } from '../platform/device';
import { executeJob, type JobOutcome, type JobRequest } from '../job/execute';
import { countTraffic } from '../platform/traffic';
import { loadRequestSets, nodeJobIO, type ProgressPrinter } from './node_io';

export async function runJobInNode(request: JobRequest, progress: ProgressPrinter): Promise<JobOutcome['report']> {
  const { adapter } = await initWebGPU();
  await ensureGradients();
  const io = nodeJobIO(request.out, progress);
  io.log(`adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.description} (${adapter.software ? 'software' : 'hardware'}), runtime node ${process.version}, tfjs ${tf.version_core}`);
  const { summary, report } = await executeJob(request, await loadRequestSets(request), io, {
    runtime: { name: 'node', version: process.version },
    adapter,
    traffic: countTraffic(currentWebGPU()!.device),
  });
  console.log(`\n${summary.join('\n')}`);
  return report;
}
