"""Prints ours against the reference, side by side, from the JSON files run_ours.ts and run_reference.py wrote.

Per attack (matched by name; the reference's `autoattack-standard` row matches our `autoattack`): robust
points and accuracy on both sides, the difference in points, the points where only one side found an
adversarial example, and both times. Also checks that the two files cover the same points.

usage: python3 compare.py OURS.json REFERENCE.json [MORE_OURS_OR_REFERENCE.json ...]
"""
import json
import sys


def load(paths):
    ours, ref = {}, {}
    meta = {}
    for path in paths:
        with open(path) as f:
            r = json.load(f)
        side = ours if r['side'] == 'ours' else ref
        meta.setdefault(r['side'], r)
        side['clean'] = r['clean']
        for row in r['attacks']:
            name = 'autoattack' if row['attack'].startswith('autoattack') else row['attack']
            side[name] = row
    return ours, ref, meta


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().split('\n')[-1])
    ours, ref, meta = load(sys.argv[1:])
    if 'ours' not in meta or 'reference' not in meta:
        sys.exit('need at least one file of each side (side: ours, side: reference)')
    o, r = meta['ours'], meta['reference']
    if o['n'] != r['n'] or o['points'] != r['points']:
        print(f'warning: different points: ours {o["n"]} of {o["points"]}, reference {r["n"]} of {r["points"]}')
    for key in ('eps', 'norm', 'scale_last'):
        same = str(o[key]).lower() == str(r[key]).lower() if key == 'norm' else float(o[key]) == float(r[key])
        if not same:
            print(f'warning: {key} differs: ours {o.get(key)}, reference {r.get(key)}')
    n = o['n']
    print(f'{n} points of {o["points"]}; eps {o["eps"]} {o["norm"]}; scale_last {o["scale_last"]:g}')
    print(f'ours: {o["adapter"]}; reference: {r["reference"]}, torch {r["torch"]}, {r["threads"]} threads')
    head = f'{"attack":<12}{"ours":>16}{"reference":>16}{"diff":>8}{"only ours":>11}{"only ref":>10}{"ours s":>9}{"ref s":>9}'
    print(head)
    print('-' * len(head))
    for name in ['clean'] + [k for k in ours if k != 'clean'] + [k for k in ref if k not in ours]:
        a, b = ours.get(name), ref.get(name)
        cell = lambda row: f'{row["robust"]:>4} {100 * row["robust_accuracy"]:6.2f}%' if row else '-'
        diff = f'{a["robust"] - b["robust"]:+d}' if a and b else ''
        # a point robust on one side and not the other: that side's attack missed what the other found
        only_o = sum(1 for x, y in zip(a['flags'], b['flags']) if x == 0 and y == 1) if a and b else ''
        only_r = sum(1 for x, y in zip(a['flags'], b['flags']) if x == 1 and y == 0) if a and b else ''
        sec = lambda row: f'{row["seconds"]:.1f}' if row and name != 'clean' else ''
        print(f'{name:<12}{cell(a):>16}{cell(b):>16}{diff:>8}{only_o!s:>11}{only_r!s:>10}{sec(a):>9}{sec(b):>9}')
    print('only ours: points our attack broke and the reference did not; only ref: the reverse')


if __name__ == '__main__':
    main()
