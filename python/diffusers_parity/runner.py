"""One parity run: build with diffusers, evaluate in Float32 and Float64, run Swift, compare."""
import os
import subprocess
import time
from pathlib import Path

import torch

from . import compare, configs, reference


class SwiftFailed(RuntimeError):
    """`lessons forward` exited non-zero; the message is its stderr."""

    def __init__(self, status, message):
        super().__init__("lessons forward failed (%d): %s" % (status, message))
        self.status = status
        self.message = message


def lessons_binary():
    """$LESSONS, else the checkout's .build/release/lessons."""
    explicit = os.environ.get("LESSONS")
    if explicit:
        return explicit
    return str(Path(__file__).resolve().parents[2] / ".build" / "release" / "lessons")


def prepare(preset, folder, seed=0, threads=2, float32=True):
    """The preset's model and inputs saved under ``folder`` (the model in ``folder/unet``,
    whatever its class), and diffusers' module outputs in Float32 and Float64:
    (exact, float32, torch Float32 seconds). With ``float32=False`` only the Float64
    reference is evaluated, (exact, None, None): the verdicts need only it, and PyTorch's own
    Float32 error is context for a reader (``python -m diffusers_parity run`` prints it)."""
    folder = Path(folder)
    torch.set_num_threads(threads)
    if preset in configs.AUTOENCODERS:
        config, side, batch = configs.AUTOENCODERS[preset]
        model = reference.build_autoencoder(config, seed)
        given = reference.autoencoder_inputs(model, side, batch, seed + 1)
        reference.save_autoencoder(model, given, folder)
        evaluate = reference.autoencoder_outputs
    else:
        config, side, batch, tokens = configs.PRESETS[preset]
        model = reference.build(config, seed)
        given = reference.inputs(model, side, batch, tokens, seed + 1)
        reference.save(model, given, folder)
        evaluate = reference.module_outputs
    if not float32:
        return evaluate(model, given, torch.float64), None, None
    began = time.perf_counter()
    single = evaluate(model, given, torch.float32)
    seconds = time.perf_counter() - began
    return evaluate(model, given, torch.float64), single, seconds


def swift(folder, threads=2, model=None):
    """Runs `lessons forward --blocks` on the saved model (or ``model``, another folder) and
    inputs; returns its stdout. Raises SwiftFailed."""
    folder = Path(folder)
    command = [lessons_binary(), "forward", "--model", str(model or folder / "unet"), "--inputs", str(folder / "inputs.safetensors"),
               "--out", str(folder / "swift.safetensors"), "--blocks", "--threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SwiftFailed(done.returncode, done.stderr.strip())
    return done.stdout.strip()


def run(preset, folder, threads=2, seed=0):
    """Prepare, run Swift, compare: (rows, timings)."""
    exact, float32, torch_seconds = prepare(preset, folder, seed, threads)
    output = swift(folder, threads)
    rows = compare.compare(Path(folder) / "swift.safetensors", exact, float32)
    return rows, {"torch_float32_forward_seconds": torch_seconds, "swift": output}
