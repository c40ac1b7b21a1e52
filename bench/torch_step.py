"""PyTorch reference for bench/train-step.ts: the same MLP train step on the CPU.

    python3 bench/torch_step.py --threads 1 --warmup 2 --steps 12

Model and step as in train-step.ts: 256 → 512 → 512 → 1, ReLU, sigmoid cross-entropy on logits,
Adam (lr 1e-4), full batch of 1024. Inputs N(0, 1), labels from a random linear teacher (seeded
here with torch.manual_seed: the numbers differ from the tfjs run, the work does not). Each step
reads the loss back (`.item()`), as the tfjs benchmark does with dataSync.

Prints one JSON line: {"torch": version, "threads": n, "ms": [per timed step], "blas": ...}.
"""

import argparse
import json
import time

import torch

BATCH = 1024
LAYERS = [256, 512, 512, 1]


def timed_adam_steps(optimizer: torch.optim.Optimizer, loss_fn, warmup: int, steps: int) -> list[float]:
    """ms of each of `steps` optimizer steps after `warmup` untimed ones; each reads the loss back (.item())."""
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.randn(BATCH, LAYERS[0])
    teacher = torch.randn(LAYERS[0])
    y = (x @ teacher > 0).float().unsqueeze(1)

    layers: list[torch.nn.Module] = []
    for i in range(1, len(LAYERS)):
        linear = torch.nn.Linear(LAYERS[i - 1], LAYERS[i])
        torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 1 < len(LAYERS):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    times = timed_adam_steps(optimizer, lambda: loss_fn(model(x), y), args.warmup, args.steps)
    blas = next((line.strip() for line in torch.__config__.show().splitlines() if "BLAS_INFO" in line), "")
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": times, "blas": blas[:120]}))


if __name__ == "__main__":
    main()
