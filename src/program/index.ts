// The program layer in one import: the spec and its helpers, the runners, the flags, the element-wise form,
// the one helper that splices shared WGSL in front of a body.
export * from './spec';
export * from './flags';
export { runProgram, runProgramInto, uploadNow } from './run';
export { multiOutputPipelineKeys } from './multi_output';
export { elementwisePreamble, elementwiseSpec, runElementwise, type ElementwiseArgs } from './elementwise';
export { splitIndex, unroll, unroll2 } from './unroll';
export { wgslWith, widthAliases, type WgslPrelude } from './wgsl';
export { runLogitsProgram } from './logits';
export { SUBGROUP_DIRECTIVES, hoistDirectives, isSoftwareAdapterInfo, laneDeclaration, loadShared, sharedItem, subgroupDispatches, subgroupGrid, subgroupsOfFour, subgroupTiles, type SharedItem } from './subgroups';
