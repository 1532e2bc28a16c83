"""A tiny character-level language model: token and position Embeddings, LayerNorm, one
causal self-attention block (F.scaled_dot_product_attention) and a GELU MLP, trained with
AdamW, gradient clipping and a cosine learning-rate schedule; then it writes some text.

Written as a PyTorch script: the lines marked ``# framework`` are the only ones that name
the library (the tests swap them for ``torch`` and compare the losses from the same
initial weights).

    python examples/char_attention.py [--steps 300]
"""

import argparse

import numpy as np

import retrograd as torch  # framework
import retrograd.nn as nn  # framework
import retrograd.nn.functional as F  # framework

TEXT = ("the chain rule multiplies local derivatives along every path from the output back to "
        "each input and adds the paths together. backpropagation does it once for all inputs by "
        "walking the graph backwards and keeping one gradient per node. ") * 4


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, heads, T, C / heads)
        x = x + self.proj(y.permute(0, 2, 1, 3).reshape(B, T, C))
        return x + self.mlp(self.ln2(x))


class CharModel(nn.Module):
    def __init__(self, vocab, block=32, dim=32, heads=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(block, dim)
        self.block = Block(dim, heads)
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(T))
        return self.head(self.ln(self.block(x)))


def batches(data, block, batch, steps, seed):
    """The same (inputs, targets) windows for every framework: drawn with NumPy."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        starts = rng.integers(0, len(data) - block - 1, batch)
        x = np.stack([data[s:s + block] for s in starts])
        y = np.stack([data[s + 1:s + block + 1] for s in starts])
        yield x, y


def generate(model, idx, n, block):
    model.eval()
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor(np.array([idx[-block:]], dtype=np.int64)))
            idx.append(int(logits[0, -1].argmax().item()))
    return idx


def main(argv=None, model=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--block", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--generate", type=int, default=80, help="characters to write after training")
    args = p.parse_args(argv)
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = np.array([stoi[c] for c in TEXT], dtype=np.int64)
    torch.manual_seed(args.seed)
    if model is None:
        model = CharModel(len(chars), args.block)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.steps)
    losses = []
    model.train()
    for step, (x, y) in enumerate(batches(data, args.block, args.batch, args.steps, args.seed)):
        logits = model(torch.tensor(x))
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), torch.tensor(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {loss.item():.4f}  lr {sched.get_last_lr()[0]:.5f}")
    text = ""
    if args.generate:
        out = generate(model, [stoi[c] for c in "the chain rule"], args.generate, args.block)
        text = "".join(chars[i] for i in out)
        print("sample:", text)
    return dict(model=model, losses=losses, text=text)


if __name__ == "__main__":
    main()
