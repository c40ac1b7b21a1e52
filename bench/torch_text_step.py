"""PyTorch reference for bench/text-step.ts: the text train steps on the CPU.

    python3 bench/torch_text_step.py --size l --step mlm --threads 1 --warmup 2 --steps 8

The model of libs/models/src/families/text.ts (TEXT_LADDER l: 1 layer, xl: 2 layers; vocabulary
4000, width 64, 4 heads, chunks of 64 tokens): token + position embeddings, pre-LN blocks
(layer norm, fused qkv projection, scaled dot-product attention with a key-padding mask, output
projection, residual; layer norm, 64 → 128 GELU (x·σ(1.702x)) → 64, residual), final layer norm.
  mlm:      32 sequences of 64 tokens, 15 % of positions masked, logits over the vocabulary at
            the masked positions only (PyTorch indexes them), cross-entropy, Adam lr 2e-3.
  cbow:     text-m's bag step: 128 windows of 8 context words, mean embedding (EmbeddingBag),
            64 ReLU, vocabulary logits, cross-entropy, Adam lr 3e-3.
  finetune: 16 documents of 40–256 tokens (lengths as in text-step.ts), cut into chunks of 64,
            mean of the final hidden states over each document's tokens, linear 2-class head,
            cross-entropy, Adam lr 5e-4.
Each step reads the loss back (`.item()`), as the tfjs benchmark does.

Prints one JSON line: {"torch": version, "threads": n, "ms": [per timed step]}.
"""

import argparse
import json
import math

import torch
import torch.nn.functional as F
from torch_step import timed_adam_steps  # bench/ is on sys.path: it holds this script

LADDER = {"m": 0, "l": 1, "xl": 2}  # transformer layers; m is the CBOW bag encoder
VOCAB, DIM, HEADS, SEQ = 4000, 64, 4, 64
MLM_BATCH, FINETUNE_BATCH, CLASSES, MASK_PROB, MASK = 32, 16, 2, 0.15, 2
CBOW_BATCH, CBOW_CONTEXT = 128, 8


def gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


class Block(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(DIM)
        self.qkv = torch.nn.Linear(DIM, 3 * DIM)
        self.proj = torch.nn.Linear(DIM, DIM)
        self.ln2 = torch.nn.LayerNorm(DIM)
        self.ff1 = torch.nn.Linear(DIM, 2 * DIM)
        self.ff2 = torch.nn.Linear(2 * DIM, DIM)

    def forward(self, h: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        b, t, d = h.shape
        hd = d // HEADS
        q, k, v = self.qkv(self.ln1(h)).split(d, dim=-1)
        split = lambda x: x.view(b, t, HEADS, hd).transpose(1, 2)  # noqa: E731
        scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(hd) + key_bias
        ctx = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(b, t, d)
        h = h + self.proj(ctx)
        return h + self.ff2(gelu(self.ff1(self.ln2(h))))


class Encoder(torch.nn.Module):
    def __init__(self, layers: int) -> None:
        super().__init__()
        self.emb = torch.nn.Embedding(VOCAB, DIM)
        self.pos = torch.nn.Parameter(torch.randn(SEQ, DIM) * 0.02)
        torch.nn.init.normal_(self.emb.weight, std=0.02)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(layers))
        self.lnf = torch.nn.LayerNorm(DIM)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.emb(ids) + self.pos
        key_bias = ((1 - mask) * -1e9)[:, None, None, :]
        for block in self.blocks:
            h = block(h, key_bias)
        return self.lnf(h)


def mlm_step_fn(layers: int):
    encoder = Encoder(layers)
    out = torch.nn.Linear(DIM, VOCAB)
    ids = torch.randint(4, VOCAB, (MLM_BATCH, SEQ))
    mask = torch.ones(MLM_BATCH, SEQ)
    params = [*encoder.parameters(), *out.parameters()]

    def loss() -> torch.Tensor:
        masked = (torch.rand(MLM_BATCH * SEQ) < MASK_PROB).nonzero().squeeze(1)
        inputs = ids.flatten().clone()
        inputs[masked] = MASK
        hidden = encoder(inputs.view(MLM_BATCH, SEQ), mask).reshape(-1, DIM)
        return F.cross_entropy(out(hidden[masked]), ids.flatten()[masked])

    return params, loss, 2e-3


def finetune_step_fn(layers: int):
    encoder = Encoder(layers)
    head = torch.nn.Linear(DIM, CLASSES)
    lengths = [40 + (i * 61) % 217 for i in range(FINETUNE_BATCH)]
    chunks, owner = [], []
    for doc, n in enumerate(lengths):
        tokens = torch.randint(4, VOCAB, (n,))
        for s in range(0, n, SEQ):
            chunks.append(tokens[s : s + SEQ])
            owner.append(doc)
    ids = torch.zeros(len(chunks), SEQ, dtype=torch.long)
    mask = torch.zeros(len(chunks), SEQ)
    for j, c in enumerate(chunks):
        ids[j, : len(c)] = c
        mask[j, : len(c)] = 1
    average = torch.zeros(FINETUNE_BATCH, len(chunks))
    for j, doc in enumerate(owner):
        average[doc, j] = 1 / lengths[doc]
    labels = torch.arange(FINETUNE_BATCH) % CLASSES
    params = [*encoder.parameters(), *head.parameters()]

    def loss() -> torch.Tensor:
        chunk_sums = (encoder(ids, mask) * mask[:, :, None]).sum(1)
        return F.cross_entropy(head(average @ chunk_sums), labels)

    return params, loss, 5e-4


def cbow_step_fn(_layers: int):
    """text-m: mean embedding of 8 context words → 64 ReLU → vocabulary logits (EmbeddingBag, as PyTorch does it)."""
    bag = torch.nn.EmbeddingBag(VOCAB, DIM, mode="mean")
    torch.nn.init.normal_(bag.weight, std=0.1)
    fc = torch.nn.Linear(DIM, DIM)
    out = torch.nn.Linear(DIM, VOCAB)
    contexts = torch.randint(4, VOCAB, (CBOW_BATCH, CBOW_CONTEXT))
    centres = torch.randint(4, VOCAB, (CBOW_BATCH,))
    params = [*bag.parameters(), *fc.parameters(), *out.parameters()]

    def loss() -> torch.Tensor:
        return F.cross_entropy(out(torch.relu(fc(bag(contexts)))), centres)

    return params, loss, 3e-3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=LADDER, required=True)
    parser.add_argument("--step", choices=["mlm", "finetune", "cbow"], required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    make = {"mlm": mlm_step_fn, "finetune": finetune_step_fn, "cbow": cbow_step_fn}[args.step]
    params, loss_fn, lr = make(LADDER[args.size])
    times = timed_adam_steps(torch.optim.Adam(params, lr=lr), loss_fn, args.warmup, args.steps)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": times}))


if __name__ == "__main__":
    main()
