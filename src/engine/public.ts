// tfjs-adversarial/engine: the kernels' internals for those who test or extend them: the attack kernels'
// names, flags, composed forms and CPU kernels (the `cpu` backend's, named *Reference), the engine kernels'
// registration, policy details and fused programs. The float64 oracles of the engine kernels are the
// tests' own (test/suite/engine_reference.ts), not the package's.
export { fgsmStepComposed, pgdStepComposed, randomStartComposed } from '../kernels/composed/linf';
export { copyReference, fgsmStepReference, pgdStepReference, randomStartReference } from '../kernels/cpu/linf';
export { pcgHash } from '../kernels/pcg';
export { registerAttackKernels } from '../kernels/register';
export { Copy, FgsmStep, PgdStep, RandomStart } from '../kernels/names';
export type { FgsmStepAttrs, PgdStepAttrs, RandomStartAttrs } from '../kernels/names';
export { FLAG_RELEASE_GRADIENTS, installBackwardRelease } from '../platform/backward_memory';
export { FLAG_PRINT_SHADER, FLAG_SUBGROUPS, FLAG_VEC4, subgroupDispatches, subgroupsOfFour, WORKGROUP_SIZE } from '../program';
export { registerEngineKernels, originalKernel } from './register';
export { FLAG_DEPTHWISE_TAP_SKIP } from './conv/depthwise';
export { engineKernelEnabled, isSoftwareAdapter, ENGINE_KERNEL_NAMES, type EngineKernelName } from './policy';
export { adamStepWebGPU, type AdamStepScalars } from './optimizer/adam';
export { SoftmaxCrossEntropy, SoftmaxCrossEntropyGrad } from './loss/softmax_cross_entropy';
export { KlDivergence, KlDivergenceGrad } from './loss/kl_divergence';
export { conv2dBiasRelu, Conv2DBiasRelu, conv2dBiasReluPool, Conv2DBiasReluPool } from './conv/conv_bias_relu';
export { convActivation, ConvActivation, FLAG_RELU6_INPUT, type ConvActivationAttrs, type ConvPadding } from './conv/conv_activation';
export { matMulBiasRelu, MatMulBiasRelu } from './matmul/matmul_bias_relu';
export { gatherImagesReference, GatherImages, type GatherImagesAttrs } from '../data/gpu_dataset';
export { apgdStepComposed, dlrLossComposed } from '../kernels/composed/linf';
export { apgdStepReference, dlrLossReference, dlrLossGradReference, type ApgdStepParams } from '../kernels/cpu/linf';
export { ApgdStep, DlrLoss, DlrLossGrad, type ApgdStepAttrs } from '../kernels/names';
export { apgdStepL2Composed, dlrTargetedLossComposed, pgdStepL2Composed, randomStartL2Composed } from '../kernels/composed/l2';
export { apgdStepL2Reference, dlrTargetedLossReference, dlrTargetedLossGradReference, l2NoiseFromKey, pgdStepL2Reference, randomStartL2Reference } from '../kernels/cpu/l2';
export { ApgdStepL2, DlrTargetedLoss, DlrTargetedLossGrad, PgdStepL2, RandomStartL2 } from '../kernels/names';
export { apgdUpdate } from '../kernels/ops/attack_ops';
export { apgdUpdateComposed } from '../kernels/composed/l2';
export { apgdUpdateReference } from '../kernels/cpu/linf';
export { ApgdUpdate } from '../kernels/names';
export { multiOutputPipelineKeys } from '../program';
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
} from '../kernels/cpu/square';
export { SquareMargin, SquareAccept, SquareLinfInit, SquareLinfCandidate, SquareL2Init, SquareL2Stats, SquareL2Candidate } from '../kernels/webgpu/square_kernels';
export { fabApplyComposed, fabHyperplaneComposed, fabStepComposed } from '../kernels/composed/fab';
export { fabApplyReference, fabProjectionReference, fabRowParamsLayout, fabStepReference, type FabProjection, type FabRowParams, type FabStepParams } from '../kernels/cpu/fab';
export { FabHyperplane, FabProjectionApply, FabStep, type FabProjectionAttrs, type FabStepAttrs } from '../kernels/names';
