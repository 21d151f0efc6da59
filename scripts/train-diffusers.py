#!/usr/bin/env python3
"""Train the latent model's U-Net and text encoder with diffusers and accelerate.

The same data, objective, schedule and conditioning as `lessons train latent unet`:
Fashion-MNIST padded to 32 × 32 in [−1, 1]; latents z₀ = f·(μ + σ ⊙ ε′) drawn from the
project's frozen autoencoder (`vae/`, an AutoencoderKL) and scaled by its scale factor f;
t ~ U{0 … T−1}; ε ~ N(0, I); z_t from the scheduler's ᾱ; the class name as the prompt, the empty prompt with probability
0.1 (classifier-free guidance); L = ‖ε − ε_θ(z_t, t, c)‖²; Adam; an exponential moving average
of the weights is what gets saved.

It starts from a model folder written by `lessons export-model --format diffusers` (the
autoencoder, the text encoder, the scheduler and the U-Net's config come from there; the U-Net
and text encoder are trained further, or from a fresh initialization with --from-scratch) and
writes a folder of the same layout that Swift reads back:

    lessons export-model --format diffusers --out fashion
    accelerate launch scripts/train-diffusers.py --init fashion --out trained --epochs 1
    lessons eval latent --model trained
    lessons verify --config trained/scheduler/scheduler_config.json

On one machine with several GPUs, `accelerate launch --multi_gpu --num_processes 4 …`; on
several machines, `accelerate config` first. On CPUs, `accelerate launch --multi_gpu
--num_processes 2 …` runs two processes that average their gradients over gloo (each process
takes its own share of every epoch; --batch is per process).
"""
import argparse
import gzip
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from diffusers_parity import project_parts  # noqa: E402

CLASS_NAMES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]


def read_idx(path):
    """An IDX array of unsigned bytes (the Fashion-MNIST .gz files)."""
    data = gzip.open(path).read()
    if data[:2] != b"\0\0" or data[2] != 8:
        raise ValueError("%s is not an IDX file of unsigned bytes" % path)
    dimensions = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dimensions)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def fashion(folder, limit):
    """The first `limit` training images [N, 1, 32, 32] in [−1, 1] (padding −1) and labels."""
    images = read_idx(Path(folder) / "train-images-idx3-ubyte.gz")[:limit]
    labels = read_idx(Path(folder) / "train-labels-idx1-ubyte.gz")[:limit]
    padded = np.full((len(images), 1, 32, 32), -1, dtype=np.float32)
    padded[:, 0, 2:30, 2:30] = images / 127.5 - 1
    return torch.from_numpy(padded), torch.from_numpy(labels.astype(np.int64))


class Denoiser(torch.nn.Module):
    """ε_θ(z_t, t, prompts): the text encoder and the U-Net as one module, so that the
    distributed wrapper sees (and synchronizes) both."""

    def __init__(self, unet, text):
        super().__init__()
        self.unet, self.text = unet, text

    def forward(self, latents, timesteps, prompts):
        return self.unet(latents, timesteps, encoder_hidden_states=self.text(prompts)).sample


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--init", required=True, help="a model folder from `lessons export-model --format diffusers`")
    parser.add_argument("--out", required=True, help="the folder to write (must not exist)")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="the Fashion-MNIST .gz files")
    parser.add_argument("--examples", type=int, default=60000, help="train on the first N images (1…60000)")
    parser.add_argument("--epochs", type=float, default=1, help="passes over the examples (fractions allowed)")
    parser.add_argument("--steps", type=int, help="optimizer steps instead of --epochs")
    parser.add_argument("--batch", type=int, default=64, help="images per process per step")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--ema", type=float, default=0.999, help="EMA decay of the saved weights (0: save the raw weights)")
    parser.add_argument("--drop-prompt", type=float, default=0.1, help="probability of the empty prompt")
    parser.add_argument("--from-scratch", action="store_true", help="initialize the U-Net and text encoder afresh (PyTorch defaults)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    problems = []
    missing = [part for part in ("unet", "vae") if not (Path(args.init) / part / "config.json").exists()]
    if missing:
        problems.append("--init %s has no %s: write it with `lessons export-model --format diffusers --out DIR`"
                        % (args.init, " or ".join(part + "/config.json" for part in missing)))
    if Path(args.out).exists():
        problems.append("--out %s exists; choose a new folder (nothing is overwritten)" % args.out)
    if not 1 <= args.examples <= 60000:
        problems.append("--examples must be in 1…60000 (got %d)" % args.examples)
    if args.batch < 1 or (args.steps is not None and args.steps < 1) or args.epochs <= 0 or args.lr <= 0:
        problems.append("--batch, --steps, --epochs and --lr must be positive")
    if not 0 <= args.ema < 1 or not 0 <= args.drop_prompt <= 1:
        problems.append("--ema must be in [0, 1) and --drop-prompt in [0, 1]")
    if problems:
        parser.error("; ".join(problems))
    return args


def main(argv=None):
    args = arguments(argv)
    accelerator = Accelerator(cpu=not torch.cuda.is_available())
    say = accelerator.print
    torch.manual_seed(args.seed)
    init = Path(args.init)
    vae = AutoencoderKL.from_pretrained(str(init / "vae")).eval()
    scale = vae.config.scaling_factor
    unet = UNet2DConditionModel.from_pretrained(str(init / "unet"))
    text = project_parts.load_text_encoder(init)
    if args.from_scratch:
        unet = UNet2DConditionModel.from_config(unet.config)
        text = project_parts.ProjectTextEncoder(json.loads((init / "text_encoder" / "config.json").read_text()))
    scheduler = DDPMScheduler.from_pretrained(str(init / "scheduler"))
    if scheduler.config.prediction_type != "epsilon":
        raise SystemExit("the scheduler predicts %s; this objective is ε" % scheduler.config.prediction_type)

    images, labels = fashion(args.data, args.examples)
    began = time.perf_counter()
    with torch.no_grad():
        posteriors = [vae.encode(images[k:k + 500]).latent_dist for k in range(0, len(images), 500)]
    mean = torch.cat([q.mean for q in posteriors])
    deviation = torch.cat([q.std for q in posteriors])
    say("encoded %d images in %.1f s; scale factor %g" % (len(images), time.perf_counter() - began, scale))

    model = Denoiser(unet.train(), text.train())
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(len(images))), batch_size=args.batch,
                                         shuffle=True, drop_last=len(images) >= args.batch * accelerator.num_processes)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    steps = args.steps or max(1, math.ceil(args.epochs * len(loader)))
    average = [p.detach().clone() for p in accelerator.unwrap_model(model).parameters()]
    generator = torch.Generator().manual_seed(args.seed * 1000 + accelerator.process_index)
    say("%d process(es) (%s), %d images per step, %d steps" % (accelerator.num_processes, accelerator.distributed_type,
                                                                args.batch * accelerator.num_processes, steps))
    step, began = 0, time.perf_counter()
    while step < steps:
        for (indices,) in loader:
            z0 = scale * (mean[indices] + deviation[indices] * torch.randn(mean[indices].shape, generator=generator))
            noise = torch.randn(z0.shape, generator=generator)
            t = torch.randint(0, scheduler.config.num_train_timesteps, (len(indices),), generator=generator)
            zt = scheduler.add_noise(z0, noise, t)
            dropped = torch.rand(len(indices), generator=generator) < args.drop_prompt
            prompts = ["" if drop else CLASS_NAMES[int(label)] for drop, label in zip(dropped, labels[indices])]
            loss = torch.nn.functional.mse_loss(model(zt, t, prompts), noise)
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
            with torch.no_grad():
                for kept, live in zip(average, accelerator.unwrap_model(model).parameters()):
                    kept.mul_(args.ema).add_(live.detach(), alpha=1 - args.ema)
            step += 1
            if step % 10 == 0 or step == steps:
                rate = step * args.batch * accelerator.num_processes / (time.perf_counter() - began)
                say("step %d/%d  loss %.4f  %.0f images/s  ETA %.0f s" % (step, steps, loss.item(), rate,
                                                                         (steps - step) * args.batch * accelerator.num_processes / rate), flush=True)
            if step == steps:
                break

    accelerator.wait_for_everyone()
    trained = accelerator.unwrap_model(model)
    check = sum(float(p.detach().double().sum()) for p in trained.parameters())
    # One write of the whole line: the processes share stdout, and print's separate write of
    # the newline let two lines run together.
    sys.stdout.write("process %d: weight checksum %.10e\n" % (accelerator.process_index, check))
    sys.stdout.flush()
    if accelerator.is_main_process:
        with torch.no_grad():
            for kept, live in zip(average, trained.parameters()):
                live.copy_(kept)
        out = Path(args.out)
        staging = out.with_name("." + out.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(init / "vae", staging / "vae")
        shutil.copytree(init / "scheduler", staging / "scheduler")
        trained.unet.save_pretrained(str(staging / "unet"), safe_serialization=True)
        (staging / "text_encoder").mkdir()
        shutil.copy(init / "text_encoder" / "config.json", staging / "text_encoder" / "config.json")
        save_file({k: v.contiguous() for k, v in trained.text.state_dict().items()}, str(staging / "text_encoder" / "model.safetensors"))
        staging.rename(out)
        say("wrote %s (unet/, text_encoder/, scheduler/, vae/); read it back with `lessons eval latent --model %s`" % (out, out))
    accelerator.end_training()


if __name__ == "__main__":
    main()
