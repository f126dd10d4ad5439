// The demo page's script: WebGPU (or tfjs's CPU backend when the browser has none), the embedded digits,
// live training of the chosen trainer beside a clean model with per-epoch charts, the adversarial-example
// gallery, the trade-off view, and evaluation of a saved model on picked images. Every number it shows is kept
// as the library returned it in `window.demo.records`, for the page test to compare with the charts.
// This module starts the backend, loads the digits, wires the page's controls and sets `window.demo`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as lib from '../index';
import type { PreparedData } from '../job/data';
import { chartValues } from '../report/render';
import { adapterLine } from '../report/evaluation_view';
import { fillGalleryChoices, renderGallery } from './gallery';
import { evaluateLoadedModel } from './loaded_model';
import { $, pageState, records, setButtons, setState, status, type BackendInfo, type Run } from './state';
import { loadSweepFile, runTradeOff } from './trade_off';
import { downloadModel, fillSettingsForm, stepsBegunSoFar, stop, togglePause, train } from './training';

/** WebGPU when the browser gives an adapter (and the URL does not say ?backend=cpu), else tfjs's CPU backend. */
async function startBackend(): Promise<BackendInfo> {
  let reason: string;
  if (new URLSearchParams(location.search).get('backend') === 'cpu') reason = 'turned off by ?backend=cpu';
  else {
    try {
      const { adapter } = await lib.initWebGPU();
      return { kind: 'webgpu', text: `WebGPU: ${adapterLine(adapter)}`, software: adapter.software };
    } catch (err) {
      // The first sentence (the library's message goes on with install hints for Node as well).
      reason = (err as Error).message.replace(/^initWebGPU: /, '').split('. ')[0];
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    kind: 'cpu',
    software: null,
    reason,
    text: `WebGPU is not available in this browser (${reason}). Training runs on tfjs's CPU backend instead: the same library, much slower, so the settings start small. Chrome, Edge and Safari 26 have WebGPU; on Linux, Chrome needs --enable-unsafe-webgpu.`,
  };
}

declare global {
  interface Window {
    demo: {
      lib: typeof lib;
      tf: typeof tf;
      records: typeof records;
      backend: () => BackendInfo;
      runs: () => Run[];
      data: () => PreparedData | null;
      /** The values of the charts inside the element `containerId`. */
      chartValues: (containerId: string) => ReturnType<typeof chartValues>[];
      renderGallery: () => Promise<void>;
      stepsBegun: () => number;
    };
  }
}

function fail(err: unknown): void {
  $('error').textContent = `${(err as Error).message ?? String(err)}`;
  setState('error');
  setButtons(false);
  console.error(err);
}

async function main(): Promise<void> {
  const backend = await startBackend();
  pageState.backend = backend;
  await lib.ensureGradients();
  const banner = $('backend');
  banner.textContent = `${backend.text}${backend.text.endsWith('.') ? '' : '.'} tfjs ${tf.version_core}, backend ${tf.getBackend()}.`;
  banner.dataset.backend = backend.kind;
  if (backend.kind === 'cpu') {
    banner.classList.add('fallback');
    const form = $<HTMLFormElement>('settings');
    const set = (name: string, v: string) => ((form.elements.namedItem(name) as HTMLInputElement).value = v);
    set('epochs', '1');
    set('trainExamples', '256');
    set('evalExamples', '64');
    set('pgdSteps', '5');
    $<HTMLInputElement>('load-examples').value = '100';
  }
  status('loading the embedded digits...');
  const digits = await lib.loadIdxImageSet(new URL('data/digits-images-idx3-ubyte.gz', location.href), new URL('data/digits-labels-idx1-ubyte.gz', location.href));
  pageState.digits = digits;
  status(`${digits.count} embedded digits loaded; pick the settings and press Start`);
  fillSettingsForm();
  fillGalleryChoices();
  $('start').addEventListener('click', () => train().catch(fail));
  $('pause').addEventListener('click', togglePause);
  $('stop').addEventListener('click', stop);
  $('gallery-eps').addEventListener('input', () => renderGallery().catch(fail));
  $('gallery-attack').addEventListener('change', () => renderGallery().catch(fail));
  $('tradeoff-run').addEventListener('click', () => runTradeOff().catch(fail));
  $('sweep-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadSweepFile(file);
  });
  $('load-run').addEventListener('click', () => evaluateLoadedModel().catch(fail));
  $('download').addEventListener('click', () => downloadModel().catch(fail));
  window.demo = {
    lib,
    tf,
    records,
    backend: () => pageState.backend,
    runs: () => pageState.runs,
    data: () => pageState.data,
    chartValues: (containerId) => Array.from($(containerId).querySelectorAll('canvas')).map((c) => chartValues(c as HTMLCanvasElement)).filter((v) => v !== null),
    renderGallery,
    stepsBegun: stepsBegunSoFar,
  };
  setState('ready');
}

main().catch(fail);
