"""Swift's outputs against diffusers' Float64 evaluation, with the tolerance and its reason.

Each module's error is the relative RMS error ‖swift − exact‖₂ / ‖exact‖₂, where exact is
diffusers evaluated in Float64 from the same Float32 weights and inputs (the timestep's
sinusoid is formed in Float32 by diffusers in both, as the Swift side forms it).

The tolerance, 10⁻⁴, comes from Float32 and the formula's conditioning. Two correct Float32
implementations differ (1) by rounding in sums of K products, of order √K·u with
u = 2⁻²⁴ ≈ 6·10⁻⁸, amplified by the layers (PyTorch's own Float32 error, printed beside
Swift's, measures this: ≈ 10⁻⁶ on these models), and (2) most of all in the timestep's
sinusoid: the angle t·fᵢ with t up to 1000 carries up to t·u ≈ 6·10⁻⁵ rad of difference when
the two exp's round fᵢ one ulp apart, a relative error of the embedding up to ≈ 6·10⁻⁵. The
tolerance is that bound rounded up; a wrong formula (a flipped sinusoid, a head count, a
normalization ε, a missing skip) is off by 10⁻³ to 1, which the tests show.
"""
import math
import re

import torch
from safetensors.torch import load_file

TOLERANCE = 1e-4


def relative_error(value, exact):
    value = value.to(torch.float64)
    scale = exact.norm().item()
    return (value - exact).norm().item() / scale if scale > 0 else (value - exact).norm().item()


def compare(swift_file, exact, float32=None):
    """Rows (name, shape, swift error, torch float32 error, passed); missing modules fail.
    Without ``float32`` (diffusers' Float32 outputs) the torch column is NaN: the verdict
    compares Swift with ``exact`` alone."""
    swift = load_file(str(swift_file))

    def torch_error(name):
        return relative_error(float32[name], exact[name]) if float32 is not None else math.nan

    rows = []
    for name in sorted(exact, key=_order):
        if name not in swift:
            rows.append((name, tuple(exact[name].shape), math.inf, torch_error(name), False))
            continue
        value = swift[name]
        if tuple(value.shape) != tuple(exact[name].shape):
            rows.append((name, tuple(value.shape), math.inf, math.nan, False))
            continue
        error = relative_error(value, exact[name])
        rows.append((name, tuple(value.shape), error, torch_error(name), error <= TOLERANCE))
    return rows


def _order(name):
    """Forward order: the embeddings, conv_in, down, mid, up, conv_out, the outputs; inside
    a block ResNet j, then transformer j, then the resampler, then the block's own output."""
    name = re.sub(r"resnets\.(\d+)", lambda m: "%s.0" % m.group(1), name)
    name = re.sub(r"attentions\.(\d+)", lambda m: "%s.1" % m.group(1), name)
    name = re.sub(r"(down|up)samplers\.0", "9999", name)
    name = name.replace("transformer_blocks.", "")
    rank = {"time_embedding": 0, "add_embedding": 1, "encoder": 2, "quant_conv": 3, "moments": 4, "post_quant_conv": 5, "decoder": 6,
            "conv_in": 7, "down_blocks": 8, "mid_block": 9, "up_blocks": 10, "conv_norm_out": 11, "conv_out": 12, "sample": 13}
    return [(int(part), 0) if part.isdigit() else (rank.get(part, 50), 0) for part in name.split(".")] + [(99999, 0)]


def report(rows):
    lines = ["%-48s %-18s %10s %10s  %s" % ("module", "shape", "Swift err", "torch f32", "")]
    for name, shape, error, torch_error, passed in rows:
        lines.append("%-48s %-18s %10.2e %10.2e  %s" % (name, "×".join(map(str, shape)), error, torch_error, "ok" if passed else "FAIL"))
    failed = sum(not row[4] for row in rows)
    worst = max((row[2] for row in rows), default=math.nan)
    lines.append("%d modules, %d failed; worst Swift error %.2e (tolerance %.0e, relative RMS against Float64)" % (len(rows), failed, worst, TOLERANCE))
    if rows and all(math.isnan(row[3]) for row in rows):
        lines.append("(torch f32 not evaluated here: `python -m diffusers_parity run PRESET` prints PyTorch's own Float32 error beside Swift's)")
    return "\n".join(lines)
