// The model interface of this library: what the trainers, attacks and evaluation take (`Classifier`), as
// the built-in architectures (seedCnn, madryCnn, cifarResNet) and users' own tfjs-layers models (classifierFromLayersModel)
// give it: logits from images, the variables to train and the state to save, the model as a tfjs-layers
// model for the Layers format, and the release of what the classifier owns.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A model as this library trains it: logits from images, its variables, and its tfjs-layers form. */
export interface Classifier {
  /**
   * Logits [batch, numClasses] from images [batch, height, width, channels]. `training` is true only in the
   * loss an optimizer step minimises (dropout, batch statistics); attacks and evaluation leave it false.
   */
  forward(x: tf.Tensor4D, training?: boolean): tf.Tensor2D;
  /** The trainable variables, in a fixed order (the seed CNN's: conv kernel, conv bias, dense kernel, ...). */
  variables: tf.Variable[];
  /**
   * Non-trainable variables that training changes (batch-norm moving mean and variance), to checkpoint and
   * save with `variables`; [] for most models.
   */
  stateVariables: tf.Variable[];
  /**
   * Tensors the model computes with that are not variables (a graph model's weights), for fingerprints;
   * absent for most models.
   */
  constants?: tf.Tensor[];
  numClasses: number;
  inputShape: [number, number, number];
  /** 'seed-cnn', 'madry-cnn', 'resnet-20' (cifarResNet; 'resnet-32' etc. at other depths), 'layers-model' (a wrapped user Layers model) or 'graph-model' (a tfjs graph model, evaluation only). */
  architecture: string;
  /**
   * One line for reports: the architecture, then its layers in order with their main config, e.g.
   * 'seed-cnn: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense 10 (logits)'.
   */
  description: string;
  /** Where the logits come from when the model's own output is not logits (a softmax head removed), for reports. */
  head?: string;
  /** Class names by output index (a Teachable Machine metadata.json's labels), for reports. */
  classNames?: string[];
  /**
   * The model as a tfjs-layers model holding the classifier's current weights (trainable and state), e.g.
   * to save it in the Layers format; call `release()` when done (it disposes only what it made).
   */
  layersModel(): { model: tfl.LayersModel; release(): void };
  /**
   * Releases what the classifier owns: its own variables, and a layers model it built or was given
   * ownership of. Idempotent.
   */
  dispose(): void;
}
