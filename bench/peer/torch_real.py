"""The PyTorch peer of the real-architecture benchmark (bench/real_models.ts): torchvision's MobileNetV2
(width 1, --classes outputs, inference mode: batch normalisation with its running statistics, dropout
off) on random images of --size x --size x 3, the step an attack repeats:
  input_gradient   d cross-entropy / d x for a batch of --batch images (forward and backward)
  forward          the logits of the batch (no gradient)
Each: 2 warm-up steps, then the median of --runs rounds of --steps steps, as images per second.
usage: python3 torch_real.py [--threads 2] [--batch 8] [--size 224] [--classes 5] [--runs 3] [--steps 2]
Prints one JSON line: torch and torchvision versions, threads, batch, size, images_per_second per step."""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--batch', type=int, default=8)
p.add_argument('--size', type=int, default=224)
p.add_argument('--classes', type=int, default=5)
p.add_argument('--runs', type=int, default=3)
p.add_argument('--steps', type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
net = torchvision.models.mobilenet_v2(num_classes=args.classes).eval()
x = torch.rand(args.batch, 3, args.size, args.size)
y = torch.randint(0, args.classes, (args.batch,))


def input_gradient():
    xx = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(F.cross_entropy(net(xx), y), xx)
    return g


def forward():
    with torch.no_grad():
        return net(x)


def rate(step):
    for _ in range(2):
        step()
    rounds = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        rounds.append(args.batch * args.steps / (time.perf_counter() - t0))
    return statistics.median(rounds)


print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': args.threads, 'batch': args.batch,
                  'size': args.size, 'images_per_second': {'input_gradient': rate(input_gradient), 'forward': rate(forward)}}))
