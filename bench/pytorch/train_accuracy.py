"""Validation accuracy of the notebook's arch1 / arch2 in PyTorch on the bundled data, for comparison with
`scn train` (docs/results.md). Comparison only; never a test.

The notebook's recipe: inputs (px - 127.5) / 255, weights truncated normal std 0.1 (TensorFlow truncates at two
standard deviations), biases 0 for the first layer and 1.0 after, SAME padding, SGD lr 0.05, batch 16, 1001 steps,
minibatches at offset step * 16 mod (N - 16) of a shuffled training set.

Variants, to see what moves the mean: --padding tf|symmetric (TensorFlow's SAME puts the odd pad after; PyTorch's
padding=2 is symmetric), --init tf|torch (torch: nn.init.trunc_normal_(std=0.1), whose default bounds are +-2 in
absolute terms, so effectively an untruncated normal; scn: the very numbers `scn train --seed N` starts from, our
SplitMix64 truncated normal and shuffle, for a step-for-step comparison), --order notebook|epochs (epochs: a fresh
shuffle every epoch).

Usage: train_accuracy.py MODEL SEED [SEED ...] [--padding P] [--init I] [--order O] [--steps N]
Prints one CSV line per seed: model,seed,accuracy.
"""
import argparse
import gzip
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "notmnist")


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    images = (read_idx(f"{split}-images-idx3-ubyte.gz").astype(np.float32) - 127.5) / 255.0
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


def tf_truncated_normal(shape, std, generator):
    values = torch.randn(shape, generator=generator) * std
    while True:
        outside = values.abs() > 2 * std
        if not outside.any():
            return values
        values[outside] = torch.randn(int(outside.sum()), generator=generator) * std


MASK = (1 << 64) - 1


def splitmix(z):
    """src/Runtime/Kernels/SplitMix.cs"""
    z = (z + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def unit_double(bits):
    return (bits >> 11) * (1.0 / (1 << 53))


def scn_truncated_normal(count, std, seed, stream):
    """src/Runtime/Training/ParameterInit.cs: the same values, in the same (TensorFlow) order."""
    key = splitmix(splitmix(seed & 0xFFFFFFFF) ^ (((stream & 0xFFFFFFFF) << 32) & MASK))
    counter, values = 0, np.empty(count, np.float32)
    for i in range(count):
        while True:
            u1 = 1.0 - unit_double(splitmix((key + counter) & MASK))
            u2 = unit_double(splitmix((key + counter + 1) & MASK))
            counter += 2
            z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
            if abs(z) <= 2.0:
                break
        values[i] = z * std
    return values


def scn_shuffle(count, seed):
    """Trainer.Shuffle in src/Runtime/Training/Trainer.cs."""
    order = list(range(count))
    key = splitmix((seed & 0xFFFFFFFF) ^ 0x5EED5EED)
    for i in range(count - 1, 0, -1):
        j = int(unit_double(splitmix((key + i) & MASK)) * (i + 1))
        order[i], order[j] = order[j], order[i]
    return torch.tensor(order)


class Net(nn.Module):
    def __init__(self, model, padding, init, generator, seed):
        super().__init__()
        self.model, self.padding = model, padding

        streams = iter(range(4))

        def weight(*shape):
            stream = next(streams)
            if init == "scn":
                # Our layout is TensorFlow's: conv HWIO, dense [in, out] over an HWC-flattened input.
                if len(shape) == 4:
                    o, i, h, w = shape
                    values = scn_truncated_normal(o * i * h * w, 0.1, seed, stream).reshape(h, w, i, o)
                    return nn.Parameter(torch.from_numpy(values).permute(3, 2, 0, 1).contiguous())
                o, i = shape
                values = scn_truncated_normal(o * i, 0.1, seed, stream).reshape(i, o)
                if i == 7 * 7 * 16:
                    values = values.reshape(7, 7, 16, o).transpose(2, 0, 1, 3).reshape(i, o)
                return nn.Parameter(torch.from_numpy(values.T.copy()))
            if init == "tf":
                return nn.Parameter(tf_truncated_normal(shape, 0.1, generator))
            w = torch.empty(shape)
            nn.init.trunc_normal_(w, std=0.1)
            return nn.Parameter(w)

        self.w1, self.b1 = weight(16, 1, 5, 5), nn.Parameter(torch.zeros(16))
        self.w2, self.b2 = weight(16, 16, 5, 5), nn.Parameter(torch.ones(16))
        self.w3, self.b3 = weight(64, 7 * 7 * 16), nn.Parameter(torch.ones(64))
        self.w4, self.b4 = weight(10, 64), nn.Parameter(torch.ones(10))

    def conv(self, x, w, b, stride):
        size = x.shape[-1]
        out = -(-size // stride)
        total = max((out - 1) * stride + 5 - size, 0)
        before = total // 2 if self.padding == "tf" else total - total // 2
        x = F.pad(x, (before, total - before, before, total - before))
        return F.conv2d(x, w, b, stride=stride)

    def forward(self, x):
        if self.model == "arch1":
            x = F.relu(self.conv(x, self.w1, self.b1, 2))
            x = F.relu(self.conv(x, self.w2, self.b2, 2))
        else:
            x = F.max_pool2d(F.relu(self.conv(x, self.w1, self.b1, 1)), 2)
            x = F.max_pool2d(F.relu(self.conv(x, self.w2, self.b2, 1)), 2)
        x = F.relu(F.linear(x.flatten(1), self.w3, self.b3))
        return F.linear(x, self.w4, self.b4)


def train(model, seed, padding, init, order_mode, steps, train_set, valid_set):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = Net(model, padding, init, generator, seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    images, labels = train_set
    n, batch = len(labels), 16
    order = scn_shuffle(n, seed) if init == "scn" else torch.randperm(n, generator=generator)
    for step in range(steps):
        if order_mode == "notebook":
            offset = step * batch % (n - batch)
            index = order[offset:offset + batch]
        else:
            position = step * batch % (n - n % batch)
            if step > 0 and position == 0:
                order = torch.randperm(n, generator=generator)
            index = order[position:position + batch]
        optimizer.zero_grad()
        F.cross_entropy(net(images[index]), labels[index]).backward()
        optimizer.step()
    with torch.no_grad():
        predictions = net(valid_set[0]).argmax(1)
    return (predictions == valid_set[1]).float().mean().item() * 100


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["arch1", "arch2"])
    parser.add_argument("seeds", type=int, nargs="+")
    parser.add_argument("--padding", choices=["tf", "symmetric"], default="tf")
    parser.add_argument("--init", choices=["tf", "torch", "scn"], default="tf")
    parser.add_argument("--order", choices=["notebook", "epochs"], default="notebook")
    parser.add_argument("--steps", type=int, default=1001)
    args = parser.parse_args()
    train_set, valid_set = load("train"), load("valid")
    results = []
    for seed in args.seeds:
        accuracy = train(args.model, seed, args.padding, args.init, args.order, args.steps, train_set, valid_set)
        results.append(accuracy)
        print(f"{args.model},{seed},{accuracy:.2f}", flush=True)
    print(f"# mean {np.mean(results):.2f} over {len(results)} seeds ({args.padding} padding, {args.init} init, "
          f"{args.order} order)")
