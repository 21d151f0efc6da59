#!/usr/bin/env python3
"""PyTorch CPU reference for `lessons bench unet`: training throughput of the benchmark U-Net.

The configuration (the same work as the Swift benchmark; 1,613,508 parameters, asserted):

* input: latents 4x8x8, batch 64, a class label per image (0..9), t uniform in 0..999;
* time embedding: sinusoidal(64) (sin then cos, f_i = exp(-ln(10000) i / 32)) -> Linear(64, 256)
  -> SiLU -> Linear(256, 256);
* context: a class embedding Embedding(10, 256) viewed as 4 tokens x 64;
* conv_in 3x3 4 -> 64; channels (64, 128);
* ResBlock(cin, cout) = Conv3x3(SiLU(GN8(x))) + Linear(256, cout)(SiLU(temb)) -> Conv3x3(SiLU(GN8(h)))
  + skip (1x1 conv when cin != cout);
* attention block(C) = GN8 -> 1x1 conv to q, k, v -> 4-head self-attention -> 1x1 proj, residual;
  then LN -> 4-head cross-attention (q = Linear(C, C), k, v = Linear(64, C)) to the context
  -> Linear(C, C), residual;
* encoder: ResBlock(64, 64) + attn(64); stride-2 3x3 conv; ResBlock(64, 128) + attn(128);
* decoder: ResBlock(256, 128) + attn(128) (input concatenated with the level's skip);
  nearest x2 upsample + 3x3 conv; ResBlock(192, 64) + attn(64);
* out: GN8 -> SiLU -> Conv3x3 64 -> 4; loss MSE on eps, Adam lr 1e-3.

One timed step: draw latents x0 ~ N(0, I), t, eps and labels; noise x_t = sqrt(abar) x0 +
sqrt(1 - abar) eps; forward, MSE, zero_grad, backward, Adam step.

Usage: python bench-pytorch-unet.py --threads 1 [--steps 30] [--json]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

N_PARAMS = 1_613_508
BATCH = 64
T = 1000


def sinusoidal(t, dim=64):
    half = dim // 2
    f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.float()[:, None] * f[None]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(256, cout)
        self.n2, self.c2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x))) + self.t(F.silu(temb))[:, :, None, None]
        return self.c2(F.silu(self.n2(h))) + self.skip(x)


def heads(x, n):  # [B, L, C] -> [B, n, L, C/n]
    b, l, c = x.shape
    return x.view(b, l, n, c // n).transpose(1, 2)


def attend(q, k, v, n=4):
    b, l, c = q.shape
    q, k, v = heads(q, n), heads(k, n), heads(v, n)
    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // n), dim=-1)
    return (w @ v).transpose(1, 2).reshape(b, l, c)


class AttnBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm, self.qkv, self.proj = nn.GroupNorm(8, c), nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)
        self.ln, self.q, self.k, self.v, self.o = nn.LayerNorm(c), nn.Linear(c, c), nn.Linear(64, c), nn.Linear(64, c), nn.Linear(c, c)

    def forward(self, x, ctx):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).flatten(2).transpose(1, 2).chunk(3, dim=2)
        x = x + self.proj(attend(q, k, v).transpose(1, 2).reshape(b, c, h, w))
        tokens = x.flatten(2).transpose(1, 2)
        y = self.ln(tokens)
        tokens = tokens + self.o(attend(self.q(y), self.k(ctx), self.v(ctx)))
        return tokens.transpose(1, 2).reshape(b, c, h, w)


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.t1, self.t2 = nn.Linear(64, 256), nn.Linear(256, 256)
        self.classes = nn.Embedding(10, 256)
        self.cin = nn.Conv2d(4, 64, 3, padding=1)
        self.r0, self.a0 = ResBlock(64, 64), AttnBlock(64)
        self.down = nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.r1, self.a1 = ResBlock(64, 128), AttnBlock(128)
        self.u1, self.b1 = ResBlock(256, 128), AttnBlock(128)
        self.up = nn.Conv2d(128, 128, 3, padding=1)
        self.u0, self.b0 = ResBlock(192, 64), AttnBlock(64)
        self.onorm, self.out = nn.GroupNorm(8, 64), nn.Conv2d(64, 4, 3, padding=1)

    def forward(self, x, t, labels):
        temb = self.t2(F.silu(self.t1(sinusoidal(t))))
        ctx = self.classes(labels).view(-1, 4, 64)
        h0 = self.a0(self.r0(self.cin(x), temb), ctx)
        h1 = self.a1(self.r1(self.down(h0), temb), ctx)
        d1 = self.b1(self.u1(torch.cat([h1, h1], 1), temb), ctx)
        d0 = self.up(F.interpolate(d1, scale_factor=2, mode="nearest"))
        d0 = self.b0(self.u0(torch.cat([d0, h0], 1), temb), ctx)
        return self.out(F.silu(self.onorm(d0)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = UNet()
    n = sum(q.numel() for q in model.parameters())
    assert n == N_PARAMS, f"{n} parameters, expected {N_PARAMS}"
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, T, dtype=torch.float64), 0).float()

    def step():
        x0 = torch.randn(BATCH, 4, 8, 8)
        t = torch.randint(0, T, (BATCH,))
        eps = torch.randn_like(x0)
        labels = torch.randint(0, 10, (BATCH,))
        xt = abar[t].sqrt()[:, None, None, None] * x0 + (1 - abar[t]).sqrt()[:, None, None, None] * eps
        loss = F.mse_loss(model(xt, t, labels), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    rate = a.steps * BATCH / seconds
    if a.json:
        print(json.dumps({"trainImagesPerSecond": rate, "threads": a.threads, "parameters": n, "torch": torch.__version__}))
    else:
        print(f"PyTorch {torch.__version__}, {a.threads} thread(s): {rate:.1f} images/s ({a.steps} steps of {BATCH})")


if __name__ == "__main__":
    main()
