"""PyTorch's strongest recipe on the bundled splits (the anchor of `scn train --recipe best`, docs/results.md):
Adam lr 0.002, cosine decay to 0 over the run (per step), batch 32, 20 epochs reshuffled each epoch, every training
image shifted by a random whole number of pixels in [-2, 2] on each axis (zeros come in), PyTorch's default
initialisation, 2 threads. Validation accuracy after the last step. Comparison only; never a test.

Usage: train_best.py MODEL SEED [SEED ...]   (MODEL: arch1..arch4, the shapes of bench/pytorch/train_speed.py)
Prints one CSV line per seed: model,seed,accuracy,seconds (seconds: training and the validation pass, data loaded).
"""
import argparse
import math
import time

import torch

from train_accuracy import load
from train_speed import MODELS

torch.set_num_threads(2)


def shifted(images, generator, most=2):
    """Each image moved by its own (dy, dx) in [-most, most], zeros filling in."""
    size = images.shape[-1]
    padded = torch.nn.functional.pad(images, (most, most, most, most))
    offsets = torch.randint(0, 2 * most + 1, (images.shape[0], 2), generator=generator)
    return torch.stack([padded[i, :, y:y + size, x:x + size] for i, (y, x) in enumerate(offsets.tolist())])


def train(model, seed, train_set, valid_set, epochs=20, batch=32):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    net = MODELS[model]()
    images, labels = train_set
    steps = epochs * (len(images) // batch)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.002)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps)))
    started = time.perf_counter()
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=generator)
        for start in range(0, len(images) - batch + 1, batch):
            chosen = order[start:start + batch]
            loss = torch.nn.functional.cross_entropy(net(shifted(images[chosen], generator)), labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(valid_set[0]).argmax(1) == valid_set[1]).float().mean().item()
    return accuracy, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=list(MODELS))
    parser.add_argument("seeds", type=int, nargs="+")
    args = parser.parse_args()
    train_set, valid_set = load("train"), load("valid")
    for seed in args.seeds:
        accuracy, seconds = train(args.model, seed, train_set, valid_set)
        print(f"{args.model},{seed},{accuracy:.4f},{seconds:.1f}", flush=True)


if __name__ == "__main__":
    main()
