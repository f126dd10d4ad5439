// The gallery of "Evaluate a saved model": the first test image of each class (up to 10 classes) clean,
// the FGSM perturbation and the adversarial image at the model's input size, in colour for RGB models,
// with the model's predictions by class name. Its numbers are kept in records.loadedGallery.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../index';
import type { Classifier } from '../models/classifier';
import { imageCanvas } from './gallery';
import type { PickedData } from './loaded_data';
import { $, records } from './state';

/** The longest side of a gallery image on the page, in CSS pixels (a 224x224 input is not shown at 224). */
const DISPLAY_MAX = 112;
const MAX_CLASSES_SHOWN = 10;

interface Prediction {
  prediction: number;
  confidence: number;
}

/** The first test example of each class, in class order, up to MAX_CLASSES_SHOWN classes. */
function firstOfEachClass(picked: PickedData, numClasses: number): number[] {
  const out: number[] = [];
  for (let label = 0; label < numClasses && out.length < MAX_CLASSES_SHOWN; label++) {
    const i = picked.data.test.find((t) => picked.labels[t] === label);
    if (i !== undefined) out.push(i);
  }
  return out;
}

/** The top class and its probability of each row of `probs` [rows, classes]. */
function topOf(probs: Float32Array, rows: number, classes: number): Prediction[] {
  return Array.from({ length: rows }, (_, row) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row * classes + c] > probs[row * classes + best]) best = c;
    return { prediction: best, confidence: probs[row * classes + best] };
  });
}

/** Renders the loaded model's gallery into #load-gallery under FGSM at `epsilon`. */
export async function renderLoadedGallery(model: Classifier, picked: PickedData, epsilon: number): Promise<void> {
  const indices = firstOfEachClass(picked, model.numClasses);
  const [h, w, channels] = model.inputShape;
  const size = h * w * channels;
  const order = tf.tensor1d(indices, 'int32');
  const batch = lib.gatherBatch(picked.data.dataset, order);
  order.dispose();
  let adversarial: tf.Tensor4D | null = null;
  let clean: Float32Array, adv: Float32Array, cleanProbs: Float32Array, advProbs: Float32Array;
  try {
    adversarial = lib.fgsmAttack(model, batch.x, batch.onehot, { epsilon });
    const probs = tf.tidy(() => [tf.softmax(model.forward(batch.x)), tf.softmax(model.forward(adversarial!))]);
    [clean, adv, cleanProbs, advProbs] = (await Promise.all([batch.x.data(), adversarial.data(), probs[0].data(), probs[1].data()])) as Float32Array[];
    tf.dispose(probs);
  } finally {
    tf.dispose([batch.x, batch.labels, batch.onehot, adversarial].filter((t) => t !== null));
  }
  const labels = indices.map((i) => picked.labels[i]);
  const name = (k: number) => picked.classNames?.[k] ?? String(k);
  const record = {
    epsilon,
    indices,
    labels,
    classNames: picked.classNames ?? null,
    imageShape: [h, w, channels],
    clean: topOf(cleanProbs, indices.length, model.numClasses),
    adversarial: topOf(advProbs, indices.length, model.numClasses),
  };
  const prediction = (p: Prediction, label: number, role: string) => {
    const span = document.createElement('span');
    span.className = `pred${p.prediction === label ? '' : ' wrong'}`;
    span.dataset.role = role;
    span.dataset.prediction = String(p.prediction);
    span.textContent = `${name(p.prediction)} (${(100 * p.confidence).toFixed(1)}%)`;
    return span;
  };
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['class', 'image', 'prediction', `perturbation (FGSM, eps ${epsilon})`, 'adversarial', 'prediction']) head.appendChild(document.createElement('th')).textContent = title;
  const body = table.createTBody();
  indices.forEach((index, i) => {
    const tr = body.insertRow();
    tr.dataset.index = String(index);
    tr.dataset.label = String(labels[i]);
    tr.insertCell().textContent = name(labels[i]);
    const perturbation = new Float32Array(size);
    for (let p = 0; p < size; p++) perturbation[p] = epsilon > 0 ? 0.5 + (adv[i * size + p] - clean[i * size + p]) / (2 * epsilon) : 0.5;
    tr.insertCell().appendChild(imageCanvas(clean, i * size, h, w, 'clean', channels, DISPLAY_MAX));
    tr.insertCell().appendChild(prediction(record.clean[i], labels[i], 'clean-prediction'));
    tr.insertCell().appendChild(imageCanvas(perturbation, 0, h, w, 'perturbation', channels, DISPLAY_MAX));
    tr.insertCell().appendChild(imageCanvas(adv, i * size, h, w, 'adversarial', channels, DISPLAY_MAX));
    tr.insertCell().appendChild(prediction(record.adversarial[i], labels[i], 'adversarial-prediction'));
  });
  const note = Object.assign(document.createElement('p'), {
    className: 'note',
    textContent: `The first test image of each class${model.numClasses > MAX_CLASSES_SHOWN ? ` (the first ${MAX_CLASSES_SHOWN} classes)` : ''} at the model's input size ${h}x${w}x${channels}; perturbation scaled: mid-grey is 0. Red: wrong.`,
  });
  $('load-gallery').replaceChildren(note, table);
  records.loadedGallery = record;
}
