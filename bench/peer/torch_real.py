"""The PyTorch peer of the real-architecture benchmark (bench/real_models.ts, bench/real/measure.ts): the
same architectures on random images, the same three steps, Adam at 1e-3, eps 8/255 (seed CNN 0.1):
  --model seed-cnn          Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense 10 (28x28x1)
  --model resnet-20         He et al.'s CIFAR ResNet-20 (16/32/64, 1x1 conv + BN projection shortcuts), as lib.cifarResNet
  --model preact-resnet-18  PreAct-ResNet-18 (64..512, final BN ReLU), as bench/real/preact_resnet.ts
  --model mobilenet-v2      torchvision's mobilenet_v2(num_classes=--classes), width 1
Steps (attacks in inference mode: BN running statistics; the training step in training mode):
  input_gradient   d cross-entropy / d x of the batch
  pgd_step         one PGD step from x: x + eps/4 sign(grad), projected onto the eps-ball, clipped to [0, 1]
  fgsm_at          FGSM on the batch, then one Adam step on 0.5 CE(x) + 0.5 CE(x') (the `fgsm` trainer)
Denormals flushed to zero (torch.set_flush_denormal). Each: 1 warm-up step, then the median of --runs rounds of --repeat steps, as images per second.
usage: python3 torch_real.py --model M [--threads 2] [--batch 8] [--size 224] [--classes 5] [--steps LIST] [--runs 3] [--repeat 1]
Prints one JSON line: torch and torchvision versions, threads, model, batch, size, images_per_second per step."""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

p = argparse.ArgumentParser()
p.add_argument('--model', default='mobilenet-v2', choices=['seed-cnn', 'resnet-20', 'preact-resnet-18', 'mobilenet-v2'])
p.add_argument('--threads', type=int, default=2)
p.add_argument('--batch', type=int, default=8)
p.add_argument('--size', type=int, default=224)
p.add_argument('--classes', type=int, default=5)
p.add_argument('--steps', default='input_gradient,pgd_step,fgsm_at')
p.add_argument('--runs', type=int, default=3)
p.add_argument('--repeat', type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
# Denormals flushed to zero, as GPUs (and SwiftShader) do: untrained networks' inference-mode activations
# (running statistics 0 and 1) reach denormal floats, which cost x86 cores 10-40x.
torch.set_flush_denormal(True)
torch.manual_seed(0)


class BasicBlock(nn.Module):
    """ResNet-20's block: conv BN ReLU conv BN, add (1x1 conv + BN projection where the shape changes), ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.b2(self.c2(F.relu(self.b1(self.c1(x))))) + self.proj(x))


def resnet20(classes):
    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for stage, width in enumerate([16, 32, 64]):
        for block in range(3):
            layers.append(BasicBlock(cin, width, 2 if stage > 0 and block == 0 else 1))
            cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes))


class PreActBlock(nn.Module):
    """BN ReLU, [1x1 conv shortcut from the activated input], conv, BN ReLU, conv, add."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.b1, self.c1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b2, self.c2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.proj = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        a = F.relu(self.b1(x))
        shortcut = self.proj(a) if self.proj is not None else x
        return self.c2(F.relu(self.b2(self.c1(a)))) + shortcut


def preact_resnet18(classes):
    layers, cin = [nn.Conv2d(3, 64, 3, 1, 1, bias=False)], 64
    for stage, width in enumerate([64, 128, 256, 512]):
        for block in range(2):
            layers.append(PreActBlock(cin, width, 2 if stage > 0 and block == 0 else 1))
            cin = width
    return nn.Sequential(*layers, nn.BatchNorm2d(512), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes))


if args.model == 'seed-cnn':
    channels, net = 1, nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, args.classes))
elif args.model == 'resnet-20':
    channels, net = 3, resnet20(args.classes)
elif args.model == 'preact-resnet-18':
    channels, net = 3, preact_resnet18(args.classes)
else:
    channels, net = 3, torchvision.models.mobilenet_v2(num_classes=args.classes)
EPS = 0.1 if args.model == 'seed-cnn' else 8 / 255
opt = torch.optim.Adam(net.parameters(), 1e-3)
x = torch.rand(args.batch, channels, args.size, args.size)
y = torch.arange(args.batch) % args.classes


def grad_x(xx):
    net.eval()
    xx = xx.clone().requires_grad_(True)
    g, = torch.autograd.grad(F.cross_entropy(net(xx), y), xx)
    return g


def input_gradient():
    return grad_x(x)


def pgd_step():
    g = grad_x(x)
    with torch.no_grad():
        return torch.min(torch.max(x + EPS / 4 * g.sign(), x - EPS), x + EPS).clamp(0, 1)


def fgsm_at():
    g = grad_x(x)
    with torch.no_grad():
        adv = (x + EPS * g.sign()).clamp(0, 1)
    net.train()
    opt.zero_grad()
    loss = 0.5 * F.cross_entropy(net(x), y) + 0.5 * F.cross_entropy(net(adv), y)
    loss.backward()
    opt.step()
    return loss.detach()


def rate(step):
    step()
    rounds = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            step()
        rounds.append(args.batch * args.repeat / (time.perf_counter() - t0))
    return statistics.median(rounds)


STEPS = {'input_gradient': input_gradient, 'pgd_step': pgd_step, 'fgsm_at': fgsm_at}
print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': args.threads, 'model': args.model, 'batch': args.batch,
                  'size': args.size, 'images_per_second': {s: rate(STEPS[s]) for s in args.steps.split(',')}}))
