// tfjs-adversarial/bench: the benchmarks (attack kernels, engine kernels against tfjs's, training steps of
// the trainer table), in Node, headless Chrome or a page: `runBenchmarks` returns one results object.
export { runKernelBench, kernelRatios, DEFAULT_SIZES, QUICK_SIZES } from './kernels';
export type { KernelBenchOptions, KernelBenchResults, BenchEntry, BenchRatio } from './kernels';
export { runStepBench, STEP_KINDS } from './steps';
export type { StepBenchOptions, StepEntry, StepKind, StepImpl } from './steps';
export { runAttackIterationBench, type AttackIterationEntry, type AttackIterationOptions } from './attack_iterations';
export { runBenchmarks, stepRatios, BENCH_SCHEMA, type BenchmarkOptions, type BenchmarkResults } from './index';
export { measureFmaPeak, fmaPeakWgsl, FMA_CHAINS, type FmaPeak } from './fma_peak';
