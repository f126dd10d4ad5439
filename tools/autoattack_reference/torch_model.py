"""A PyTorch twin of a tfjs Layers model saved by tfjs-adversarial (model.json + weights.bin).

Reads the Sequential topology of model.json (Conv2D, MaxPooling2D, Flatten, Dense, Dropout, Activation,
InputLayer; channels_last) and its float32 weights, and builds a torch.nn.Module that takes images as
NCHW float32 in [0, 1] (AutoAttack's convention) and returns the logits. The layouts differ from tfjs's:
conv kernels are [kh, kw, in, out] there (OIHW here), dense kernels [in, out] (a weight [out, in] here),
and Flatten flattens NHWC, so the module permutes NCHW to NHWC before flattening. 'same' padding is
TensorFlow's (the extra row or column goes after), applied with F.pad (zeros for conv, -inf for pooling).

`scale_last` multiplies the last Dense layer's kernel and bias by a factor: the logits scale by it and
the softmax saturates, the gradient-masking test model (cross-entropy gradients underflow; DLR and
margin losses are scale invariant).

Usage as a check: python3 torch_model.py MODEL_DIR POINTS_DIR  (prints the max |logit difference| against
the logits that export_points.ts wrote, and the agreement of the predictions).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def model_json_path(path):
    """`path` as a model.json: the file itself, DIR/model.json or DIR/model/model.json."""
    for candidate in (path, os.path.join(path, 'model.json'), os.path.join(path, 'model', 'model.json')):
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'no model.json at {path} (nor {path}/model.json, {path}/model/model.json)')


def read_weights(json_path, manifest):
    """The manifest's weights as {name: float32 array}, read from the files beside model.json in order."""
    folder = os.path.dirname(json_path)
    out = {}
    for group in manifest:
        data = b''.join(open(os.path.join(folder, p), 'rb').read() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            if spec.get('dtype', 'float32') != 'float32' or 'quantization' in spec:
                raise ValueError(f'{spec["name"]}: only unquantized float32 weights are supported')
            count = int(np.prod(spec['shape'])) if spec['shape'] else 1
            arr = np.frombuffer(data, dtype='<f4', count=count, offset=offset).reshape(spec['shape'])
            out[spec['name']] = arr.copy()
            offset += 4 * count
        if offset != len(data):
            raise ValueError(f'{group["paths"]}: {len(data)} bytes, the manifest accounts for {offset}')
    return out


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding of one dimension: (before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def activation_of(name):
    if name in (None, 'linear'):
        return None
    if name == 'relu':
        return F.relu
    raise ValueError(f'activation {name!r} is not supported')


class Conv2D(nn.Module):
    def __init__(self, cfg, kernel, bias):
        super().__init__()
        if cfg.get('data_format', 'channels_last') != 'channels_last' or tuple(cfg.get('dilation_rate', [1, 1])) != (1, 1):
            raise ValueError(f'conv {cfg["name"]}: only channels_last, dilation 1')
        self.weight = nn.Parameter(torch.from_numpy(kernel).permute(3, 2, 0, 1).contiguous(), requires_grad=False)
        self.bias = None if bias is None else nn.Parameter(torch.from_numpy(bias), requires_grad=False)
        self.kernel = tuple(cfg['kernel_size'])
        self.stride = tuple(cfg['strides'])
        self.padding = cfg['padding']
        self.act = activation_of(cfg.get('activation'))

    def forward(self, x):
        if self.padding == 'same':
            ph = same_padding(x.shape[2], self.kernel[0], self.stride[0])
            pw = same_padding(x.shape[3], self.kernel[1], self.stride[1])
            x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))
        y = F.conv2d(x, self.weight, self.bias, stride=self.stride)
        return self.act(y) if self.act else y


class MaxPool2D(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.pool = tuple(cfg['pool_size'])
        self.stride = tuple(cfg.get('strides') or cfg['pool_size'])
        self.padding = cfg['padding']

    def forward(self, x):
        if self.padding == 'same':
            ph = same_padding(x.shape[2], self.pool[0], self.stride[0])
            pw = same_padding(x.shape[3], self.pool[1], self.stride[1])
            x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]), value=-math.inf)
        return F.max_pool2d(x, self.pool, self.stride)


class FlattenNHWC(nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1) if x.dim() == 4 else x.reshape(x.shape[0], -1)


class Dense(nn.Module):
    def __init__(self, cfg, kernel, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(kernel).t().contiguous(), requires_grad=False)
        self.bias = None if bias is None else nn.Parameter(torch.from_numpy(bias), requires_grad=False)
        self.act = activation_of(cfg.get('activation'))

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        return self.act(y) if self.act else y


class Activation(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.act = activation_of(cfg['activation'])

    def forward(self, x):
        return self.act(x) if self.act else x


class LayersModel(nn.Module):
    """The Sequential of a tfjs model.json: input NCHW float32, output logits."""

    def __init__(self, json_path, scale_last=1.0):
        super().__init__()
        with open(json_path) as f:
            model_json = json.load(f)
        topology = model_json['modelTopology']
        topology = topology.get('model_config', topology)
        if topology['class_name'] != 'Sequential':
            raise ValueError(f'{json_path}: a {topology["class_name"]}, only Sequential models are supported')
        config = topology['config']
        layer_cfgs = config['layers'] if isinstance(config, dict) else config
        weights = read_weights(json_path, model_json.get('weightsManifest', []))
        self.layer_names = []
        layers = []
        for layer in layer_cfgs:
            kind, cfg = layer['class_name'], layer['config']
            name = cfg['name']
            kernel, bias = weights.get(f'{name}/kernel'), weights.get(f'{name}/bias')
            if kind in ('Conv2D', 'Dense') and kernel is None:
                raise ValueError(f'{json_path}: no weight {name}/kernel (weights: {", ".join(weights)})')
            if kind == 'Conv2D':
                layers.append(Conv2D(cfg, kernel, bias if cfg.get('use_bias', True) else None))
            elif kind == 'MaxPooling2D':
                layers.append(MaxPool2D(cfg))
            elif kind == 'Flatten':
                layers.append(FlattenNHWC())
            elif kind == 'Dense':
                layers.append(Dense(cfg, kernel, bias if cfg.get('use_bias', True) else None))
            elif kind == 'Activation':
                layers.append(Activation(cfg))
            elif kind in ('Dropout', 'InputLayer'):
                continue
            else:
                raise ValueError(f'{json_path}: layer {name} of kind {kind} is not supported')
            self.layer_names.append(f'{name} ({kind})')
        self.layers = nn.ModuleList(layers)
        if scale_last != 1.0:
            last = [m for m in self.layers if isinstance(m, Dense)][-1]
            with torch.no_grad():
                last.weight.mul_(scale_last)
                if last.bias is not None:
                    last.bias.mul_(scale_last)
        self.eval()

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def load_model(path, scale_last=1.0):
    """The torch twin of the model at `path` (model.json, or a folder holding it or model/model.json)."""
    return LayersModel(model_json_path(path), scale_last)


def load_points(folder, n=None):
    """The points export_points.ts wrote: (x NCHW float32 tensor, y int64 tensor, meta dict)."""
    with open(os.path.join(folder, 'points.json')) as f:
        meta = json.load(f)
    count = meta['count'] if n is None else min(n, meta['count'])
    h, w, c = meta['image_shape']
    images = np.fromfile(os.path.join(folder, meta['files']['images']), dtype='<f4', count=count * h * w * c)
    x = torch.from_numpy(images.reshape(count, h, w, c)).permute(0, 3, 1, 2).contiguous()
    labels = np.fromfile(os.path.join(folder, meta['files']['labels']), dtype=np.uint8, count=count)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y, meta


def our_logits(folder, meta, count):
    k = meta['classes']
    return np.fromfile(os.path.join(folder, meta['files']['logits']), dtype='<f4', count=count * k).reshape(count, k)


def check_twin(model_path, points_dir, n=None):
    """Max |logit difference| between the twin and our library on the exported points, printed and returned."""
    model = load_model(model_path)
    x, y, meta = load_points(points_dir, n)
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 500]) for i in range(0, len(x), 500)]).numpy()
    ours = our_logits(points_dir, meta, len(x))
    diff = float(np.abs(logits - ours).max())
    scale = float(np.abs(ours).max())
    agree = int((logits.argmax(1) == ours.argmax(1)).sum())
    acc = float((logits.argmax(1) == y.numpy()).mean())
    print(f'torch twin of {model_path}: {", ".join(model.layer_names)}')
    print(f'{len(x)} points: max |logit diff| vs ours {diff:.3g} (max |logit| {scale:.3g}); predictions agree on {agree}/{len(x)}; clean accuracy {100 * acc:.2f}%')
    return diff, agree


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit('usage: python3 torch_model.py MODEL_DIR POINTS_DIR [N]')
    torch.set_num_threads(2)
    diff, _ = check_twin(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    sys.exit(0 if diff < 1e-3 else 1)
