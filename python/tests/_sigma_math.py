"""The σ-space steps recomputed in float64 numpy from a recorded trace, for the tests.

An independent check of "euler", "euler_ancestral", "heun" and scaled-space "dpmpp_2m"
traces that needs no verifier. Every step is recomputed from its recorded inputs and the
trace's sigmas record, on the scaled sample x = xτ/√ᾱ = x₀ + σ·ε (Karras et al. 2022):

* x̂₀ at level σ: ε: x − σ·ε̂; v: x/(σ² + 1) − σ/√(σ² + 1)·v̂; sample: the output itself;
* the slope of the probability-flow ODE d = (x − x̂₀)/σ (Karras et al. 2022, eq. 3);
* Euler: x' = x + (σ' − σ)·d;
* Euler ancestral (k-diffusion's get_ancestral_step, η = 1): σ_up = min(σ', √(σ'²(σ² −
  σ'²)/σ²)), σ_down = √(σ'² − σ_up²), x' = x + (σ_down − σ)·d + σ_up·z;
* Heun (Algorithm 1 without churn): x̃ = x + (σ' − σ)·d, d' = (x̃ − x̂₀')/σ' with x̂₀'
  from model_output_2 at x̃ and σ', x' = x + (σ' − σ)·(d + d')/2; Euler when σ' = 0;
* DPM-Solver++(2M) in scaled space (k-diffusion's sample_dpmpp_2m): h = log σ − log σ',
  x' = (σ'/σ)·x − (e^{−h} − 1)·D with D = x̂₀ at the first and the last (σ' = 0) step and
  D = (1 + 1/(2r))·x̂₀ − 1/(2r)·x̂₀₋₁, r = h₋₁/h, otherwise.

`worst` returns the largest error in units of float32's unit roundoff times the size of
the step's terms (see `step`), so a float32 computation of the same formula stays within
a few units.
"""

import math

import numpy as np

#: float32's unit roundoff.
U32 = 2.0**-24


def _records(data, quantity):
    return [r for r in data["records"] if r["quantity"] == quantity]


def _array(record, key):
    return np.array(record[key], dtype=np.float64)


def predict_x0(prediction_type, output, x, sigma):
    """x̂₀ of the scaled sample x at level σ."""
    if prediction_type == "epsilon":
        return x - sigma * output
    if prediction_type == "v_prediction":
        return x / (sigma * sigma + 1) - sigma / math.sqrt(sigma * sigma + 1) * output
    if prediction_type == "sample":
        return output.copy()
    raise ValueError(prediction_type)


def _x0_size(output, x, sigma):
    """A bound on the size of the terms x̂₀ is made of (for every prediction type)."""
    return np.abs(x) + max(sigma, 1.0) * np.abs(output)


def step(data, record, previous=None):
    """(prev_sample, predictor or None, the size of the terms of each) of one step record.

    The sizes are those of the terms as the formula adds them up, the slopes' included:
    an error of one unit in x − x̂₀ moves the step by |σ' − σ|/σ units, which for a long
    step to a small σ' (K = 2: from σ(T − 1) to σ(0)) is thousands. Heun's corrector is
    recomputed from the recorded predictor_sample when the record has one (it is what the
    second call was handed), and the predictor is checked on its own.
    """
    kind = data["scheduler"]
    prediction_type = data["config"].get("prediction_type", "epsilon")
    sigmas = _records(data, "sigmas")[0]["values"]
    i = record["index"]
    sigma, sigma_next = float(sigmas[i]), float(sigmas[i + 1])
    x = _array(record, "sample")
    output = _array(record, "model_output")
    x0 = predict_x0(prediction_type, output, x, sigma)
    if kind == "dpmpp_2m":
        if sigma_next == 0:
            return x0, None, (_x0_size(output, x, sigma), None)
        h = math.log(sigma) - math.log(sigma_next)
        d, d_size = x0, _x0_size(output, x, sigma)
        if previous is not None:
            previous_output, previous_sample = _array(previous, "model_output"), _array(previous, "sample")
            previous_sigma = float(sigmas[i - 1])
            previous_x0 = predict_x0(prediction_type, previous_output, previous_sample, previous_sigma)
            r = (math.log(previous_sigma) - math.log(sigma)) / h
            d = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * previous_x0
            d_size = (1 + 1 / (2 * r)) * d_size + _x0_size(previous_output, previous_sample, previous_sigma) / (2 * r)
        size = (sigma_next / sigma) * np.abs(x) + abs(math.expm1(-h)) * d_size
        return (sigma_next / sigma) * x - math.expm1(-h) * d, None, (size, None)
    d = (x - x0) / sigma
    d_size = (np.abs(x) + _x0_size(output, x, sigma)) / sigma
    dt = sigma_next - sigma
    if kind == "euler" or (kind == "heun" and sigma_next == 0):
        return x + dt * d, None, (np.abs(x) + abs(dt) * d_size, None)
    if kind == "euler_ancestral":
        up = min(sigma_next, math.sqrt(sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2))
        down = math.sqrt(sigma_next**2 - up**2)
        out = x + (down - sigma) * d
        size = np.abs(x) + abs(down - sigma) * d_size
        if record.get("noise") is not None:
            noise = _array(record, "noise")
            out = out + up * noise
            size = size + up * np.abs(noise)
        return out, None, (size, None)
    if kind == "heun":
        predictor = x + dt * d
        predictor_size = np.abs(x) + abs(dt) * d_size
        handed = _array(record, "predictor_sample") if "predictor_sample" in record else predictor
        output_2 = _array(record, "model_output_2")
        x0_2 = predict_x0(prediction_type, output_2, handed, sigma_next)
        d_2 = (handed - x0_2) / sigma_next
        d_2_size = (np.abs(handed) + _x0_size(output_2, handed, sigma_next)) / sigma_next
        size = np.abs(x) + abs(dt) * (d_size + d_2_size) / 2
        return x + dt * (d + d_2) / 2, predictor, (size, predictor_size)
    raise ValueError(kind)


def worst(data):
    """(the largest error in float32 units of the terms' size, the step index) over every
    step record's prev_sample (and Heun's predictor_sample)."""
    largest, where = 0.0, None
    previous = None
    for record in _records(data, "step"):
        expected, predictor, (size, predictor_size) = step(data, record, previous)
        pairs = [(expected, _array(record, "prev_sample"), size)]
        if predictor is not None and "predictor_sample" in record:
            pairs.append((predictor, _array(record, "predictor_sample"), predictor_size))
        for want, got, size in pairs:
            error = float(np.max(np.abs(got - want) / (size * U32)))
            if error > largest:
                largest, where = error, record["index"]
        previous = record
    return largest, where
