// The built-in architectures by id, for jobs and user interfaces that pick a model by name: the seed CNN
// (seedCnn, this library's own forward pass), the Madry et al. MNIST-challenge CNN (madryCnn) and He et
// al.'s CIFAR ResNet-20 (cifarResNet), both on tfjs-layers.
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { madryCnn } from './madry_cnn';
import { cifarResNet } from './resnet';
import { seedCnn } from './seed_cnn';

/** What every architecture's `create` takes. */
export interface ArchitectureOptions {
  /** Seed of the initial weights. */
  seed: number;
  /** Image shape [height, width, channels]. */
  inputShape: [number, number, number];
  /** Classes, the number of logits. */
  numClasses: number;
}

/** One built-in architecture: its id, a one-line description, and a fresh classifier from options. */
export interface Architecture {
  id: string;
  description: string;
  create(o: ArchitectureOptions): Classifier;
}

/**
 * The built-in architectures: 'seed-cnn', 'madry-cnn' and 'resnet-20'.
 *
 * @example
 * for (const a of ARCHITECTURES) console.log(`${a.id}: ${a.description}`);
 */
export const ARCHITECTURES: readonly Architecture[] = [
  {
    id: 'seed-cnn',
    description: "The article's CNN: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense (logits); about 0.7M weights on 28x28",
    create: (o) => seedCnn({ seed: o.seed, inputShape: o.inputShape, numClasses: o.numClasses }),
  },
  {
    id: 'madry-cnn',
    description: 'Madry et al. MNIST-challenge CNN: Conv2D 32 5x5 same ReLU, MaxPool 2, Conv2D 64 5x5 same ReLU, MaxPool 2, Flatten, Dense 1024 ReLU, Dense (logits); about 3.3M weights on 28x28',
    create: (o) => madryCnn({ seed: o.seed, inputShape: o.inputShape, numClasses: o.numClasses }),
  },
  {
    id: 'resnet-20',
    description:
      "He et al.'s CIFAR ResNet-20: Conv2D 16 3x3 + BN + ReLU, 3 stages of 3 basic blocks at 16/32/64 filters (stride 2 and a 1x1 projection shortcut entering stages 2 and 3), global average pool, Dense (logits); about 0.27M weights at 10 classes, for 32x32x3",
    create: (o) => cifarResNet({ seed: o.seed, inputShape: o.inputShape, numClasses: o.numClasses }),
  },
];

/**
 * The ids of the built-in architectures, in table order.
 *
 * @example
 * architectureIds();  // ['seed-cnn', 'madry-cnn', 'resnet-20']
 */
export function architectureIds(): string[] {
  return ARCHITECTURES.map((a) => a.id);
}

/**
 * A fresh classifier of the built-in architecture `id`; an unknown id is refused naming `architecture`.
 *
 * @example
 * const model = createArchitecture('madry-cnn', {seed: 0, inputShape: [28, 28, 1], numClasses: 10});
 * // ... train, saveClassifier(model, writeFile) ...
 * model.dispose();
 */
export function createArchitecture(id: string, o: ArchitectureOptions): Classifier {
  const found = ARCHITECTURES.find((a) => a.id === id);
  if (!found) {
    throw new AdversarialArgumentError('createArchitecture', 'architecture', `must be one of ${architectureIds().map((i) => `'${i}'`).join(', ')}, got ${JSON.stringify(id)}`);
  }
  return found.create(o);
}
