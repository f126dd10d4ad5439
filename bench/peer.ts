// The PyTorch peer inside the benchmark: when a python3 with torch is on the machine, `npm run bench` times
// the same training steps in PyTorch (bench/peer/torch_steps.py) in the same run and prints ours / PyTorch
// beside ours / stock. bench:check never looks at these: they compare with another library, not with us.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface TorchPeer {
  python: string;
  torch: string;
  threads: number;
  batch: number;
  /** Images per second per step kind (train_clean, train_fgsm, train_fgsm_rs, train_pgd7, eval_fgsm). */
  imagesPerSecond: Record<string, number>;
  seconds: number;
}

const SCRIPT = join('bench', 'peer', 'torch_steps.py');

/** The first of $TORCH_PYTHON, /usr/bin/python3 (Debian's python3-torch), python3 that imports torch; null if none. */
export function findTorchPython(): string | null {
  const candidates = [process.env.TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return python;
  }
  return null;
}

/**
 * Runs the PyTorch peer of the training steps at `batch` on `threads` threads (the machine's cores by
 * default, as our runtimes use them); null when no python3 with torch is found.
 *
 * @example
 * const peer = runTorchPeer(64); // { torch: '1.13.0a0', imagesPerSecond: { train_clean: 765, ... } }
 */
export function runTorchPeer(batch: number, threads = 2, log: (m: string) => void = console.log): TorchPeer | null {
  const python = findTorchPython();
  if (!python) {
    log('no python3 with torch (TORCH_PYTHON, /usr/bin/python3, python3): no PyTorch peer');
    return null;
  }
  log(`PyTorch peer: ${python} ${SCRIPT} --threads ${threads} --batch ${batch}`);
  const t0 = performance.now();
  const r = spawnSync(python, [SCRIPT, '--threads', String(threads), '--batch', String(batch)], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) throw new Error(`the PyTorch peer failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; threads: number; batch: number; images_per_second: Record<string, number> };
  return { python, torch: out.torch, threads: out.threads, batch: out.batch, imagesPerSecond: out.images_per_second, seconds: (performance.now() - t0) / 1000 };
}

/** Rows of ours / PyTorch for the steps both measured at the peer's batch. */
export function peerRatios(steps: { step: string; impl: string; batch: number; imagesPerSecond: number }[], peer: TorchPeer): { step: string; ours: number; torch: number; ratio: number }[] {
  return steps
    .filter((s) => s.impl === 'ours' && s.batch === peer.batch && peer.imagesPerSecond[s.step] !== undefined)
    .map((s) => ({ step: s.step, ours: s.imagesPerSecond, torch: peer.imagesPerSecond[s.step], ratio: s.imagesPerSecond / peer.imagesPerSecond[s.step] }));
}
