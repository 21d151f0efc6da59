#!/usr/bin/env python3
"""PyTorch CPU reference for the toy swiss-roll DDPM, to compare the Swift implementation against.

What it measures (all on the CPU, float32, with torch.set_num_threads(N)):

* Model: [x, y, temb(t)] (66 features) -> Linear 128 -> SiLU -> Linear 128 -> SiLU
  -> Linear 128 -> SiLU -> Linear 2 (41,858 parameters, asserted).
  temb(t)[i] = sin(t f_i), temb(t)[32+i] = cos(t f_i), f_i = exp(-ln(10000) i / 32),
  i = 0..31, t the integer step index 0..999 (looked up in a precomputed 1000x64 table).
* DDPM, T = 1000, linear beta 1e-4..0.02 (torch.linspace in float64, then float32; alpha-bar
  is the float64 cumulative product, then float32). Model index t = 0..999 is diffusion
  step t+1 and alpha-bar index t. epsilon-prediction, loss MSE(eps_theta(x_t, t), eps),
  Adam lr 1e-3, batch 256 drawn uniformly with replacement from 10,000 swiss-roll
  training points, t uniform in 0..999 per example.
* Swiss roll: u ~ U(1.5 pi, 4.5 pi), point (u cos u, u sin u) / 10 + N(0, 0.05^2 I).
* Training throughput: steps/s over --train-steps steps after --warmup warm-up steps. One
  timed step = drawing the batch indices, t and eps, gathering the data points, noising,
  building the 66-feature input, forward, MSE, zero_grad, backward, Adam step and an EMA
  update (decay 0.999, torch._foreach_lerp_ over the parameters, as torch.optim.swa_utils does).
* Sampling: --sample-points points x 1000 DDPM ancestral steps under torch.no_grad():
  x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps_theta) / sqrt(alpha_t) + sigma_t z,
  sigma_t^2 = beta_t, no noise added at the last step (t = 1). Timed: drawing x_T and every
  z, building the inputs, the forward passes and the update; seconds for the whole run.
* Quality (--quality): train --quality-steps steps from scratch with EMA 0.999, sample
  --sample-points points with the EMA weights (1000 steps) at each --eval-at step count, and
  give the sliced Wasserstein-2 distance to 10,000 fresh swiss-roll points:
  sqrt(mean over 256 random unit directions of the mean squared difference of the sorted
  projections). The floor is the same distance between two independent 10k data samples.
  The quality training wall time excludes the evaluation sampling.

Usage (the venv with torch lives outside the repository):
  python bench-pytorch.py --threads 1
  python bench-pytorch.py --threads 2 --json
  python bench-pytorch.py --threads 2 --quality --skip-train-bench --skip-sample-bench
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

T = 1000
EMB_HALF = 32
HIDDEN = 128
N_PARAMS = 41_858
BATCH = 256
N_TRAIN = 10_000
LR = 1e-3
EMA_DECAY = 0.999
N_DIRECTIONS = 256

INCLUDED_TRAIN = (
    "batch draw (indices, t, eps), gather, noising, 66-feature input, forward, MSE, "
    "zero_grad, backward, Adam step, EMA update (decay 0.999)"
)
INCLUDED_SAMPLE = (
    "x_T and every z draw, input build (cat with temb row), forward under no_grad, "
    "ancestral update; 1000 steps, no noise at the last step"
)


def log(msg, out):
    print(msg, file=out, flush=True)


class OtherLoad:
    """Average number of cores that OTHER processes kept busy while a section ran.

    From /proc/stat (all busy jiffies on the machine) minus this process's own CPU time
    (os.times). Linux only; None elsewhere. Sharper than the load average, which lags by
    a minute and counts runnable tasks rather than CPU used.
    """

    def __init__(self):
        self.start = self._snap()
        t = os.times()
        self.start_own = t.user + t.system

    @staticmethod
    def _snap():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return None
        busy = sum(v[:8]) - v[3] - v[4]  # user nice system idle iowait irq softirq steal
        own = os.times()
        return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system

    def own_cpu_seconds(self):
        """CPU time (user + system, all threads) this process used since the start."""
        t = os.times()
        return t.user + t.system - self.start_own

    def cores(self):
        end = self._snap()
        if self.start is None or end is None:
            return None
        wall = end[0] - self.start[0]
        return max(0.0, (end[1] - self.start[1]) - (end[2] - self.start[2])) / wall if wall > 0 else None


def fmt_other(c):
    return "n/a" if c is None else f"{c:.2f} cores"


def swiss_roll(n, gen):
    u = 1.5 * math.pi + 3.0 * math.pi * torch.rand(n, generator=gen)
    pts = torch.stack([u * torch.cos(u), u * torch.sin(u)], dim=1) / 10.0
    return pts + 0.05 * torch.randn(n, 2, generator=gen)


def time_embedding_table():
    i = torch.arange(EMB_HALF, dtype=torch.float64)
    f = torch.exp(-math.log(10000.0) * i / EMB_HALF)
    t = torch.arange(T, dtype=torch.float64)[:, None]
    return torch.cat([torch.sin(t * f), torch.cos(t * f)], dim=1).float()  # [1000, 64]


class Schedule:
    def __init__(self):
        beta64 = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
        alpha64 = 1.0 - beta64
        abar64 = torch.cumprod(alpha64, dim=0)
        self.beta = beta64.float()
        self.alpha = alpha64.float()
        self.abar = abar64.float()
        self.sqrt_abar = abar64.sqrt().float()
        self.sqrt_one_minus_abar = (1.0 - abar64).sqrt().float()
        # Python floats for the sampler's per-step scalars (from float32 values).
        b, a, ab = self.beta.double(), self.alpha.double(), self.abar.double()
        self.eps_coef = (b / (1.0 - ab).sqrt()).tolist()
        self.inv_sqrt_alpha = (1.0 / a.sqrt()).tolist()
        self.sigma = b.sqrt().tolist()


def make_model():
    model = nn.Sequential(
        nn.Linear(2 + 2 * EMB_HALF, HIDDEN), nn.SiLU(),
        nn.Linear(HIDDEN, HIDDEN), nn.SiLU(),
        nn.Linear(HIDDEN, HIDDEN), nn.SiLU(),
        nn.Linear(HIDDEN, 2),
    )
    n = sum(p.numel() for p in model.parameters())
    assert n == N_PARAMS, f"model has {n} parameters, expected {N_PARAMS}"
    return model


def make_adam(params, variant):
    if variant == "default":
        return torch.optim.Adam(params, lr=LR)
    if variant == "foreach":
        return torch.optim.Adam(params, lr=LR, foreach=True)
    if variant == "fused":
        return torch.optim.Adam(params, lr=LR, fused=True)
    raise ValueError(variant)


class Trainer:
    def __init__(self, data, temb, sched, gen, adam="default"):
        self.data, self.temb, self.sched, self.gen = data, temb, sched, gen
        self.model = make_model()
        self.ema = make_model()
        self.ema.load_state_dict(self.model.state_dict())
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.params = list(self.model.parameters())
        self.ema_params = list(self.ema.parameters())
        self.opt = make_adam(self.params, adam)

    def step(self):
        g = self.gen
        idx = torch.randint(0, N_TRAIN, (BATCH,), generator=g)
        t = torch.randint(0, T, (BATCH,), generator=g)
        eps = torch.randn(BATCH, 2, generator=g)
        x0 = self.data[idx]
        xt = self.sched.sqrt_abar[t, None] * x0 + self.sched.sqrt_one_minus_abar[t, None] * eps
        inp = torch.cat([xt, self.temb[t]], dim=1)
        loss = F.mse_loss(self.model(inp), eps)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(self.ema_params, self.params, 1.0 - EMA_DECAY)
        return loss


@torch.no_grad()
def sample(model, n, temb, sched, gen):
    x = torch.randn(n, 2, generator=gen)
    for t in range(T - 1, -1, -1):
        inp = torch.cat([x, temb[t].expand(n, -1)], dim=1)
        eps = model(inp)
        x = (x - sched.eps_coef[t] * eps) * sched.inv_sqrt_alpha[t]
        if t > 0:
            x = x + sched.sigma[t] * torch.randn(n, 2, generator=gen)
    return x


def sliced_w2(a, b, directions):
    pa = torch.sort(a.double() @ directions.T, dim=0).values
    pb = torch.sort(b.double() @ directions.T, dim=0).values
    return math.sqrt(((pa - pb) ** 2).mean(dim=0).mean().item())


def random_directions(gen):
    d = torch.randn(N_DIRECTIONS, 2, generator=gen, dtype=torch.float64)
    return d / d.norm(dim=1, keepdim=True)


def bench_train(args, data, temb, sched, adam, out):
    gen = torch.Generator().manual_seed(args.seed + 1)
    torch.manual_seed(args.seed + 1)
    tr = Trainer(data, temb, sched, gen, adam)
    for _ in range(args.warmup):
        tr.step()
    chunk = max(1, args.train_steps // 6)
    chunk_rates = []
    losses = []
    other = OtherLoad()
    start = time.perf_counter()
    last, done = start, 0
    while done < args.train_steps:
        k = min(chunk, args.train_steps - done)
        for _ in range(k):
            loss = tr.step()
        losses.append(loss.item())  # one sync per chunk; eager CPU is synchronous anyway
        now = time.perf_counter()
        chunk_rates.append(k / (now - last))
        last, done = now, done + k
    total = time.perf_counter() - start
    oc = other.cores()
    cpu = other.own_cpu_seconds()
    rate = args.train_steps / total
    log(f"  train [{adam} Adam]: {rate:8.1f} steps/s  ({1e3 / rate:.3f} ms/step; "
        f"{args.train_steps} steps after {args.warmup} warm-up in {total:.2f} s; "
        f"chunks of {chunk}: min {min(chunk_rates):.1f}, max {max(chunk_rates):.1f} steps/s; "
        f"other processes used {fmt_other(oc)}; this process used {cpu:.2f} CPU s = "
        f"{args.train_steps / cpu:.1f} steps per CPU s)", out)
    return tr, {"stepsPerSecond": rate, "seconds": total, "chunkStepsPerSecondMin": min(chunk_rates),
                "chunkStepsPerSecondMax": max(chunk_rates), "otherProcessesCores": oc, "cpuSeconds": cpu}


def bench_sample(args, model, temb, sched, out):
    gen = torch.Generator().manual_seed(args.seed + 2)
    # Short warm-up so one-time allocations are not timed.
    with torch.no_grad():
        for _ in range(5):
            model(torch.cat([torch.randn(args.sample_points, 2), temb[0].expand(args.sample_points, -1)], 1))
    other = OtherLoad()
    start = time.perf_counter()
    x = sample(model, args.sample_points, temb, sched, gen)
    secs = time.perf_counter() - start
    oc = other.cores()
    cpu = other.own_cpu_seconds()
    assert torch.isfinite(x).all()
    log(f"  sample: {secs:8.2f} s for {args.sample_points} points x {T} steps "
        f"({secs / T * 1e3:.2f} ms/step; other processes used {fmt_other(oc)}; "
        f"this process used {cpu:.2f} CPU s)", out)
    return secs, oc, cpu


def quality(args, data, temb, sched, out):
    eval_at = sorted({int(s) for s in args.eval_at.split(",") if s} | {args.quality_steps})
    eval_at = [s for s in eval_at if 0 < s <= args.quality_steps]
    gen = torch.Generator().manual_seed(args.seed + 3)
    torch.manual_seed(args.seed + 3)
    tr = Trainer(data, temb, sched, gen, args.adam)
    dgen = torch.Generator().manual_seed(args.seed + 4)
    reference = swiss_roll(args.sample_points, dgen)
    other = swiss_roll(args.sample_points, dgen)
    directions = random_directions(dgen)
    floor = sliced_w2(reference, other, directions)
    floor_train = sliced_w2(reference, data, directions) if len(reference) == len(data) else None
    sgen = torch.Generator().manual_seed(args.seed + 5)
    log(f"  quality: training {args.quality_steps} steps, {args.adam} Adam, EMA {EMA_DECAY}, "
        f"{torch.get_num_threads()} thread(s); SW2 floor (two fresh 10k data samples) = {floor:.5f}"
        + (f" (reference vs training set: {floor_train:.5f})" if floor_train is not None else ""), out)
    evals = []
    train_secs = 0.0
    train_cpu = 0.0
    done = 0
    loss_acc, loss_n = 0.0, 0
    other = OtherLoad()
    for target in eval_at:
        start = time.perf_counter()
        c0 = other.own_cpu_seconds()
        while done < target:
            loss = tr.step()
            done += 1
            if done > target - 1000:
                loss_acc += loss.item()
                loss_n += 1
        train_secs += time.perf_counter() - start
        train_cpu += other.own_cpu_seconds() - c0
        mean_loss = loss_acc / max(loss_n, 1)
        loss_acc, loss_n = 0.0, 0
        s0 = time.perf_counter()
        x_ema = sample(tr.ema, args.sample_points, temb, sched, sgen)
        s_secs = time.perf_counter() - s0
        sw_ema = sliced_w2(x_ema, reference, directions)
        entry = {"step": target, "sw2Ema": sw_ema, "meanLossLast1000": mean_loss,
                 "trainSecondsSoFar": train_secs, "sampleSeconds": s_secs}
        if args.eval_raw:
            x_raw = sample(tr.model, args.sample_points, temb, sched, sgen)
            entry["sw2Raw"] = sliced_w2(x_raw, reference, directions)
        evals.append(entry)
        raw = f", raw weights {entry['sw2Raw']:.5f}" if "sw2Raw" in entry else ""
        log(f"    step {target:6d}: SW2(EMA) = {sw_ema:.5f}{raw}; mean loss (last 1000) = {mean_loss:.5f}; "
            f"train wall so far {train_secs:.1f} s; sampling took {s_secs:.1f} s", out)
    if args.save_samples:
        torch.save({"ema_samples": x_ema, "reference": reference}, args.save_samples)
    return {"threads": torch.get_num_threads(), "adam": args.adam, "steps": args.quality_steps,
            "trainSeconds": train_secs, "trainCpuSeconds": train_cpu,
            "otherProcessesCoresWholeRun": other.cores(), "sw2Ema": evals[-1]["sw2Ema"], "sw2Floor": floor,
            "sw2ReferenceVsTrainingSet": floor_train, "evaluations": evals}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads(N) (default 1)")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object on stdout (the human summary goes to stderr)")
    ap.add_argument("--train-steps", type=int, default=3000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--sample-points", type=int, default=10_000)
    ap.add_argument("--adam", choices=["default", "foreach", "fused"], default="default",
                    help="Adam implementation for the headline figure and quality run "
                         "(default: torch's choice, which on CPU is the per-tensor for-loop)")
    ap.add_argument("--compare-adam", action="store_true",
                    help="also time training with the other Adam implementations")
    ap.add_argument("--skip-train-bench", action="store_true")
    ap.add_argument("--skip-sample-bench", action="store_true")
    ap.add_argument("--quality", action="store_true", help="run the (long) quality measurement")
    ap.add_argument("--quality-steps", type=int, default=20_000)
    ap.add_argument("--eval-at", default="5000,10000,20000",
                    help="comma-separated step counts at which to sample and compute SW2")
    ap.add_argument("--eval-raw", action="store_true", help="also sample with the raw (non-EMA) weights")
    ap.add_argument("--save-samples", default="", help="torch.save the final EMA samples here")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    out = sys.stderr if args.json else sys.stdout
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    load = os.getloadavg()

    log(f"PyTorch {torch.__version__} CPU reference, {args.threads} thread(s); "
        f"python {platform.python_version()}; CPU capability {torch.backends.cpu.get_cpu_capability()}; "
        f"MKL {torch.backends.mkl.is_available()}, oneDNN {torch.backends.mkldnn.is_available()}; "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", out)

    dgen = torch.Generator().manual_seed(args.seed)
    data = swiss_roll(N_TRAIN, dgen)
    temb = time_embedding_table()
    sched = Schedule()

    result = {"torch": torch.__version__, "threads": args.threads,
              "cpuCapability": torch.backends.cpu.get_cpu_capability(),
              "mkl": torch.backends.mkl.is_available(), "mkldnn": torch.backends.mkldnn.is_available(),
              "loadAverageAtStart": list(load), "parameters": N_PARAMS, "batch": BATCH, "adam": args.adam}

    model_for_sampling = None
    if not args.skip_train_bench:
        result["trainIncludes"] = INCLUDED_TRAIN
        tr, r = bench_train(args, data, temb, sched, args.adam, out)
        model_for_sampling = tr.model
        result["trainStepsPerSecond"] = r["stepsPerSecond"]
        result["trainMillisecondsPerStep"] = 1e3 / r["stepsPerSecond"]
        result["trainSteps"], result["trainWarmupSteps"] = args.train_steps, args.warmup
        result["trainChunkStepsPerSecondMin"] = r["chunkStepsPerSecondMin"]
        result["trainChunkStepsPerSecondMax"] = r["chunkStepsPerSecondMax"]
        result["trainOtherProcessesCores"] = r["otherProcessesCores"]
        result["trainCpuSeconds"] = r["cpuSeconds"]
        if args.compare_adam:
            by = {args.adam: r["stepsPerSecond"]}
            for v in ["default", "foreach", "fused"]:
                if v != args.adam:
                    by[v] = bench_train(args, data, temb, sched, v, out)[1]["stepsPerSecond"]
            result["trainStepsPerSecondByAdam"] = by

    if not args.skip_sample_bench:
        if model_for_sampling is None:
            model_for_sampling = make_model()
        result["sampleIncludes"] = INCLUDED_SAMPLE
        result["samplePoints"] = args.sample_points
        result["sampleSeconds"], result["sampleOtherProcessesCores"], result["sampleCpuSeconds"] = bench_sample(
            args, model_for_sampling, temb, sched, out)

    if args.quality:
        result["quality"] = quality(args, data, temb, sched, out)

    result["loadAverageAtEnd"] = list(os.getloadavg())
    log(f"  load average at end {result['loadAverageAtEnd'][0]:.2f} {result['loadAverageAtEnd'][1]:.2f} "
        f"{result['loadAverageAtEnd'][2]:.2f}", out)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
