"""One parity run: build with diffusers, evaluate in Float32 and Float64, run Swift, compare."""
import os
import shutil
import subprocess
import sys
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


class BinaryMissing(RuntimeError):
    """No `lessons` binary to run the Swift side with; the message says how to get one."""


def _executable(path):
    return Path(path).is_file() and os.access(path, os.X_OK)


def lessons_binary():
    """$LESSONS; else .build/release/lessons of the checkout: the one this source file lies in
    (run from python/), or the one whose .venv runs it (the package as scripts/setup installs
    it); else `lessons` on PATH."""
    explicit = os.environ.get("LESSONS")
    if explicit:
        if not _executable(explicit):
            raise BinaryMissing(f"LESSONS={explicit} is not an executable file; build the binary with `swift build -c release`, "
                                "or point LESSONS at .build/release/lessons")
        return explicit
    for checkout in (Path(__file__).resolve().parents[2], Path(sys.prefix).resolve().parent):
        candidate = checkout / ".build" / "release" / "lessons"
        if _executable(candidate):
            return str(candidate)
    found = shutil.which("lessons")
    if found:
        return found
    raise BinaryMissing("no lessons binary: build it in the checkout (`swift build -c release`, or `make lesson`), "
                        "or set LESSONS to the path of .build/release/lessons")


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
