// Users' own tfjs-layers models for the tests: a functional model built as a chain of layers from a named input.
import * as tfl from '@tensorflow/tfjs-layers';

/** A functional (not Sequential) model: `layers` applied in turn to an input of `shape` named `inputName`. */
export function functionalChain(name: string, inputName: string, shape: number[], layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape, name: inputName });
  const output = layers.reduce<tfl.SymbolicTensor>((h, layer) => layer.apply(h) as tfl.SymbolicTensor, input);
  return tfl.model({ name, inputs: input, outputs: output });
}

/** Seeded Glorot-uniform kernels, so that a test's model starts the same every run. */
export const seededInit = (seed: number) => tfl.initializers.glorotUniform({ seed });
