// Evaluation of a saved model picked on the page (model.json and its weights) on IDX files picked beside
// it, or on the embedded digits' test split: clean, FGSM and PGD accuracy, as the CLI's eval gives them,
// and the evaluation audit on its first points.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../index';
import type { Classifier } from '../models/seed_cnn';
import type { PreparedData } from '../job/data';
import { toReportEvaluation } from '../job/evaluation';
import { tableElement } from '../report/dom';
import { drawChart } from '../report/render';
import { accuracyBars, accuracyLine, pct } from '../report/specs';
import { auditLines, auditTable } from '../report/robustness';
import type { ReportAudit } from '../report/schema';
import { $, pageState, records, setState } from './state';

/** Evaluates a model.json + weights picked by the user on IDX files (or the embedded test split). */
export async function evaluateLoadedModel(): Promise<void> {
  const out = $('load-status');
  out.className = 'note';
  setState('evaluating');
  let layers: Awaited<ReturnType<typeof lib.loadLayersModelFiles>> | null = null;
  let loadedData: PreparedData | null = null;
  let model: Classifier | null = null;
  try {
    const files = Array.from($<HTMLInputElement>('model-files').files ?? []);
    const json = files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error('pick the model.json and its weights file(s) together');
    const byName = new Map(files.map((f) => [f.name, f]));
    layers = await lib.loadLayersModelFiles(json.name, async (path) => {
      const name = path.split('/').pop()!;
      const file = byName.get(name);
      if (!file) throw new Error(`${name}: model.json names it, but it is not among the files picked`);
      return new Uint8Array(await file.arrayBuffer());
    });
    model = lib.classifierFromLayersModel(layers, { owned: true });
    layers = null;
    const examples = Number($<HTMLInputElement>('load-examples').value);
    const epsilon = Number($<HTMLInputElement>('load-eps').value);
    const steps = Number($<HTMLInputElement>('load-pgd-steps').value);
    if (!(epsilon >= 0 && epsilon <= 1)) throw new Error(`eps must be in [0, 1], got ${epsilon}`);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`PGD steps must be an integer >= 1, got ${steps}`);
    if (!Number.isInteger(examples) || examples < 1) throw new Error(`examples must be an integer >= 1, got ${examples}`);
    const auditCount = Number($<HTMLInputElement>('load-audit-points').value);
    if (!Number.isInteger(auditCount) || auditCount < 0) throw new Error(`audit points must be an integer >= 0 (0: no audit), got ${auditCount}`);
    const images = $<HTMLInputElement>('idx-images').files?.[0];
    const labels = $<HTMLInputElement>('idx-labels').files?.[0];
    let source: string;
    if (images || labels) {
      if (!images || !labels) throw new Error('pick both an images and a labels IDX file (or neither, for the embedded digits)');
      const [imagesUrl, labelsUrl] = [URL.createObjectURL(images), URL.createObjectURL(labels)];
      try {
        const set = await lib.loadIdxImageSet(imagesUrl, labelsUrl);
        source = `${images.name} + ${labels.name}`;
        loadedData = lib.prepareJobData({ ...set, source }, undefined, { allTest: true, limitTest: examples, numClasses: model.numClasses });
      } finally {
        URL.revokeObjectURL(imagesUrl);
        URL.revokeObjectURL(labelsUrl);
      }
    } else {
      source = 'embedded digits, test split';
      loadedData = lib.prepareJobData({ ...pageState.digits, source }, undefined, { limitTest: examples, probeExamples: 0, numClasses: model.numClasses });
    }
    out.textContent = `evaluating ${json.name} on ${loadedData.test.length} examples (${source})...`;
    const results = await lib.evaluateModel(model, loadedData.dataset, loadedData.test, lib.jobAttacks({ attacks: 'fgsm,pgd', evalPgdSteps: steps, evalPgdRestarts: 1, attackSeed: 0 }, epsilon), {
      onProgress: (done, total) => (out.textContent = `evaluating ${json.name}: ${done}/${total}`),
    });
    const evaluation = results.map((r) => toReportEvaluation(r));
    const charts = $('load-charts');
    charts.replaceChildren();
    drawChart(charts.appendChild(document.createElement('figure')).appendChild(document.createElement('canvas')), accuracyBars('loaded-accuracy', `${json.name}: accuracy under attack (${loadedData.test.length} examples)`, [{ label: json.name, evaluation }]));
    $('load-tables').replaceChildren(
      tableElement({
        id: 'loaded',
        title: `${json.name} (${model.architecture}) on ${source}`,
        columns: ['attack', 'eps', 'accuracy', 'correct / examples'],
        rows: results.map((r) => [r.label, r.attack.epsilon === undefined ? '-' : String(r.attack.epsilon), pct(r.accuracy), `${r.correct} / ${r.examples}`]),
      }),
    );
    // The audit: can these figures be trusted? (its own attacks on the first points)
    const auditPoints = Number($<HTMLInputElement>('load-audit-points').value);
    let audit: ReportAudit | null = null;
    if (auditPoints > 0) {
      audit = await lib.auditEvaluation(model, loadedData.dataset, loadedData.test, results, {
        epsilon,
        points: auditPoints,
        pgdSteps: steps,
        onCheck: (title, i, n) => (out.textContent = `auditing ${json.name}: check ${i + 1} of ${n}, ${title}`),
      });
      const section = $('load-audit');
      section.replaceChildren(...auditLines(audit).map((line) => Object.assign(document.createElement('p'), { textContent: line, className: line.startsWith('WARNING') ? 'error' : 'note' })), tableElement(auditTable(audit)));
    }
    out.textContent = `${json.name}: ${accuracyLine(evaluation)} on ${loadedData.test.length} examples (${source})${audit ? `; audit: ${audit.warnings} warning(s)` : ''}`;
    records.loaded = { model: json.name, examples: loadedData.test.length, results, audit };
    setState('done');
  } catch (err) {
    out.textContent = (err as Error).message;
    out.className = 'error';
    setState('error');
  } finally {
    model?.dispose();
    layers?.dispose();
    loadedData?.dataset.dispose();
  }
}
