"""DPM-Solver++(2M) recomputed in float64 numpy from a recorded trace, for the tests.

An independent check of the "dpmpp_2m" traces that needs no verifier: every step is
recomputed from its recorded inputs, the trace's sigmas record and the previous step
record, following Lu et al. (2022), "DPM-Solver++", Algorithm 2 (the multistep
second-order solver) in the σ parametrisation diffusers uses:

* at level σ: α = 1/√(σ² + 1) (= √ᾱ), s = σ·α (= √(1 − ᾱ)), λ = log α − log s;
* x̂₀ from the prediction of the VP sample xτ: ε: (xτ − s·ε̂)/α; v: α·xτ − s·v̂;
  sample: the output itself; then dynamic thresholding when the config asks for it;
* first order from σ to σ_next, h = λ_next − λ:
  x' = (s_next/s)·x − α_next·(e^{−h} − 1)·x̂₀ (at σ_next = 0 this is x̂₀);
* second order, with the previous step's x̂₀ and h_prev = λ − λ_prev, r = h_prev/h:
  D1 = (x̂₀ − x̂₀_prev)/r, x' = (first order) − ½·α_next·(e^{−h} − 1)·D1 (at h = 0,
  σ_next = σ, the step leaves x as it is);
* the first step is first order (there is no previous x̂₀), every step is at order 1 when
  ``solver_order`` is 1, and the last step is first order when ``euler_at_final``, when
  ``final_sigmas_type`` is "zero", or when ``lower_order_final`` and K < 15.
"""

import math

import numpy as np


def _records(data, quantity):
    return [r for r in data["records"] if r["quantity"] == quantity]


def _threshold(x0, shape, ratio, max_value):
    """Dynamic thresholding (Saharia et al. 2022): per batch item, s = the `ratio` quantile
    of |x̂₀| clamped to [1, max_value]; x̂₀ clipped to [−s, s] and divided by s."""
    flat = x0.reshape(shape[0], -1)
    s = np.quantile(np.abs(flat), ratio, axis=1)
    s = np.clip(s, 1.0, max_value)[:, None]
    return (np.clip(flat, -s, s) / s).reshape(x0.shape)


def predict_x0(config, model_output, sample, sigma, shape):
    """(x̂₀, the size of the terms it is made of) of the VP sample xτ at level σ, from
    the config's prediction type."""
    alpha = 1.0 / math.sqrt(sigma * sigma + 1.0)
    s = sigma * alpha
    kind = config.get("prediction_type", "epsilon")
    if kind == "epsilon":
        x0 = (sample - s * model_output) / alpha
        size = (np.abs(sample) + s * np.abs(model_output)) / alpha
    elif kind == "v_prediction":
        x0 = alpha * sample - s * model_output
        size = alpha * np.abs(sample) + s * np.abs(model_output)
    elif kind == "sample":
        x0 = model_output.copy()
        size = np.abs(x0)
    else:
        raise ValueError(kind)
    if config.get("thresholding", False):
        x0 = _threshold(x0, shape, config.get("dynamic_thresholding_ratio", 0.995),
                        config.get("sample_max_value", 1.0))
        size = np.maximum(size, np.abs(x0))  # the clipped value divided by s ≥ 1
    return x0, size


def _log_snr(sigma):
    """λ = log α − log s = −log σ (+∞ at σ = 0)."""
    return math.inf if sigma == 0.0 else -math.log(sigma)


def first_order_steps(config, K):
    """The positions i (of K) that the rule makes first order."""
    out = {0}
    if int(config.get("solver_order", 2)) == 1:
        return set(range(K))
    if (
        config.get("euler_at_final", False)
        or config.get("final_sigmas_type", "zero") == "zero"
        or (config.get("lower_order_final", True) and K < 15)
    ):
        out.add(K - 1)
    return out


def recompute(data):
    """[(index, expected prev_sample, recorded prev_sample, magnitude, order)] for every step.

    `magnitude` is the size of the terms the step adds up (|coefficient|·|value|, summed,
    elementwise), the scale a float rounding error of the step is relative to.
    """
    config = data["config"]
    sigmas = [float(v) for v in _records(data, "sigmas")[0]["values"]]
    steps = _records(data, "step")
    K = len(sigmas) - 1
    first = first_order_steps(config, K)
    out = []
    previous = None  # (x̂₀, λ) of the step before
    for n, step in enumerate(steps):
        i = step["index"]
        if i != n:
            raise ValueError("step %d is recorded at position %d (a dpmpp_2m trace is in order)" % (i, n))
        shape = step["shape"]
        x = np.array(step["sample"], dtype=np.float64).reshape(shape)
        out_ = np.array(step["model_output"], dtype=np.float64).reshape(shape)
        got = np.array(step["prev_sample"], dtype=np.float64).reshape(shape)
        sigma, sigma_next = sigmas[i], sigmas[i + 1]
        x0, size = predict_x0(config, out_, x, sigma, shape)
        lam, lam_next = _log_snr(sigma), _log_snr(sigma_next)
        alpha_next = 1.0 / math.sqrt(sigma_next * sigma_next + 1.0)
        if sigma_next == 0.0:
            ratio, coefficient = 0.0, -1.0  # s_next/s = 0, α_next·(e^{−∞} − 1) = −1
        else:
            h = lam_next - lam
            ratio = sigma_next * alpha_next / (sigma / math.sqrt(sigma * sigma + 1.0))
            coefficient = alpha_next * math.expm1(-h)
        want = ratio * x - coefficient * x0
        magnitude = np.abs(ratio * x) + abs(coefficient) * size
        order = 1
        if i not in first:
            order = 2
            x0_prev, size_prev, lam_prev = previous
            # 1/r = h/h_prev, written so that a step of h = 0 (σ_next = σ: Karras levels
            # ending at σ(0), then the final level σ_min = σ(0)) gives 0, not 0/0.
            inverse_r = (lam_next - lam) / (lam - lam_prev)
            d1 = inverse_r * (x0 - x0_prev)
            want = want - 0.5 * coefficient * d1
            magnitude = magnitude + 0.5 * abs(coefficient * inverse_r) * (size + size_prev)
        out.append((i, want, got, magnitude, order))
        previous = (x0, size, lam)
    return out


def worst(data):
    """(largest |got − want|/magnitude over all steps, the step index where it is, order)."""
    found = (0.0, None, None)
    for i, want, got, magnitude, order in recompute(data):
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.abs(got - want) / np.maximum(magnitude, 1e-300)
        m = float(np.nanmax(rel)) if np.all(np.isfinite(got)) else math.inf
        if m > found[0]:
            found = (m, i, order)
    return found
