// Package entry (tfjs-adversarial): the library. Attacks, trainers and architectures as tables one can
// extend (registerAttack, registerTrainer); the fused attack ops; training and evaluation on GPU-resident
// data; models in the tfjs Layers format; the jobs (train, eval, sweep) and their reports; data loading;
// WebGPU set-up. Kernel internals and references: `tfjs-adversarial/engine`; benchmarks: `tfjs-adversarial/bench`.
export { fgsmStep, pgdStep, randomStart, type FgsmStepOptions, type PgdStepOptions, type RandomStartOptions } from './kernels/ops/attack_ops';
export { AdversarialArgumentError } from './core/validate';
export { initWebGPU, ensureGradients } from './engine/init';
export { currentWebGPU, type AdapterSummary, type InitWebGPUOptions, type WebGPUContext } from './platform/device';
export { throttleDawnPolling } from './platform/dawn_polling';
export { seededRandom, shuffle } from './data/random';
export { countTraffic, type TrafficCounter, type TrafficCounts } from './platform/traffic';
export { seedCnn, type SeedCnnOptions } from './models/seed_cnn';
export type { Classifier } from './models/classifier';
export {
  useEngineKernels,
  engineKernelPolicy,
  engineKernelCounts,
  snapshotEngineKernelCounts,
  engineKernelCountsSince,
  type EngineKernelPolicy,
} from './engine/policy';
export { EngineAdamOptimizer, engineAdam } from './engine/optimizer/adam';
export { softmaxCrossEntropy } from './engine/loss/softmax_cross_entropy';
export { klDivergenceRows } from './engine/loss/kl_divergence';
export { gradientAlignment, rowCosine, type GradientAlignmentOptions } from './train/grad_align';
export { uploadDataset, gatherBatch, type GpuDataset } from './data/gpu_dataset';
export { parseIdx, writeIdx, loadIdx, loadIdxImageSet, isGzip, MAX_IDX_BYTES, type IdxArray, type IdxImageSet, type IdxRank } from './data/idx';
export { parseCifar10, loadCifar10, CIFAR10_CLASSES, CIFAR10_RECORD_BYTES } from './data/cifar';
export { decodeImage, imageFormat, MAX_IMAGE_PIXELS, type RawImage, type DecodedImage } from './data/decode_image';
export { resizeBilinear, convertChannels, adaptImageSet } from './data/resize';
export { imageFolderFromFiles, loadImageFolder, MAX_CLASSES, type ImageFolderOptions, type ImageFolderFile } from './data/image_folder';
export { loadLabeledImages, type LabeledImagesOptions } from './data/load_images';
export { loadEmbeddedDigits, embeddedDigitsUrls, EMBEDDED_DIGITS_FILES, type DigitSet } from './data/digits';
export * from './attacks/index';
export { paramProblem, paramTable, resolveParams, splitSpecList, describeRange, type ParamSpec, type ParamValue, type ParamValueOf, type ParamValues, type ParamOptions, type Params } from './core/params';
export { registry, type Registry } from './core/registry';
export * from './trainers/index';
export { trainModel, trainingRun, scheduledLearningRate, epochSeed, type TrainOptions, type TrainProgress, type EpochRecord, type TrainingRun } from './train/loop';
export { evaluateModel, attackBatch, correctCount, type EvaluationAttack, type EvaluationResult, type EvaluationOptions } from './train/evaluate';
export { saveLayersModelFiles, loadLayersModelFiles } from './models/layers_format';
export { seedCnnToLayersModel } from './models/seed_cnn';
export { classifierFromLayersModel } from './models/layers_classifier';
export { lazyConvGradients } from './models/lazy_conv_gradients';
export { planInference, type InferencePlan } from './models/inference_plan';
export { mobileNetV2 } from './models/mobilenet_v2';
export { loadClassifierFiles, modelJsonFormat, type LoadClassifierOptions } from './models/model_files';
export { classifierFromGraphModel, loadGraphModelFiles, type FromGraphModelOptions, type GraphModelLike } from './models/graph_classifier';
export { unfuseGraphNodes, type GraphNode, type GraphAttr } from './models/graph_unfuse';
export { saveClassifier } from './models/layers_format';
export { describeLayers, type FromLayersModelOptions } from './models/layers_classifier';
export { withInputScale, type InputScale } from './models/input_scale';
export { declaredImageShape } from './models/declared_shape';
export { madryCnn, type MadryCnnOptions } from './models/madry_cnn';
export { cifarResNet, type CifarResNetOptions } from './models/resnet';
export { createArchitecture, ARCHITECTURES, architectureIds, type Architecture, type ArchitectureOptions } from './models/architectures';
export { prepareJobData, checkLabelClasses, SPLIT, type ImageSet, type JobDataOptions, type PreparedData } from './job/data';
export { dataFingerprint, modelFingerprint, digestParts } from './job/fingerprint';
export { runTrainJob, reportSettings } from './job/run_train';
export { watchMemory, type MemoryWatch } from './job/memory';
export { memoryLines } from './report/format';
export { trainJobModel, saveJobModel, checkpointVariables, type TrainedModel, type TrainJobOptions } from './job/train_job';
export { judgeProbe, type GuardVerdict } from './job/guard';
export { jobAttacks, evaluateForReport, evaluateJob, toReportEvaluation, metricsOf, DEFAULT_JOB_EVALUATION, type EvalSettings, type JobEvaluationOptions, type JobEvaluation, type EvaluationSaving } from './job/evaluation';
export { parseShard, shardRange, shardCompositePoints, evalReportSettings, type ShardSpec } from './job/shards';
export { mergeShardReports, shardProblems, type ShardReport } from './job/merge';
export { mergeAudit, resultsOfReport } from './job/merge_audit';
export { encodeBitset, decodeBitset, outcomesOf, joinOutcomes, firstFooled, firstFooledOf, evaluationOnRange, curveOnRange } from './report/outcomes';
export { compositeLines, stageTables, auditLines, auditTable, curveChart, curveTable } from './report/robustness';
export type { JobIO, JobProgress, JobEnvironment } from './job/io';
export {
  SETTINGS,
  DEFAULT_TRAIN_SETTINGS,
  DEFAULT_PROBE_EXAMPLES,
  GUARD_MODES,
  KEEP_BEST_MARGIN,
  MAX_ROLLBACKS,
  EVAL_BATCH,
  checkTrainSettings,
  trainerParamsOf,
  attackDefaultsOf,
  type SettingRow,
  type TrainJobSettings,
  type GuardMode,
} from './job/settings';
export * from './report/schema';
export { runEvalJob, runSweep, sweepTradeOff, attackLabels, checkModelFitsData, type SweepOptions } from './job/eval_job';
export { executeJob, loadJobModel, checkModelCoversLabels, type JobRequest, type JobOutcome, type Command } from './job/execute';
export { encodeCheckpoint, decodeCheckpoint, captureTrainingState, restoreTrainingState, uploadNow, type Checkpoint, type CheckpointTensor } from './job/checkpoint';
export { reportView, trainReportView, evalReportView, sweepReportView, type ReportView } from './report/specs';
export type { ChartSpec, ChartSeries, ReportTable } from './report/format';
export { accuracyBars, accuracyLine } from './report/evaluation_view';
export { tradeOffView, sweepTradeOffData, type TradeOffData } from './report/trade_off';
export { reportHtml } from './report/html';
export { apgdStep, dlrLoss, dlrTargetedLoss, type ApgdStepOptions, type StepNorm } from './kernels/ops/attack_ops';
export { auditEvaluation, type AuditOptions } from './audit/run';
export { AUDIT_CHECKS, AUDIT_MARGINS, accuracyOn, type AuditCheckDefinition, type AuditContext } from './audit/checks';
export { degenerateGradientFlags, pgdLossTrace } from './audit/probes';
export { evaluationStateProblem, type EvaluationState, type AttackProgress } from './train/evaluation_state';
export { type EvaluationStage } from './train/evaluate';
export { squareMargin, squareAccept, squareLinfInit, squareLinfCandidate, squareL2Init, squareL2Stats, squareL2Candidate, type SquareStepOptions } from './kernels/ops/square_ops';
