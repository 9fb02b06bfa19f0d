"""Training throughput of the notebook architectures in PyTorch on this CPU, for docs/performance.md.

Full training step (forward, softmax cross-entropy, backward, SGD update) at batch 16, 2 threads, the same
shapes as src/Models. Prints one CSV line per model: model,images_per_second. Comparison only; never a test.
"""
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)


def conv(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 5, stride=stride, padding=2)


MODELS = {
    "arch1": lambda: nn.Sequential(conv(1, 16, 2), nn.ReLU(), conv(16, 16, 2), nn.ReLU(), nn.Flatten(),
                                   nn.Linear(7 * 7 * 16, 64), nn.ReLU(), nn.Linear(64, 10)),
    "arch2": lambda: nn.Sequential(conv(1, 16), nn.ReLU(), nn.MaxPool2d(2), conv(16, 16), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Flatten(), nn.Linear(7 * 7 * 16, 64), nn.ReLU(), nn.Linear(64, 10)),
    "arch3": lambda: nn.Sequential(conv(1, 16), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                                   conv(16, 16), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                                   conv(16, 16), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                                   nn.Flatten(), nn.Linear(4 * 4 * 16, 64), nn.ReLU(), nn.Linear(64, 10)),
    "arch4": lambda: nn.Sequential(conv(1, 16), nn.ReLU(), nn.Dropout(0.5), nn.MaxPool2d(2, ceil_mode=True),
                                   nn.LocalResponseNorm(9, alpha=0.001, beta=0.75, k=1.0),
                                   conv(16, 16), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True), conv(16, 16), nn.ReLU(),
                                   nn.Flatten(), nn.Linear(7 * 7 * 16, 64), nn.ReLU(), nn.Linear(64, 10)),
}


def images_per_second(model, batch=16, seconds=3.0):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, 28, 28) - 0.5
    y = torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    for _ in range(50):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - start)


if __name__ == "__main__":
    names = sys.argv[1:] or list(MODELS)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in names:
        print(f"{name},{images_per_second(MODELS[name]()):.0f}")
