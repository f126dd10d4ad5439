// The backward pass's memory. tfjs-core's engine.gradients walks the tape from the output back inside one
// tidy: every gradient it computes and every tensor a forward op saved for its gradient stays allocated
// until the whole walk ends, so a training step of a BN network holds all its activations' gradients at
// once on top of the saved activations (MobileNetV2 224 in training mode: 2.8 GB for a batch of 4). Here,
// where freeing is safe, each tape node's output gradients (dys) and saved tensors are disposed as soon as
// the walk has moved on to the next node: a node's dys and saved tensors are read by that node's gradient
// only. The same ops run in the same order, so every value is the same; only the peak falls.
// Safe means: created during the walk (a user's dy, forward tensors and variables are never touched, nor a
// saved tensor a gradient handed on as its result), and not still the gradient of another tensor (a
// gradient may return its dy as an input's gradient: each tensor counts the inputs whose gradient it is).
// Only the outermost gradients() call frees (nested ones keep tfjs's behaviour). The tfjs flag
// ADVERSARIAL_RELEASE_GRADIENTS (default true) turns it off.
import { engine, env, type Tensor } from '@tensorflow/tfjs-core';

/** tfjs flag: free each tape node's gradients and saved tensors once the backward walk has passed it (default true). */
export const FLAG_RELEASE_GRADIENTS = 'ADVERSARIAL_RELEASE_GRADIENTS';

type Thunks = Record<string, () => Tensor>;
interface TapeNode {
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Thunks;
}
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode: (...args: unknown[]) => void;
  gradients: (...args: unknown[]) => unknown;
  constructor: { nextTensorId?: unknown };
}

/** One backward walk: the first tensor id it created, the tensors to free when the next node starts, and the gradients held per tensor. */
interface Walk {
  firstId: number | null;
  pending: Tensor[];
  holders: Map<number, number>;
}

const walks: (Walk | null)[] = [];
/** Marks an engine whose gradients are wrapped (a symbol of the registry: a second copy of the library sees it too). */
const INSTALLED = Symbol.for('tfjs-adversarial.backwardRelease');

/** Disposes the previous node's dys and saved tensors, except those still another input's gradient. */
function release(walk: Walk): void {
  for (const t of walk.pending) {
    const held = (walk.holders.get(t.id) ?? 1) - 1;
    if (held > 0) {
      walk.holders.set(t.id, held);
      continue;
    }
    walk.holders.delete(t.id);
    if (!t.isDisposed) t.dispose();
  }
  walk.pending = [];
}

/** node.gradient, freeing the previous node's dys and saved tensors first and counting the gradients it hands out. */
function wrapGradient(node: TapeNode, nextId: () => number): void {
  const gradient = node.gradient;
  if (!gradient) return;
  node.gradient = (dys) => {
    const walk = walks[walks.length - 1];
    if (!walk) return gradient(dys);
    release(walk);
    const firstId = (walk.firstId ??= nextId());
    const thunks = gradient(dys);
    // This node's dys created by the walk (not a user's dy) and its saved tensors: no other node reads them.
    const own = [...dys.filter((t): t is Tensor => t != null && t.id >= firstId), ...(node.saved ?? [])];
    walk.pending = own;
    const counted: Thunks = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      counted[name] = () => {
        const dx = thunk();
        // An input's gradient: one more holder (a dy or saved tensor handed on keeps its own one too).
        walk.holders.set(dx.id, (walk.holders.get(dx.id) ?? (own.includes(dx) ? 1 : 0)) + 1);
        return dx;
      };
    }
    return counted;
  };
}

let flagRegistered = false;

/**
 * Makes tfjs's backward passes free each gradient and saved tensor once the walk has passed its node
 * (once per engine; later calls do nothing). initWebGPU and ensureGradients call it.
 *
 * @example
 * installBackwardRelease();
 * const g = tf.grad((x) => loss(model(x)))(images); // the same values, a lower peak
 */
export function installBackwardRelease(): void {
  if (!flagRegistered) {
    flagRegistered = true;
    const registry = (env() as unknown as { flagRegistry?: Record<string, unknown> }).flagRegistry;
    if (!registry || !(FLAG_RELEASE_GRADIENTS in registry)) env().registerFlag(FLAG_RELEASE_GRADIENTS, () => true);
  }
  const e = engine() as unknown as EngineInternals & { [INSTALLED]?: true };
  if (e[INSTALLED]) return;
  const counter = e.constructor;
  if (typeof counter.nextTensorId !== 'number' || typeof e.addTapeNode !== 'function' || typeof e.gradients !== 'function') return;
  e[INSTALLED] = true;
  const nextId = () => counter.nextTensorId as number;
  const addTapeNode = e.addTapeNode;
  e.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    if (tape && tape.length > 0) wrapGradient(tape[tape.length - 1], nextId);
  };
  const gradients = e.gradients;
  e.gradients = function (this: EngineInternals, ...args: unknown[]) {
    const outermost = this.state.gradientDepth === 0 && walks.every((w) => w === null) && env().getBool(FLAG_RELEASE_GRADIENTS);
    walks.push(outermost ? { firstId: null, pending: [], holders: new Map() } : null);
    try {
      return gradients.apply(this, args);
    } finally {
      walks.pop();
    }
  };
}
