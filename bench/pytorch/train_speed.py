"""Training throughput of the notebook architectures in PyTorch, for docs/performance.md and docs/gpu.md.

Full training step (forward, softmax cross-entropy, backward, SGD update), the same shapes as src/Models.
Prints one CSV line per model: model,images_per_second. Comparison only; never a test.

  train_speed.py [models...]                          CPU, batch 16, 2 threads (docs/performance.md)
  train_speed.py --device cuda --batch 1024 [models]  CUDA: every step reads its loss back, as
                                                      StaticConvNet's GPU step does (bench/gpu.sh)
  train_speed.py --device cuda --inference --batch 1024 [models]
                                                      CUDA: classifying 11,840 images a batch at a time
"""
import argparse
import time

import torch
import torch.nn as nn

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


def calls_per_second(call, warmup, seconds, device):
    """How often call() runs in a second, after warmup calls, waiting for the GPU at the end."""
    for _ in range(warmup):
        call()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        calls += 1
    if device != "cpu":
        torch.cuda.synchronize()
    return calls / (time.perf_counter() - start)


def images_per_second(model, batch=16, seconds=3.0, device="cpu"):
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9 if device != "cpu" else 0)
    loss_fn = nn.CrossEntropyLoss()
    x = (torch.rand(batch, 1, 28, 28) - 0.5).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if device != "cpu":
            loss.item()  # the loss comes back every step, as it does in StaticConvNet's GPU step

    return calls_per_second(step, 50, seconds, device) * batch


def inference_images_per_second(model, batch, device, images=11840, seconds=3.0):
    model = model.to(device).eval()
    x = (torch.rand(images, 1, 28, 28) - 0.5).to(device)

    def classify():
        with torch.no_grad():
            return torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, images, batch)]).cpu()

    return calls_per_second(classify, 3, seconds, device) * images


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--inference", action="store_true")
    args = parser.parse_args()
    if args.device == "cpu":
        torch.set_num_threads(2)
    else:
        torch.backends.cudnn.benchmark = True
    name = torch.cuda.get_device_name(0) if args.device != "cpu" else f"{torch.get_num_threads()} threads"
    print(f"# torch {torch.__version__}, {name}, batch {args.batch}")
    for model in args.models:
        rate = (inference_images_per_second(MODELS[model](), args.batch, args.device) if args.inference
                else images_per_second(MODELS[model](), args.batch, device=args.device))
        print(f"{model},{rate:.0f}")
