// "Evaluate a saved model": a model picked on the page (model.json and its weights, Layers or graph model,
// with a Teachable Machine metadata.json), on a picked image folder, loose image files or IDX files (or
// the embedded digits' test split) read at the model's input size: clean, FGSM and PGD accuracy as the
// CLI's eval gives them, the evaluation audit on its first points, and a gallery of each class under FGSM.
import * as lib from '../index';
import type { Classifier } from '../models/classifier';
import { toReportEvaluation } from '../job/evaluation';
import { tableElement } from '../report/dom';
import { drawChart } from '../report/render';
import { pct } from '../report/format';
import { accuracyBars, accuracyLine } from '../report/evaluation_view';
import { auditLines, auditTable } from '../report/robustness';
import type { ReportAudit } from '../report/schema';
import { readPickedData, type PickedData } from './loaded_data';
import { renderLoadedGallery } from './loaded_gallery';
import { loadPickedModel } from './model_files';
import { $, records, setState } from './state';

const INPUT_RANGES: Record<string, [number, number]> = { '0,1': [0, 1], '0,255': [0, 255], '-1,1': [-1, 1] };

/** The page's numeric fields, checked. */
function fields(): { examples: number; epsilon: number; steps: number; auditPoints: number; range: [number, number] } {
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  const [examples, epsilon, steps, auditPoints] = [num('load-examples'), num('load-eps'), num('load-pgd-steps'), num('load-audit-points')];
  if (!(epsilon >= 0 && epsilon <= 1)) throw new Error(`eps must be in [0, 1], got ${epsilon}`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`PGD steps must be an integer >= 1, got ${steps}`);
  if (!Number.isInteger(examples) || examples < 1) throw new Error(`examples must be an integer >= 1, got ${examples}`);
  if (!Number.isInteger(auditPoints) || auditPoints < 0) throw new Error(`audit points must be an integer >= 0 (0: no audit), got ${auditPoints}`);
  const range = INPUT_RANGES[$<HTMLSelectElement>('load-input-range').value];
  if (!range) throw new Error(`input range must be one of ${Object.keys(INPUT_RANGES).join(' ')}`);
  return { examples, epsilon, steps, auditPoints, range };
}

/** Evaluates the model picked on the page on the images picked beside it (or the embedded test split). */
export async function evaluateLoadedModel(): Promise<void> {
  const out = $('load-status');
  out.className = 'note';
  setState('evaluating');
  $('load-model').replaceChildren();
  $('load-gallery').replaceChildren();
  let picked: PickedData | null = null;
  let model: Classifier | null = null;
  try {
    const f = fields();
    const files = Array.from($<HTMLInputElement>('model-files').files ?? []);
    const loaded = await loadPickedModel(files);
    model = loaded.model;
    model = lib.withInputScale(model, { range: f.range });
    const name = loaded.name;
    picked = await readPickedData({ ...loaded, model }, f.examples);
    const { data, source } = picked;
    const classNames = picked.classNames ?? null;
    const [h, w, c] = model.inputShape;
    const line = (id: string, text: string) => Object.assign(document.createElement('p'), { id, className: 'note', textContent: text });
    $('load-model').replaceChildren(
      line('load-format', `${name}: ${loaded.format} (${model.architecture}), input ${h}x${w}x${c}, ${model.numClasses} classes${classNames ? `: ${classNames.join(', ')}` : ''}`),
      ...(model.head ? [line('load-head', `head: ${model.head}`)] : []),
    );
    out.textContent = `evaluating ${name} on ${data.test.length} examples (${source})...`;
    const attacks = lib.jobAttacks({ attacks: 'fgsm,pgd', evalPgdSteps: f.steps, evalPgdRestarts: 1, attackSeed: 0 }, f.epsilon);
    const results = await lib.evaluateModel(model, data.dataset, data.test, attacks, {
      onProgress: (done, total) => (out.textContent = `evaluating ${name}: ${done}/${total}`),
    });
    const evaluation = results.map((r) => toReportEvaluation(r));
    const charts = $('load-charts');
    charts.replaceChildren();
    drawChart(charts.appendChild(document.createElement('figure')).appendChild(document.createElement('canvas')), accuracyBars('loaded-accuracy', `${name}: accuracy under attack (${data.test.length} examples)`, [{ label: name, evaluation }]));
    $('load-tables').replaceChildren(
      tableElement({
        id: 'loaded',
        title: `${name} (${loaded.format}, ${model.architecture}) on ${source}`,
        columns: ['attack', 'eps', 'accuracy', 'correct / examples'],
        rows: results.map((r) => [r.label, r.attack.epsilon === undefined ? '-' : String(r.attack.epsilon), pct(r.accuracy), `${r.correct} / ${r.examples}`]),
      }),
    );
    out.textContent = `rendering the gallery of ${name}...`;
    await renderLoadedGallery(model, picked, f.epsilon);
    // The audit: can these figures be trusted? (its own attacks on the first points)
    let audit: ReportAudit | null = null;
    if (f.auditPoints > 0) {
      audit = await lib.auditEvaluation(model, data.dataset, data.test, results, {
        epsilon: f.epsilon,
        points: f.auditPoints,
        pgdSteps: f.steps,
        onCheck: (title, i, n) => (out.textContent = `auditing ${name}: check ${i + 1} of ${n}, ${title}`),
      });
      const section = $('load-audit');
      section.replaceChildren(...auditLines(audit).map((line) => Object.assign(document.createElement('p'), { textContent: line, className: line.startsWith('WARNING') ? 'error' : 'note' })), tableElement(auditTable(audit)));
    } else $('load-audit').replaceChildren();
    out.textContent = `${name}: ${accuracyLine(evaluation)} on ${data.test.length} examples (${source})${audit ? `; audit: ${audit.warnings} warning(s)` : ''}`;
    records.loaded = { model: name, format: loaded.format, architecture: model.architecture, head: model.head ?? null, classNames, inputShape: model.inputShape, source, examples: data.test.length, results, audit };
    setState('done');
  } catch (err) {
    out.textContent = (err as Error).message;
    out.className = 'error';
    setState('error');
  } finally {
    model?.dispose();
    picked?.data.dataset.dispose();
  }
}
