"""The exported latent model in diffusers' own StableDiffusionPipeline, against the Swift
sampler from the same initial noise.

`lessons export-model --format diffusers DIR` writes the model; here diffusers loads
`DIR/unet` (UNet2DConditionModel.from_pretrained), `DIR/vae` (AutoencoderKL.from_pretrained)
and `DIR/scheduler` (DDIMScheduler.from_pretrained), and StableDiffusionPipeline runs
classifier-free guidance and DDIM with the project's text encoder's embeddings as
`prompt_embeds` (the empty prompt's as `negative_prompt_embeds`) and the given noise as
`latents`, then decodes them with the VAE (latents / scaling_factor) to images in [0, 1]. The
Swift side is `lessons generate --initial-noise` with the same noise, once with the committed
weight files and once with `--model DIR`.
"""
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel

from . import project_parts
from .runner import lessons_binary

SIDE, CROP = 32, 28


def diffusers_images(folder, prompt, noise, guidance, steps):
    """Images [N, 28, 28] in [0, 1] from diffusers' pipeline, as `lessons generate` crops them."""
    folder = Path(folder)
    unet = UNet2DConditionModel.from_pretrained(str(folder / "unet")).eval()
    vae = AutoencoderKL.from_pretrained(str(folder / "vae")).eval()
    scheduler = DDIMScheduler.from_pretrained(str(folder / "scheduler"))
    pipeline = StableDiffusionPipeline(vae=vae, text_encoder=None, tokenizer=None, unet=unet, scheduler=scheduler,
                                       safety_checker=None, feature_extractor=None, image_encoder=None, requires_safety_checker=False)
    pipeline.set_progress_bar_config(disable=True)
    encoder = project_parts.load_text_encoder(folder)
    n = noise.shape[0]
    with torch.no_grad():
        conditional, empty = encoder([prompt] * n), encoder([""] * n)
        images = pipeline(prompt_embeds=conditional, negative_prompt_embeds=empty, guidance_scale=guidance, num_inference_steps=steps,
                          latents=torch.from_numpy(noise), height=SIDE, width=SIDE, eta=0.0, output_type="pt").images
    border = (SIDE - CROP) // 2
    return images[:, 0, border:border + CROP, border:border + CROP].numpy()


def swift_images(prompt, noise_path, guidance, steps, model=None, threads=2):
    """`lessons generate` with --initial-noise (and --model when given): images [N, 28, 28]."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "images.npy"
        command = [lessons_binary(), "generate", prompt, "--n", str(np.load(noise_path).shape[0]), "--guidance", str(guidance),
                   "--sampler", "ddim", "--steps", str(steps), "--initial-noise", str(noise_path), "--out", str(out), "--threads", str(threads)]
        if model:
            command += ["--model", str(model)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("lessons generate failed (%d): %s" % (done.returncode, done.stderr.strip()))
        return np.load(out)


def compare(folder, prompt="ankle boot", n=8, guidance=3.0, steps=20, seed=0):
    """The largest pixel difference (images in [0, 1]) of diffusers' pipeline and of the Swift
    sampler over the folder against the Swift sampler over the committed weight files."""
    noise = np.random.default_rng(seed).standard_normal((n, 4, 8, 8)).astype(np.float32)
    with tempfile.TemporaryDirectory() as scratch:
        noise_path = Path(scratch) / "noise.npy"
        np.save(noise_path, noise)
        reference = swift_images(prompt, noise_path, guidance, steps)
        folder_images = swift_images(prompt, noise_path, guidance, steps, model=folder)
    torch.manual_seed(seed)
    pipeline_images = diffusers_images(folder, prompt, noise, guidance, steps)
    return {"prompt": prompt, "images": n, "guidance": guidance, "steps": steps,
            "swift_folder_vs_files": float(np.abs(folder_images - reference).max()),
            "diffusers_vs_swift": float(np.abs(pipeline_images - reference).max()),
            "pixel_spread": float(reference.std())}
