// tfjs-adversarial/engine: the kernels' internals for those who test or extend them: the attack kernels'
// names, flags, composed forms and CPU references, the engine kernels' registration, policy details,
// fused programs and float64 references (the tests' oracles).
export { fgsmStepComposed, pgdStepComposed, randomStartComposed } from '../composed';
export { copyReference, fgsmStepReference, pcgHash, pgdStepReference, randomStartNoise, randomStartReference } from '../reference';
export { registerAttackKernels } from '../attack_kernels/register';
export { Copy, FgsmStep, PgdStep, RandomStart } from '../attack_kernels/kernel_names';
export type { FgsmStepAttrs, PgdStepAttrs, RandomStartAttrs } from '../attack_kernels/kernel_names';
export { FLAG_PRINT_SHADER, FLAG_VEC4, WORKGROUP_SIZE } from './program';
export { SWIFTSHADER_ICD_CANDIDATES } from '../device';
export { registerEngineKernels, originalKernel } from './register';
export { engineKernelEnabled, isSoftwareAdapter, ENGINE_KERNEL_NAMES, type EngineKernelName } from './policy';
export { adamStepReference, adamStepWebGPU, type AdamStepScalars } from './optimizer/adam';
export { SoftmaxCrossEntropy, SoftmaxCrossEntropyGrad } from './loss/softmax_cross_entropy';
export { KlDivergence, KlDivergenceGrad } from './loss/kl_divergence';
export {
  conv2dReference,
  conv2dBackpropInputReference,
  conv2dBackpropFilterReference,
  maxPoolReference,
  maxPoolGradReference,
  matMulReference,
  columnSumReference,
  softmaxCrossEntropyReference,
  klDivergenceReference,
  type ConvGeometry,
} from './reference';
export { conv2dBiasRelu, Conv2DBiasRelu } from './conv/conv_bias_relu';
export { gatherImagesReference, GatherImages, type GatherImagesAttrs } from '../data/gpu_dataset';
export { apgdStepComposed, dlrLossComposed } from '../composed';
export { apgdStepReference, dlrLossReference, dlrLossGradReference, type ApgdStepParams } from '../reference';
export { ApgdStep, DlrLoss, DlrLossGrad, type ApgdStepAttrs } from '../attack_kernels/kernel_names';
export { apgdStepL2Composed, dlrTargetedLossComposed, pgdStepL2Composed, randomStartL2Composed } from '../composed_l2';
export { apgdStepL2Reference, dlrTargetedLossReference, dlrTargetedLossGradReference, l2NoiseFromKey, pgdStepL2Reference, randomStartL2Reference } from '../reference_l2';
export { ApgdStepL2, DlrTargetedLoss, DlrTargetedLossGrad, PgdStepL2, RandomStartL2 } from '../attack_kernels/kernel_names';
export { apgdUpdate } from '../ops';
export { apgdUpdateComposed } from '../composed_l2';
export { apgdUpdateReference } from '../reference';
export { ApgdUpdate } from '../attack_kernels/kernel_names';
export { multiOutputPipelineKeys } from './program';
export {
  squareMarginReference,
  squareAcceptReference,
  squareLinfInitReference,
  squareLinfCandidateReference,
  squareL2InitReference,
  squareL2StatsReference,
  squareL2CandidateReference,
  L2_STATS,
  type SquareAttrs,
  type SquareShape,
} from '../square_reference';
export { SquareMargin, SquareAccept, SquareLinfInit, SquareLinfCandidate, SquareL2Init, SquareL2Stats, SquareL2Candidate } from '../attack_kernels/square_kernels';
export { fabApplyComposed, fabHyperplaneComposed, fabStepComposed } from '../attacks/fab_composed';
export { fabApplyReference, fabCoordinateStep, fabProjectionReference, fabRowParamsLayout, fabStepReference, type FabProjection, type FabRowParams, type FabStepParams } from '../fab_reference';
export { FabHyperplane, FabProjectionApply, FabStep, type FabProjectionAttrs, type FabStepAttrs } from '../attack_kernels/kernel_names';
