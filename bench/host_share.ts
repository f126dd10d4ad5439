// What reusing bind groups and uniform buffers could save: the share of a training step's wall time spent
// in GPUDevice.createBindGroup and GPUQueue.writeBuffer (tfjs makes a bind group per dispatch and takes
// uniform buffers from its pool), timed around those calls over our steps of the step benchmark, in Node.
// usage: node bench/run.mjs bench/host_share.ts
import * as lib from '../dist/index.js';
import { runStepBench, type StepKind } from '../dist/bench.js';

await lib.initWebGPU();
await lib.ensureGradients();
const device = lib.currentWebGPU()!.device;
const spent = { bindGroup: 0, bindGroups: 0, write: 0, writes: 0 };
const createBindGroup = device.createBindGroup.bind(device);
device.createBindGroup = (descriptor: GPUBindGroupDescriptor) => {
  const t = performance.now();
  const group = createBindGroup(descriptor);
  spent.bindGroup += performance.now() - t;
  spent.bindGroups++;
  return group;
};
const writeBuffer = device.queue.writeBuffer.bind(device.queue) as (...args: unknown[]) => void;
(device.queue as unknown as { writeBuffer: (...args: unknown[]) => void }).writeBuffer = (...args: unknown[]) => {
  const t = performance.now();
  writeBuffer(...args);
  spent.write += performance.now() - t;
  spent.writes++;
};
const pct = (ms: number, of: number) => `${((100 * ms) / of).toFixed(2)}%`;
for (const step of ['train_clean', 'train_fgsm', 'train_pgd7'] as StepKind[]) {
  Object.assign(spent, { bindGroup: 0, bindGroups: 0, write: 0, writes: 0 });
  const t0 = performance.now();
  const [entry] = await runStepBench({ batchSizes: [64], steps: [step], runs: 8, warmup: 2, filter: 'ours' });
  const wall = performance.now() - t0;
  console.log(
    `${entry.name}: step ${entry.wallMs.median.toFixed(1)} ms (host ${entry.hostMs.median.toFixed(1)} ms); over the entry's ${(wall / 1000).toFixed(1)} s: ` +
      `createBindGroup ${spent.bindGroups} calls ${spent.bindGroup.toFixed(1)} ms (${pct(spent.bindGroup, wall)}), writeBuffer ${spent.writes} calls ${spent.write.toFixed(1)} ms (${pct(spent.write, wall)})`,
  );
}
