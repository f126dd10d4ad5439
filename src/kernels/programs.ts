// The programs of the attack kernels and the copy kernel: inputs, uniforms and WGSL body for each.
// Each class name labels its pipeline (tfjs labels pipelines with the program's class name).
import apgdStepWgsl from '../../shaders/apgd_step.wgsl';
import copyWgsl from '../../shaders/copy.wgsl';
import fgsmStepWgsl from '../../shaders/fgsm_step.wgsl';
import pcgWgsl from '../../shaders/pcg.wgsl';
import pgdStepWgsl from '../../shaders/pgd_step.wgsl';
import randomStartWgsl from '../../shaders/random_start.wgsl';
import { ElementwiseProgram, type Width } from './elementwise_program';

export class FgsmStepProgram extends ElementwiseProgram {
  variableNames = ['x', 'grad'];
  constructor(size: number, width: Width) {
    super('FgsmStep', fgsmStepWgsl, size, width, [
      { name: 'stepSize', type: 'f32' },
      { name: 'clipMin', type: 'f32' },
      { name: 'clipMax', type: 'f32' },
    ]);
  }
}

export class PgdStepProgram extends ElementwiseProgram {
  variableNames = ['xAdv', 'x0', 'grad'];
  constructor(size: number, width: Width) {
    super('PgdStep', pgdStepWgsl, size, width, [
      { name: 'stepSize', type: 'f32' },
      { name: 'epsilon', type: 'f32' },
      { name: 'clipMin', type: 'f32' },
      { name: 'clipMax', type: 'f32' },
    ]);
  }
}

export class RandomStartProgram extends ElementwiseProgram {
  variableNames = ['x'];
  constructor(size: number, width: Width) {
    super('RandomStart', `${pcgWgsl}\n${randomStartWgsl}`, size, width, [
      { name: 'epsilon', type: 'f32' },
      { name: 'clipMin', type: 'f32' },
      { name: 'clipMax', type: 'f32' },
      { name: 'key', type: 'u32' },
    ]);
  }
}

export class CopyProgram extends ElementwiseProgram {
  variableNames = ['x'];
  constructor(size: number, width: Width) {
    super('Copy', copyWgsl, size, width, []);
  }
}

/** APGD's step: inputs at the chosen width, the per-row step sizes one f32 each (vec4 only when rows are whole vec4s). */
export class ApgdStepProgram extends ElementwiseProgram {
  variableNames = ['xCur', 'xPrev', 'x0', 'grad', 'stepSize'];
  variableComponents: number[];
  constructor(size: number, width: Width) {
    super('ApgdStep', apgdStepWgsl, size, width, [
      { name: 'epsilon', type: 'f32' },
      { name: 'momentum', type: 'f32' },
      { name: 'clipMin', type: 'f32' },
      { name: 'clipMax', type: 'f32' },
      { name: 'rowSize', type: 'i32' },
    ]);
    this.variableComponents = [width, width, width, width, 1];
  }
}
