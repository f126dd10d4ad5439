// Kernel names and attributes of the attack kernels, shared by the webgpu and cpu kernels and the ops.

export const FgsmStep = 'FgsmStep';
export const PgdStep = 'PgdStep';
export const RandomStart = 'RandomStart';
export const Copy = 'AdversarialCopy';

export interface FgsmStepAttrs {
  epsilon: number;
  clipMin: number;
  clipMax: number;
  targeted: boolean;
}

export interface PgdStepAttrs {
  stepSize: number;
  epsilon: number;
  clipMin: number;
  clipMax: number;
}

export interface RandomStartAttrs {
  epsilon: number;
  seed: number;
  clipMin: number;
  clipMax: number;
}

export const ApgdStep = 'ApgdStep';
export const DlrLoss = 'DlrLoss';
export const DlrLossGrad = 'DlrLossGrad';

export interface ApgdStepAttrs {
  epsilon: number;
  momentum: number;
  clipMin: number;
  clipMax: number;
}

// The L2 kernels (attrs as their L-infinity twins': PgdStepAttrs, ApgdStepAttrs, RandomStartAttrs) and the
// targeted DLR loss. Each L2 kernel runs a row pass (the example's norms) and one fused element pass.
export const PgdStepL2 = 'PgdStepL2';
export const ApgdStepL2 = 'ApgdStepL2';
export const RandomStartL2 = 'RandomStartL2';
export const DlrTargetedLoss = 'DlrTargetedLoss';
export const DlrTargetedLossGrad = 'DlrTargetedLossGrad';

/** APGD's per-iteration bookkeeping: inputs next, grad, xFooled, xBest, gradBest, loss, lossBest, wrong; outputs [xFooled, xBest, gradBest]. */
export const ApgdUpdate = 'ApgdUpdate';

export const FabHyperplane = 'FabHyperplane';
export const FabProjectionApply = 'FabProjectionApply';
export const FabStep = 'FabStep';

/** FabHyperplane and FabProjectionApply: the norm (false: L-infinity). */
export interface FabProjectionAttrs {
  l2: boolean;
}

export interface FabStepAttrs {
  l2: boolean;
  eta: number;
  alphaMax: number;
}
