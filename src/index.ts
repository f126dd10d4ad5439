// Package entry: the fused attack ops, their kernels and references, WebGPU set-up, traffic counting,
// the seed CNN and its training steps, and the benchmarks (runBenchmarks).
export { fgsmStep, pgdStep, randomStart, type FgsmStepOptions, type PgdStepOptions, type RandomStartOptions } from './ops';
export { fgsmStepComposed, pgdStepComposed, randomStartComposed } from './composed';
export {
  copyReference,
  fgsmStepReference,
  pcgHash,
  pgdStepReference,
  randomStartNoise,
  randomStartReference,
} from './reference';
export { registerAttackKernels } from './kernels/register';
export { Copy, FgsmStep, PgdStep, RandomStart } from './kernels/kernel_names';
export type { FgsmStepAttrs, PgdStepAttrs, RandomStartAttrs } from './kernels/kernel_names';
export { FLAG_PRINT_SHADER, FLAG_VEC4, WORKGROUP_SIZE } from './kernels/elementwise_program';
export { AdversarialArgumentError } from './validate';
export {
  currentWebGPU,
  initWebGPU,
  SWIFTSHADER_ICD_CANDIDATES,
  type AdapterSummary,
  type InitWebGPUOptions,
  type WebGPUContext,
} from './device';
export { seededRandom, shuffle } from './data/random';
export { ensureGradients } from './gradients';
export { countTraffic, type TrafficCounter, type TrafficCounts } from './traffic';
export { runKernelBench, kernelRatios, DEFAULT_SIZES, QUICK_SIZES } from './bench/kernels';
export type { KernelBenchOptions, KernelBenchResults, BenchEntry, BenchRatio } from './bench/kernels';
export { runStepBench, STEP_KINDS } from './bench/steps';
export type { StepBenchOptions, StepEntry, StepKind, StepImpl } from './bench/steps';
export { seedCnn, type Classifier } from './models/seed_cnn';
export * from './train/steps';
export { runBenchmarks, stepRatios, BENCH_SCHEMA, type BenchmarkOptions, type BenchmarkResults } from './bench/index';
export { registerEngineKernels, originalKernel } from './engine/register';
export {
  useEngineKernels,
  engineKernelPolicy,
  engineKernelEnabled,
  isSoftwareAdapter,
  engineKernelCounts,
  ENGINE_KERNEL_NAMES,
  type EngineKernelName,
  type EngineKernelPolicy,
} from './engine/policy';
export { EngineAdamOptimizer, engineAdam, adamStepReference, adamStepWebGPU, type AdamStepScalars } from './engine/adam';
export { softmaxCrossEntropy, SoftmaxCrossEntropy, SoftmaxCrossEntropyGrad } from './engine/softmax_cross_entropy';
export {
  conv2dReference,
  conv2dBackpropInputReference,
  conv2dBackpropFilterReference,
  maxPoolReference,
  maxPoolGradReference,
  matMulReference,
  columnSumReference,
  softmaxCrossEntropyReference,
  type ConvGeometry,
} from './engine/reference';
export { conv2dBiasRelu, Conv2DBiasRelu } from './engine/conv_bias_relu';
export { uploadDataset, gatherBatch, gatherImagesReference, GatherImages, type GpuDataset, type GatherImagesAttrs } from './data/gpu_dataset';
export { parseIdx, writeIdx, loadIdx, loadIdxImageSet, isGzip, type IdxArray, type IdxImageSet } from './data/idx';
export { fgsmAttack, pgdAttack, perExampleLoss, type FgsmAttackOptions, type PgdAttackOptions } from './attacks';
export { trainModel, evaluateModel, trainerStep, scheduledLearningRate, TRAINERS, type TrainerKind, type TrainOptions, type TrainProgress, type EpochRecord, type EvaluationAttack, type EvaluationResult, type EvaluationOptions, type EpochDecision, epochSeed } from './train/trainer';
export { seedCnnToLayersModel, saveLayersModelFiles, loadLayersModelFiles, classifierFromLayersModel } from './models/layers_format';
export { saveClassifier, describeLayers, type FromLayersModelOptions } from './models/layers_format';
export { madryCnn, type MadryCnnOptions } from './models/madry_cnn';
export { createArchitecture, ARCHITECTURES, architectureIds, type Architecture, type ArchitectureOptions } from './models/architectures';
export type { SeedCnnOptions } from './models/seed_cnn';
export { prepareJobData, SPLIT, type ImageSet, type JobDataOptions, type PreparedData } from './job/data';
export {
  runTrainJob,
  trainJobModel,
  saveJobModel,
  evaluateForReport,
  jobAttacks,
  judgeProbe,
  DEFAULT_TRAIN_SETTINGS,
  DEFAULT_PROBE_EXAMPLES,
  GUARD_MODES,
  KEEP_BEST_MARGIN,
  MAX_ROLLBACKS,
  EVAL_BATCH,
  REPORT_SCHEMA,
  type TrainJobSettings,
  type GuardMode,
  type GuardVerdict,
  type GuardEvent,
  type HistoryEntry,
  type JobIO,
  type JobProgress,
  type JobEnvironment,
  type TrainReport,
  type ReportEvaluation,
  type TrainedModel,
} from './job/train_job';
export { runEvalJob, runSweep, sweepTradeOff, type EvalSettings, type EvalReport, type SweepReport, type SweepRow } from './job/eval_job';
export { executeJob, type JobRequest, type JobOutcome, type Command } from './job/execute';
export { encodeCheckpoint, decodeCheckpoint, captureTrainingState, restoreTrainingState, uploadNow, type Checkpoint, type CheckpointTensor } from './job/checkpoint';
export {
  reportView,
  trainReportView,
  evalReportView,
  sweepReportView,
  tradeOffView,
  accuracyBars,
  type ChartSpec,
  type ChartSeries,
  type ReportTable,
  type ReportView,
  type TradeOffData,
  type AnyReport,
} from './report/specs';
export { reportHtml } from './report/html';
