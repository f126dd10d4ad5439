"""Runs the reference AutoAttack (fra31/auto-attack, PyTorch) on the points export_points.ts wrote, against
the PyTorch twin of our saved model (torch_model.py), and writes JSON in the shape run_ours.ts writes.

Each attack of --attacks runs alone, through AutoAttack's own object for it and its own dispatch
(`run_standard_evaluation` with `attacks_to_run = [name]`: only the clean-correct points are attacked, in
batches of --bs, the attack's seed set to --seed), with the parameters `AutoAttack(version=...)` sets
(`standard`: APGD-CE 100 iterations 1 restart; APGD-T 100 iterations, 9 target classes, 1 restart; FAB-T 9
targets, 1 restart, 100 iterations; Square 5000 queries, p_init 0.8; `custom`: the constructor's, e.g.
APGD 5 restarts), then the --n-iter, --n-restarts, --n-queries, --n-target-classes overrides. The item
`autoattack` runs the composition: `run_standard_evaluation` with the version's attack list (standard: apgd-ce,
apgd-t, fab-t, square; custom: the other listed attacks), each attack on the points still robust.

The reference's source stays outside our repository: --reference is a bare git directory (the .py files of
its autoattack/ package are extracted with `git show` into a temporary folder) or an unpacked checkout.

usage: python3 run_reference.py --model DIR --points DIR [--attacks apgd-ce,apgd-t,fab-t,square,autoattack]
         [--eps 0.1] [--norm Linf] [--n N] [--version standard|custom] [--seed 0] [--scale-last K] [--out FILE]
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from torch_model import load_model, load_points, model_json_path  # noqa: E402

DEFAULT_REFERENCE = '/work/.mirror/fra31+auto-attack/repo'
SINGLE = ['apgd-ce', 'apgd-dlr', 'apgd-t', 'fab', 'fab-t', 'square']


def import_autoattack(reference):
    """The reference's autoattack package, from an unpacked checkout or extracted from a git directory."""
    if os.path.isfile(os.path.join(reference, 'autoattack', 'autoattack.py')):
        root, commit = reference, 'unpacked'
    else:
        commit = subprocess.check_output(['git', '--git-dir', reference, 'rev-parse', 'HEAD'], text=True).strip()
        root = tempfile.mkdtemp(prefix='autoattack-')
        # `git show` of each .py file of the package (a mirror may lack its large example files' blobs).
        names = subprocess.check_output(['git', '--git-dir', reference, 'ls-tree', '-r', '--name-only', 'HEAD', 'autoattack'], text=True).split()
        for name in (n for n in names if n.endswith('.py') and '/examples/' not in n):
            os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(root, name), 'wb') as f:
                f.write(subprocess.check_output(['git', '--git-dir', reference, 'show', f'HEAD:{name}']))
    sys.path.insert(0, root)
    from autoattack import AutoAttack  # noqa: E402
    return AutoAttack, commit


class CapturingLogger:
    """AutoAttack's Logger interface: keeps the lines (the composition's per-attack accuracies), echoes them."""

    def __init__(self, echo):
        self.lines, self.echo = [], echo

    def log(self, line):
        self.lines.append(str(line))
        if self.echo:
            print(line, flush=True)


def build(AutoAttack, model, args, version, attacks_to_run=()):
    aa = AutoAttack(model, norm=args.norm, eps=args.eps, seed=args.seed, version=version,
                    attacks_to_run=list(attacks_to_run) if version == 'custom' else [], device='cpu', verbose=False)
    if args.n_iter is not None:
        aa.apgd.n_iter = aa.apgd_targeted.n_iter = aa.fab.n_iter = args.n_iter
        for a in (aa.apgd, aa.apgd_targeted):  # APGD's checkpoint schedule follows n_iter (set in __init__)
            a.n_iter_orig = args.n_iter
            a.n_iter_2, a.n_iter_min, a.size_decr = max(int(0.22 * args.n_iter), 1), max(int(0.06 * args.n_iter), 1), max(int(0.03 * args.n_iter), 1)
    if args.n_restarts is not None:
        aa.apgd.n_restarts = aa.apgd_targeted.n_restarts = aa.fab.n_restarts = aa.square.n_restarts = args.n_restarts
    if args.n_queries is not None:
        aa.square.n_queries = args.n_queries
    if args.n_target_classes is not None:
        aa.apgd_targeted.n_target_classes = aa.fab.n_target_classes = args.n_target_classes
    aa.logger = CapturingLogger(echo=args.verbose)
    for a in (aa.apgd, aa.apgd_targeted, aa.fab, aa.square):
        a.verbose = args.verbose  # per restart / target class progress on stdout
    return aa


def parameters_of(aa, name):
    a = {'apgd-ce': aa.apgd, 'apgd-dlr': aa.apgd, 'apgd-t': aa.apgd_targeted, 'fab': aa.fab, 'fab-t': aa.fab, 'square': aa.square}[name]
    keys = {'apgd': ['n_iter', 'n_restarts', 'eot_iter', 'thr_decr'], 'apgd-t': ['n_iter', 'n_restarts', 'n_target_classes', 'thr_decr'],
            'fab': ['n_iter', 'n_restarts', 'n_target_classes', 'alpha_max', 'eta', 'beta'], 'square': ['n_queries', 'n_restarts', 'p_init', 'resc_schedule']}
    kind = 'apgd' if name in ('apgd-ce', 'apgd-dlr') else 'fab' if name.startswith('fab') else name
    p = {k: getattr(a, k) for k in keys[kind] if hasattr(a, k)}
    if name == 'fab-t':
        p['n_restarts'] = 1  # the dispatch sets it for fab-t
    return p


def run_one(aa, x, y, bs, echo):
    """One AutoAttack run over `aa.attacks_to_run`: robust flags per point, seconds, max perturbation."""
    start = time.time()
    quiet = io.StringIO()
    with redirect_stdout(sys.stdout if echo else quiet):  # its checks print warnings (e.g. the logits' range)
        x_adv, y_adv = aa.run_standard_evaluation(x, y, bs=bs, return_labels=True)
    seconds = time.time() - start
    flags = (y_adv == y)
    delta = (x_adv - x).reshape(len(x), -1)
    size = delta.abs().max(1)[0] if aa.norm == 'Linf' else delta.norm(dim=1)
    return flags, seconds, float(size.max()), float(x_adv.min()), float(x_adv.max()), quiet.getvalue()


def result_row(name, flags, seconds, params, extra=None):
    robust = int(flags.sum())
    row = {'attack': name, 'robust': robust, 'points': len(flags), 'robust_accuracy': robust / len(flags),
           'seconds': round(seconds, 2), 'params': params, 'flags': [int(v) for v in flags]}
    row.update(extra or {})
    return row


def write(path, results):
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(f'{path}.partial', 'w') as f:
        json.dump(results, f)
        f.write('\n')
    os.replace(f'{path}.partial', path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='a model.json, or a folder holding it or model/model.json')
    p.add_argument('--points', required=True, help='the folder export_points.ts wrote')
    p.add_argument('--attacks', default='apgd-ce', help=f'comma-separated: {", ".join(SINGLE)}, autoattack (the composition)')
    p.add_argument('--eps', type=float, default=0.1)
    p.add_argument('--norm', default='Linf', choices=['Linf', 'L2', 'L1'])
    p.add_argument('--n', type=int, default=None, help='the first N points (default all exported)')
    p.add_argument('--version', default='standard', choices=['standard', 'custom'])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--bs', type=int, default=250, help="AutoAttack's batch size (its default 250)")
    p.add_argument('--n-iter', type=int, default=None, help='iterations of APGD, APGD-T and FAB (default: the version\'s, 100)')
    p.add_argument('--n-restarts', type=int, default=None)
    p.add_argument('--n-queries', type=int, default=None, help='Square\'s queries (standard: 5000)')
    p.add_argument('--n-target-classes', type=int, default=None, help='APGD-T\'s and FAB-T\'s targets (standard: 9)')
    p.add_argument('--scale-last', type=float, default=1.0, help='multiply the last Dense kernel and bias by K (gradient-masking test: 1e4)')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--reference', default=DEFAULT_REFERENCE, help='the reference: a bare git directory or an unpacked checkout')
    p.add_argument('--out', default=None, help='write the JSON here (default: print a summary only)')
    p.add_argument('--verbose', action='store_true', help="echo AutoAttack's log lines and the attacks' progress")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    AutoAttack, commit = import_autoattack(args.reference)
    model = load_model(args.model, args.scale_last)
    x, y, meta = load_points(args.points, args.n)
    names = [a.strip() for a in args.attacks.split(',') if a.strip()]
    for a in names:
        if a not in SINGLE + ['autoattack']:
            sys.exit(f'--attacks: unknown attack {a!r}; known: {", ".join(SINGLE)}, autoattack')

    with torch.no_grad():
        clean_flags = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)]) == y
    results = {'side': 'reference', 'reference': f'fra31/auto-attack {commit}', 'torch': torch.__version__, 'threads': args.threads,
               'model': model_json_path(args.model), 'points': os.path.abspath(args.points), 'n': len(x), 'eps': args.eps,
               'norm': args.norm, 'version': args.version, 'seed': args.seed, 'scale_last': args.scale_last,
               'clean': result_row('clean', clean_flags, 0.0, {}), 'attacks': []}
    print(f'reference AutoAttack ({commit[:12]}), torch {torch.__version__}, {args.threads} threads; {len(x)} points, '
          f'eps {args.eps} {args.norm}, version {args.version}, seed {args.seed}, scale_last {args.scale_last:g}; '
          f'clean {int(clean_flags.sum())}/{len(x)}', flush=True)
    singles = [a for a in names if a != 'autoattack']
    for name in names:
        if name == 'autoattack':
            aa = build(AutoAttack, model, args, args.version, singles)
            aa.verbose = True
            flags, seconds, size, lo, hi, _ = run_one(aa, x, y, args.bs, args.verbose)
            after = {m.group(1).lower(): float(m.group(2)) / 100 for m in
                     (re.search(r'robust accuracy after (\S+): ([\d.]+)%', line) for line in aa.logger.lines) if m}
            params = {a: parameters_of(aa, a) for a in aa.attacks_to_run}
            row = result_row(f'autoattack-{args.version}', flags, seconds, params,
                             {'attacks_to_run': aa.attacks_to_run, 'accuracy_after': after, 'max_perturbation': size, 'range': [lo, hi]})
        else:
            aa = build(AutoAttack, model, args, args.version, [name])
            aa.attacks_to_run = [name]
            flags, seconds, size, lo, hi, _ = run_one(aa, x, y, args.bs, args.verbose)
            row = result_row(name, flags, seconds, parameters_of(aa, name), {'max_perturbation': size, 'range': [lo, hi]})
        results['attacks'].append(row)
        extra = f'; after each: {row["accuracy_after"]}' if 'accuracy_after' in row else ''
        print(f'{row["attack"]:<22} robust {row["robust"]:>4}/{row["points"]} ({100 * row["robust_accuracy"]:.2f}%)  '
              f'{row["seconds"]:.1f} s  max {args.norm} perturbation {size:.5f}{extra}', flush=True)
        write(args.out, results)  # after each attack: a long run's finished attacks are kept
    if args.out:
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
