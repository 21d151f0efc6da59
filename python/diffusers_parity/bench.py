"""Time and memory of one forward pass: diffusers (PyTorch) and Swift, side by side.

Each side runs in a fresh process on the same saved model and inputs, and each peak memory
is that process's own VmHWM (/proc/self/status; ru_maxrss would include the parent's memory,
which Linux carries across fork and exec): weights, their loading, and the forward pass's
activations. The two run alternately in the same session, so machine noise hits both.
"""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from . import configs, reference
from .runner import lessons_binary

_TORCH_SIDE = r'''
import json, sys, time
import torch
from diffusers import UNet2DConditionModel
from safetensors.torch import load_file
folder, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
began = time.perf_counter()
model = UNet2DConditionModel.from_pretrained(folder + "/unet").eval()
given = load_file(folder + "/inputs.safetensors")
loaded = time.perf_counter()
extra = {}
if "text_embeds" in given:
    extra["added_cond_kwargs"] = {"text_embeds": given["text_embeds"], "time_ids": given["time_ids"]}
with torch.no_grad():
    model(given["sample"], given["timestep"], encoder_hidden_states=given["encoder_hidden_states"], **extra)
done = time.perf_counter()
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"load": loaded - began, "forward": done - loaded, "peak_gb": peak / 1048576}))
'''


def torch_side(folder, threads):
    done = subprocess.run([sys.executable, "-c", _TORCH_SIDE, str(folder), str(threads)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def swift_side(folder, threads):
    done = subprocess.run([lessons_binary(), "forward", "--model", str(Path(folder) / "unet"), "--inputs", str(Path(folder) / "inputs.safetensors"),
                           "--out", str(Path(folder) / "bench-out.safetensors"), "--threads", str(threads)],
                          capture_output=True, text=True, check=True)
    found = re.search(r"load ([\d.]+) s, forward ([\d.]+) s on \d+ thread\(s\), peak memory ([\d.]+) GB", done.stdout)
    return {"load": float(found.group(1)), "forward": float(found.group(2)), "peak_gb": float(found.group(3))}


def bench(preset, folder, thread_counts, seed=0, repeats=1):
    """Rows (threads, side, load s, forward s, peak GB), alternating the sides."""
    config, side, batch, tokens = configs.PRESETS[preset]
    model = reference.build(config, seed)
    reference.save(model, reference.inputs(model, side, batch, tokens, seed + 1), Path(folder))
    del model
    rows = []
    for threads in thread_counts:
        for _ in range(repeats):
            for name, run in (("diffusers", torch_side), ("swift", swift_side)):
                result = run(folder, threads)
                rows.append((threads, name, result["load"], result["forward"], result["peak_gb"]))
    return rows


def report(preset, rows):
    lines = ["%s: one forward pass, each side in a fresh process" % preset,
             "%7s  %-9s  %8s  %9s  %8s" % ("threads", "side", "load s", "forward s", "peak GB")]
    lines += ["%7d  %-9s  %8.2f  %9.2f  %8.2f" % row for row in rows]
    return "\n".join(lines)
