"""The PyTorch peer of the benchmark's training steps (src/bench/steps.ts): the seed CNN (Conv2D 32 3x3 ReLU,
MaxPool 2, Flatten, Dense 128 ReLU, Dense 10), Adam, eps 0.1, on random images, the same five steps:
  train_clean    cross-entropy on B, one Adam step
  train_fgsm     FGSM on B, then half clean, half adversarial loss on 2B (the `fgsm` trainer)
  train_fgsm_rs  random start in the eps-ball, one signed step of 1.25 eps, projected; loss on the B (`fgsm-rs`)
  train_pgd7     PGD-7 from a random start, step eps/4, projected; loss on the B (`pgd`)
  eval_fgsm      FGSM on B, then predictions counted (evaluation)
Each: 3 warm-up steps, then the median of --runs rounds of --steps steps, as images per second.
usage: python3 torch_steps.py [--threads 2] [--batch 64] [--runs 3] [--steps 10]
Prints one JSON line: torch version, threads, batch, images_per_second per step."""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--runs', type=int, default=3)
p.add_argument('--steps', type=int, default=10)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
B, EPS = args.batch, 0.1
net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(net.parameters(), 1e-3)
x = torch.rand(B, 1, 28, 28)
y = torch.randint(0, 10, (B,))


def grad_x(xx):
    xx = xx.clone().requires_grad_(True)
    g, = torch.autograd.grad(F.cross_entropy(net(xx), y), xx)
    return g


def project(xa):
    return torch.min(torch.max(xa, x - EPS), x + EPS).clamp(0, 1)


def update(images, labels):
    opt.zero_grad()
    F.cross_entropy(net(images), labels).backward()
    opt.step()


def train_clean():
    update(x, y)


def train_fgsm():
    xa = (x + EPS * grad_x(x).sign()).clamp(0, 1)
    update(torch.cat([x, xa]), torch.cat([y, y]))


def train_fgsm_rs():
    start = (x + torch.empty_like(x).uniform_(-EPS, EPS)).clamp(0, 1)
    update(project(start + 1.25 * EPS * grad_x(start).sign()), y)


def train_pgd7():
    xa = (x + torch.empty_like(x).uniform_(-EPS, EPS)).clamp(0, 1)
    for _ in range(7):
        xa = project(xa + EPS / 4 * grad_x(xa).sign())
    update(xa, y)


def eval_fgsm():
    xa = (x + EPS * grad_x(x).sign()).clamp(0, 1)
    with torch.no_grad():
        (net(xa).argmax(1) == y).sum().item()


def rate(step):
    for _ in range(3):
        step()
    rounds = []
    for _ in range(args.runs):
        t = time.perf_counter()
        for _ in range(args.steps):
            step()
        rounds.append(args.steps * B / (time.perf_counter() - t))
    return round(statistics.median(rounds), 1)


steps = {f.__name__: f for f in (train_clean, train_fgsm, train_fgsm_rs, train_pgd7, eval_fgsm)}
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': B,
                  'images_per_second': {name: rate(f) for name, f in steps.items()}}))
