// The adversarial-example gallery: the first test digit of each class, attacked (FGSM or PGD-10 at the
// slider's eps) on every model trained on the page, with each model's predictions on the clean and the
// adversarial image and the perturbation between them.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../index';
import { $, pageState, records, type GalleryRecord, type Run } from './state';

/** The first digit of each class in the test part, in class order. */
function galleryIndices(): number[] {
  const out: number[] = [];
  for (let label = 0; label < 10; label++) {
    const i = pageState.data!.test.find((t) => pageState.digits.labels[t] === label);
    if (i !== undefined) out.push(i);
  }
  return out;
}

/**
 * An h x w image of `values` (in [0, 1], channels last: grey for 1 channel, RGB for 3) on a canvas of that
 * size; `displaySize` (CSS pixels, the longer side) scales it on the page.
 */
export function imageCanvas(values: Float32Array, offset: number, h: number, w: number, role: string, channels = 1, displaySize?: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.dataset.role = role;
  canvas.dataset.channels = String(channels);
  if (displaySize) {
    const scale = displaySize / Math.max(h, w);
    canvas.style.width = `${Math.round(w * scale)}px`;
    canvas.style.height = `${Math.round(h * scale)}px`;
  }
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(w, h);
  const byte = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let p = 0; p < h * w; p++) {
    const at = offset + p * channels;
    const [r, g, b] = channels === 3 ? [values[at], values[at + 1], values[at + 2]] : [values[at], values[at], values[at]];
    image.data.set([byte(r), byte(g), byte(b), 255], 4 * p);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function predictionElement(p: { prediction: number; confidence: number }, label: number, role: string): HTMLElement {
  const span = document.createElement('span');
  span.className = `pred${p.prediction === label ? '' : ' wrong'}`;
  span.dataset.role = role;
  span.dataset.prediction = String(p.prediction);
  span.dataset.confidence = String(p.confidence);
  span.textContent = `${p.prediction} (${(100 * p.confidence).toFixed(1)}%)`;
  return span;
}

let galleryBusy: Promise<void> | null = null;
let galleryAgain = false;

/** Renders the gallery at the slider's eps; a slider move during a render renders once more after it. */
export async function renderGallery(): Promise<void> {
  if (galleryBusy) {
    galleryAgain = true;
    return galleryBusy;
  }
  galleryBusy = (async () => {
    do {
      galleryAgain = false;
      await renderGalleryOnce();
    } while (galleryAgain);
  })();
  try {
    await galleryBusy;
  } finally {
    galleryBusy = null;
  }
}

/** The gallery's attack `id` at `epsilon`: iterative ones at 10 steps, random ones from seed 0. */
function galleryAttack(id: string, epsilon: number): lib.ResolvedAttack {
  const params = lib.getAttack(id).params;
  return lib.resolveAttackSpec({ kind: id, epsilon, ...('steps' in params ? { steps: 10 } : {}), ...('seed' in params ? { seed: 0 } : {}) });
}

/** The gallery's choices: every attack of the table with a radius, labelled at eps 0.1. */
export function fillGalleryChoices(): void {
  const select = $<HTMLSelectElement>('gallery-attack');
  const chosen = select.value || 'fgsm';
  const ids = lib.ATTACK_REGISTRY.all().filter((a) => a.threat !== 'none' && 'epsilon' in a.params).map((a) => a.id);
  select.replaceChildren(...ids.map((id) => new Option(galleryAttack(id, 0.1).label, id, id === chosen, id === chosen)));
}

async function renderGalleryOnce(): Promise<void> {
  if (!pageState.data || pageState.runs.length === 0) return;
  const epsilon = Number($<HTMLInputElement>('gallery-eps').value);
  const attack = $<HTMLSelectElement>('gallery-attack').value;
  const resolved = galleryAttack(attack, epsilon);
  $('gallery-eps-value').textContent = epsilon.toFixed(2);
  const indices = galleryIndices();
  const [h, w] = pageState.data.imageShape;
  const pixels = h * w;
  const order = tf.tensor1d(indices, 'int32');
  const batch = lib.gatherBatch(pageState.data.dataset, order);
  order.dispose();
  const labels = Array.from(await batch.labels.data());
  const clean = (await batch.x.data()) as Float32Array;
  const perModel: { run: Run; adversarial: Float32Array; cleanProbs: Float32Array; adversarialProbs: Float32Array }[] = [];
  for (const run of pageState.runs) {
    const adversarial = lib.attackBatch(run.model, resolved, batch, 0);
    const [cleanProbs, adversarialProbs] = tf.tidy(() => [tf.softmax(run.model.forward(batch.x)), tf.softmax(run.model.forward(adversarial))]);
    perModel.push({ run, adversarial: (await adversarial.data()) as Float32Array, cleanProbs: (await cleanProbs.data()) as Float32Array, adversarialProbs: (await adversarialProbs.data()) as Float32Array });
    tf.dispose([adversarial, cleanProbs, adversarialProbs]);
  }
  tf.dispose([batch.x, batch.labels, batch.onehot]);
  const classes = pageState.data.numClasses;
  const top = (probs: Float32Array, row: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row * classes + c] > probs[row * classes + best]) best = c;
    return { prediction: best, confidence: probs[row * classes + best] };
  };
  const record: GalleryRecord = {
    attack,
    epsilon,
    indices,
    labels,
    models: perModel.map((m) => ({ name: m.run.name, clean: indices.map((_, i) => top(m.cleanProbs, i)), adversarial: indices.map((_, i) => top(m.adversarialProbs, i)) })),
  };
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  head.appendChild(document.createElement('th')).textContent = 'digit';
  head.appendChild(document.createElement('th')).textContent = 'image';
  for (const m of perModel) {
    const th = head.appendChild(document.createElement('th'));
    th.colSpan = 4;
    th.textContent = `${m.run.name} (${m.run.trainer}${m.run.trainer === 'clean' ? '' : `, eps ${m.run.epsilon}`}): on the image | perturbation | adversarial | on it`;
  }
  const body = table.createTBody();
  indices.forEach((index, i) => {
    const tr = body.insertRow();
    tr.dataset.index = String(index);
    tr.dataset.label = String(labels[i]);
    tr.insertCell().textContent = String(labels[i]);
    tr.insertCell().appendChild(imageCanvas(clean, i * pixels, h, w, 'clean'));
    perModel.forEach((m, k) => {
      const perturbation = new Float32Array(pixels);
      for (let p = 0; p < pixels; p++) perturbation[p] = epsilon > 0 ? 0.5 + (m.adversarial[i * pixels + p] - clean[i * pixels + p]) / (2 * epsilon) : 0.5;
      const cells = [tr.insertCell(), tr.insertCell(), tr.insertCell(), tr.insertCell()];
      cells.forEach((c) => (c.dataset.model = m.run.name));
      cells[0].appendChild(predictionElement(record.models[k].clean[i], labels[i], 'clean-prediction'));
      cells[1].appendChild(imageCanvas(perturbation, 0, h, w, 'perturbation'));
      cells[2].appendChild(imageCanvas(m.adversarial, i * pixels, h, w, 'adversarial'));
      cells[3].appendChild(predictionElement(record.models[k].adversarial[i], labels[i], 'adversarial-prediction'));
    });
  });
  const summary = document.createElement('p');
  summary.textContent = perModel.map((m, k) => `${m.run.name}: ${record.models[k].adversarial.filter((p, i) => p.prediction === labels[i]).length}/${indices.length} right under ${resolved.label} at eps ${epsilon.toFixed(2)}`).join('; ');
  $('gallery').replaceChildren(summary, table);
  $('gallery').dataset.epsilon = String(epsilon);
  $('gallery').dataset.attack = attack;
  records.gallery = record;
}
