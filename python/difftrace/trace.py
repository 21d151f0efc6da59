"""The `Trace` builder: what a piece of diffusion code computed, record by record.

Use it for code that is not a diffusers-style scheduler object (a training loop's noise
schedule, a sampler written as plain functions): add what the code computed together with
every input it used, then `save`. `difftrace.record` uses the same builder.

Each ``add_*`` method appends one record of the trace format (see docs/trace-format.md in
the project) and returns the trace, so calls can be chained.
"""

import json
import math
import os
import tempfile

from . import values as _values
from ._version import __version__

__all__ = [
    "Trace",
    "DTYPES",
    "KINDS",
    "SIGMA_KINDS",
    "SAMPLE_SPACES",
    "FLOW_SAMPLE_SPACES",
    "FORMAT",
    "FORMAT_VERSION",
]

FORMAT = "difftrace"
FORMAT_VERSION = 1

#: The precisions a trace may claim; the verifier's tolerance follows from it.
DTYPES = ("float64", "float32", "float16", "bfloat16")

#: The step rules a trace's ``step`` records may claim to follow.
KINDS = (
    "ddpm",
    "ddim",
    "euler",
    "euler_ancestral",
    "heun",
    "dpmpp_2m",
    "dpm_solver_2",
    "dpm_solver_3",
    "flow_euler",
)

#: The kinds whose steps move between noise levels σ: their steps need a ``sigmas`` record
#: and an ``index``, and their timesteps may be fractional. (The Euler kinds, "heun" and
#: the singlestep DPM-Solvers "dpm_solver_2" and "dpm_solver_3" move the scaled sample
#: x = xτ/√ᾱτ; "dpmpp_2m" moves the VP sample xτ unless the trace's ``sample_space`` is
#: "scaled"; "flow_euler" moves the rectified-flow sample x = (1 − σ)·x₀ + σ·ε.)
SIGMA_KINDS = ("euler", "euler_ancestral", "heun", "dpmpp_2m", "dpm_solver_2", "dpm_solver_3", "flow_euler")

#: The singlestep DPM-Solver kinds (Lu et al. 2022, Algorithms 1–2), whose steps record
#: their intermediate model evaluations as ``stages``: how many each level with σᵢ₊₁ > 0 has.
STAGE_COUNTS = {"dpm_solver_2": 1, "dpm_solver_3": 2}

#: The values of a trace's optional ``sample_space``: "vp" (the sample is xτ) or "scaled"
#: (x = xτ/√ᾱτ = x₀ + σ·ε, k-diffusion's and EDM's). Only "dpmpp_2m" accepts both; the
#: Euler kinds, "heun", "dpm_solver_2" and "dpm_solver_3" are always "scaled", "ddpm" and
#: "ddim" always "vp" (the verifier refuses a value that contradicts the kind).
SAMPLE_SPACES = ("vp", "scaled")

#: The sample space of the flow-matching kind "flow_euler" (diffusers'
#: FlowMatchEulerDiscreteScheduler: SD3, Flux): "flow", the rectified-flow path
#: x = (1 − σ)·x₀ + σ·ε. It is the only space "flow_euler" accepts and no other kind
#: accepts it; a "flow_euler" trace is written with ``"sample_space": "flow"``.
FLOW_SAMPLE_SPACES = ("flow",)

#: The kind that moves the flow sample, and so the only one that takes FLOW_SAMPLE_SPACES.
_FLOW_KIND = "flow_euler"

#: The σ-level kinds whose timesteps are whole numbers in practice (diffusers'
#: DPMSolverMultistepScheduler rounds them): written as integers when they are whole.
_WHOLE_TIMESTEP_KINDS = ("dpmpp_2m",)

#: Formula records: what a ``conversion`` starts from and what it may give.
CONVERSION_FROM = ("epsilon", "sample", "v_prediction")
CONVERSION_TO = ("epsilon", "sample", "v_prediction", "score")

#: The targets a loss (and its weight) may be written for.
PREDICTION_TYPES = ("epsilon", "sample", "v_prediction")

#: The loss weightings a ``loss_weight`` record may claim.
LOSS_WEIGHTINGS = ("min_snr", "vlb")

#: The ways a ``cfg`` record's guidance scale may be written.
CFG_CONVENTIONS = ("diffusers", "ho_salimans")


def check_kind(kind):
    """`kind` if it is one of KINDS; otherwise a ValueError that lists them."""
    if kind not in KINDS:
        raise ValueError(
            "unknown scheduler kind %r: a trace's step records follow one of %s"
            % (kind, ", ".join(repr(k) for k in KINDS))
        )
    return kind


def check_dtype(dtype):
    """`dtype` if it is one of DTYPES; otherwise a ValueError that lists them."""
    if dtype not in DTYPES:
        raise ValueError(
            "unknown dtype %r: a trace's dtype is one of %s"
            % (dtype, ", ".join(repr(d) for d in DTYPES))
        )
    return dtype


class Trace:
    """A trace under construction.

    `dtype` is the precision the code computed in ("float32", ...); it sets the tolerance
    of every check. `scheduler` is the step rule ("ddpm", "ddim", "euler",
    "euler_ancestral", "heun", "dpmpp_2m", "dpm_solver_2", "dpm_solver_3" or "flow_euler")
    the ``step`` records claim to follow; it is required once there are step records. `config` is the
    scheduler's configuration with diffusers' key names; its values are converted to plain
    JSON (numpy and torch values become Python numbers and lists). `producer` is an
    optional dict of strings shown in the verifier's report. `sample_space` (optional,
    written as the top-level ``sample_space`` when given) says which sample the steps move:
    "vp" (xτ) or "scaled" (x = xτ/√ᾱτ = x₀ + σ·ε, as k-diffusion's samplers do); only
    "dpmpp_2m" has a choice (default "vp"), the other kinds have one space each (see
    SAMPLE_SPACES). "flow_euler" moves "flow" (x = (1 − σ)·x₀ + σ·ε, see
    FLOW_SAMPLE_SPACES): its traces always say so, whether or not it is given.
    """

    def __init__(self, dtype, scheduler=None, config=None, producer=None, sample_space=None):
        self.dtype = check_dtype(dtype)
        self.scheduler = None if scheduler is None else check_kind(scheduler)
        if sample_space is not None and sample_space not in SAMPLE_SPACES + FLOW_SAMPLE_SPACES:
            raise ValueError(
                "unknown sample_space %r: it is one of %s (or None)"
                % (sample_space, ", ".join(repr(s) for s in SAMPLE_SPACES + FLOW_SAMPLE_SPACES))
            )
        if self.scheduler == _FLOW_KIND:
            if sample_space is None:
                sample_space = FLOW_SAMPLE_SPACES[0]
            elif sample_space not in FLOW_SAMPLE_SPACES:
                raise ValueError(
                    "a %r trace moves the flow sample x = (1 − σ)·x₀ + σ·ε: its sample_space is "
                    "'flow' (the default), not %r" % (_FLOW_KIND, sample_space)
                )
        elif sample_space in FLOW_SAMPLE_SPACES:
            raise ValueError(
                "sample_space 'flow' (x = (1 − σ)·x₀ + σ·ε) is the space of scheduler=%r only; "
                "this trace's kind is %r" % (_FLOW_KIND, self.scheduler)
            )
        self.sample_space = sample_space
        self.config = {}
        for key, value in (config or {}).items():
            self.config[str(key)] = _values.plain(value)
        self.producer = {"difftrace": __version__}
        for key, value in (producer or {}).items():
            self.producer[str(key)] = str(value)
        self.records = []

    # -- records -------------------------------------------------------------------------

    def add_betas(self, values):
        """Record the T noise-schedule betas βτ (τ = 0 … T−1) as the code holds them.

        The verifier checks them against the schedule the config names
        (`beta_schedule`, `beta_start`, `beta_end`, `trained_betas`,
        `rescale_betas_zero_snr`).
        """
        self.records.append({"quantity": "betas", "values": _values.float_list(values)})
        return self

    def add_alphas_cumprod(self, values):
        """Record the T cumulative products ᾱτ = ∏_{s≤τ} (1 − βs) as the code holds them.

        Checked against ᾱ of the config's schedule; the step records are then checked with
        these recorded values, so a wrong schedule is reported once, here.
        """
        self.records.append(
            {"quantity": "alphas_cumprod", "values": _values.float_list(values)}
        )
        return self

    def add_timesteps(self, values, num_inference_steps):
        """Record the K sampling timesteps (0-based τ, in the order the sampler visits them).

        `num_inference_steps` is the K the code was asked for; the verifier recomputes the
        list from it and the config's `timestep_spacing` and `steps_offset`. For DDPM and
        DDIM the list also fixes each step's previous timestep (the next entry, or the
        clean end after the last), and every value must be a whole number. For the
        σ-level kinds ("euler", "euler_ancestral", "heun", "dpmpp_2m") the values may be
        fractional (linspace spacing and Karras levels give fractional τ) and are written
        as they are; "dpmpp_2m" timesteps that are all whole are written as integers. For
        "heun" these are the K distinct timesteps (diffusers' HeunDiscreteScheduler holds
        them interleaved, one per step call: record its ``timesteps[0::2]``).
        """
        if self.scheduler in _WHOLE_TIMESTEP_KINDS:
            written = _whole_or_float_list(values)
        elif self.scheduler in SIGMA_KINDS:
            written = _values.float_list(values)
        else:
            written = _values.int_list(values)
        self.records.append(
            {
                "quantity": "timesteps",
                "num_inference_steps": int(num_inference_steps),
                "values": written,
            }
        )
        return self

    def add_sigmas(self, values):
        """Record the K + 1 noise levels σ a σ-level sampler steps through, the final one included.

        Step i of a σ-level trace (see SIGMA_KINDS) moves from
        ``sigmas[i]`` to ``sigmas[i + 1]``. The verifier checks the levels against the
        config: σ = √((1 − ᾱ)/ᾱ) at the timesteps (linearly interpolated at a fractional
        τ), or the Karras levels when ``use_karras_sigmas`` is set, then the final level
        (``final_sigmas_type``: 0 or σ at τ = 0). For "heun" these are the K + 1 distinct
        levels (diffusers' HeunDiscreteScheduler holds 2K, interleaved: record
        ``[sigmas[0]] + sigmas[1::2]``). For "flow_euler" they are the flow levels: K
        levels evenly spaced in t from 1 to 1/T, each shifted once by the config's
        ``shift`` s (t ↦ s·t/(1 + (s − 1)·t), SD3), then 0.
        """
        self.records.append({"quantity": "sigmas", "values": _values.float_list(values)})
        return self

    def add_step(
        self,
        timestep,
        model_output,
        sample,
        prev_sample,
        noise=None,
        pred_original_sample=None,
        predicted_variance=None,
        eta=None,
        shape=None,
        index=None,
        model_output_2=None,
        predictor_sample=None,
        stages=None,
    ):
        """Record one sampler step: its inputs, the noise it drew, and what it returned.

        `timestep` is τ; `model_output` the network's prediction (only the prediction
        half when the variance is learned; pass the other half as `predicted_variance`);
        `sample` is xτ; `prev_sample` the returned x at the previous timestep;
        `pred_original_sample` the returned x̂₀ if the code returns one. `noise` is the
        standard normal draw the step added (scaled by its σ), or None when the step adds
        none. `eta` is DDIM's η. `shape` is the arrays' shape (first axis the batch, which
        dynamic thresholding needs); by default it is read from `sample`.

        For the σ-level kinds ("euler", "euler_ancestral", "dpmpp_2m"), `index` i is
        required: the step's position, moving from ``sigmas[i]`` to ``sigmas[i + 1]`` of
        the trace's ``sigmas`` record; `timestep` may then be any number (it is not used
        to find σ). For the Euler kinds `sample` is the sample the Euler step moves, x =
        xτ/√ᾱτ (diffusers' unscaled sample, the one passed to ``step``, not the model
        input ``scale_model_input`` makes of it). For "dpmpp_2m" `sample` is the VP sample
        xτ, and the steps must be added in order, one per level: a multistep step uses
        the x̂₀ of the step before it, which the verifier recomputes from that step's
        record (with the trace's ``sample_space`` "scaled", `sample` is x = xτ/√ᾱτ, as
        in k-diffusion's ``sample_dpmpp_2m``).

        A "heun" step is one level of Heun's method (Karras et al. 2022, Algorithm 1
        without churn) from ``sigmas[i]`` to ``sigmas[i + 1]``, `sample` the scaled sample
        x: `model_output` is the model at x and σᵢ, and, when σᵢ₊₁ > 0, `model_output_2`
        (required then) the model at the predictor x̃ = x + (σᵢ₊₁ − σᵢ)·d and σᵢ₊₁, and
        `predictor_sample` that x̃ (optional); `prev_sample` is x + (σᵢ₊₁ − σᵢ)·(d + d′)/2.
        When σᵢ₊₁ = 0 the step is Euler's, with neither. `pred_original_sample` is x̂₀ at x.

        A "dpm_solver_2" or "dpm_solver_3" step is one level of singlestep DPM-Solver (Lu et
        al. 2022, Algorithms 1–2, noise-prediction form) from ``sigmas[i]`` to
        ``sigmas[i + 1]`` on the scaled sample x: `model_output` is the model at x and σᵢ,
        and `stages` (required when σᵢ₊₁ > 0: one for order 2, two for order 3) lists the
        intermediate evaluations in order, each a dict ``{"model_output": array, "sample":
        array or None}``: the model's output at the stage's point u_k and level
        s_k = σᵢ·e^{−r_k·h} (h = log(σᵢ/σᵢ₊₁), r = 1/2, or 1/3 and 2/3), and that point u_k
        (optional; when given the verifier checks it too). When σᵢ₊₁ = 0 the step is
        Euler's, x' = x̂₀, with no stages. Written as ``"stages": [{"model_output": [...],
        "sample": [...]}, ...]`` ("sample" left out when None).

        A "flow_euler" step is one Euler step of the rectified flow (diffusers'
        FlowMatchEulerDiscreteScheduler) from ``sigmas[i]`` to ``sigmas[i + 1]``: `sample` is
        x = (1 − σᵢ)·x₀ + σᵢ·ε, `model_output` the velocity v = ε − x₀, and `prev_sample`
        x + (σᵢ₊₁ − σᵢ)·v.

        The verifier recomputes the step from these inputs in float64 and compares.
        """
        if (model_output_2 is not None or predictor_sample is not None) and self.scheduler != "heun":
            raise ValueError(
                "model_output_2= and predictor_sample= are for \"heun\" steps (the model at Heun's "
                "predictor); this trace's kind is %r" % (self.scheduler,)
            )
        written_stages = None
        if stages is not None:
            written_stages = _stages(self.scheduler, stages)
        sigma_space = self.scheduler in SIGMA_KINDS
        if sigma_space:
            if index is None:
                raise ValueError(
                    "a %s step needs index= (its position i: it moves from sigmas[i] to sigmas[i + 1])"
                    % self.scheduler
                )
            if self.scheduler in _WHOLE_TIMESTEP_KINDS:
                written = _whole_or_float_list(timestep)
                if len(written) != 1:
                    raise ValueError("a step's timestep is one number, got %d" % len(written))
                written = written[0]
            else:
                written = _timestep_float(timestep)
            record = {"quantity": "step", "index": _index_int(index), "timestep": written}
        else:
            if index is not None:
                raise ValueError(
                    "index= is for the σ-level kinds (%s); this trace's kind is %r, whose steps "
                    "are placed by their timestep" % (", ".join(SIGMA_KINDS), self.scheduler)
                )
            record = {"quantity": "step", "timestep": _timestep_int(timestep)}
        record["model_output"] = _values.float_list(model_output)
        record["sample"] = _values.float_list(sample)
        record["prev_sample"] = _values.float_list(prev_sample)
        if pred_original_sample is not None:
            record["pred_original_sample"] = _values.float_list(pred_original_sample)
        if predictor_sample is not None:
            record["predictor_sample"] = _values.float_list(predictor_sample)
        if model_output_2 is not None:
            record["model_output_2"] = _values.float_list(model_output_2)
        if written_stages:
            record["stages"] = written_stages
        record["noise"] = None if noise is None else _values.float_list(noise)
        if predicted_variance is not None:
            record["predicted_variance"] = _values.float_list(predicted_variance)
        if eta is not None:
            record["eta"] = _values.encode_float(eta)
        if shape is None:
            shape = _values.shape_of(sample)
        if shape is not None:
            record["shape"] = [int(n) for n in shape]
        self.records.append(record)
        return self

    # -- formula records -----------------------------------------------------------------
    #
    # One evaluation of a formula outside a sampler step (a training loop's noising, a
    # prediction converted to another target, a loss weight, a guidance line), with every
    # input it used. ᾱ is the trace's own ``alphas_cumprod`` record when it has one, else
    # the config's schedule; these records need no ``scheduler``.

    def add_q_sample(self, timestep, x0, noise, value, shape=None):
        """Record one draw of q(xτ | x0): xτ = √ᾱτ·x0 + √(1 − ᾱτ)·noise (DDPM eq. 4).

        diffusers' ``scheduler.add_noise(x0, noise, timesteps)``. `timestep` is τ (one
        whole number, 0 … T−1); `x0`, `noise` and `value` (the returned xτ) hold the same
        number of values. For a batch noised at several timesteps, add one record per
        item. `shape` (optional) is how to read the arrays; by default the shape of
        `value` when it has two or more axes.
        """
        record = {"quantity": "q_sample", "timestep": self._formula_timestep("q_sample", timestep)}
        record.update(_same_length("q_sample", [("x0", x0), ("noise", noise), ("value", value)]))
        _put_shape(record, "q_sample", shape, value, len(record["value"]))
        self.records.append(record)
        return self

    def add_velocity(self, timestep, x0, noise, value, shape=None):
        """Record one v target: v = √ᾱτ·noise − √(1 − ᾱτ)·x0 (Salimans & Ho 2022).

        diffusers' ``scheduler.get_velocity(sample=x0, noise=noise, timesteps=τ)``: note
        that its ``sample`` argument is the clean x0, not xτ. `x0`, `noise` and `value` (the
        returned v) hold the same number of values; `shape` as for `add_q_sample`.
        """
        record = {"quantity": "velocity", "timestep": self._formula_timestep("velocity", timestep)}
        record.update(_same_length("velocity", [("x0", x0), ("noise", noise), ("value", value)]))
        _put_shape(record, "velocity", shape, value, len(record["value"]))
        self.records.append(record)
        return self

    def add_conversion(self, timestep, from_, to, x_t, input, value, shape=None):
        """Record one prediction converted to another target at τ, given xτ.

        `from_` is what `input` is: "epsilon" (ε), "sample" (x0) or "v_prediction" (v);
        `to` what `value` is: one of those or "score", and not `from_`. With
        xτ = √ᾱ·x0 + √(1 − ᾱ)·ε and v = √ᾱ·ε − √(1 − ᾱ)·x0 at τ:
        x0 = (xτ − √(1 − ᾱ)·ε)/√ᾱ, ε = (xτ − √ᾱ·x0)/√(1 − ᾱ), x0 = √ᾱ·xτ − √(1 − ᾱ)·v,
        ε = √(1 − ᾱ)·xτ + √ᾱ·v, and the score ∇ log q(xτ) = −ε/√(1 − ᾱ). Written with the
        JSON keys "from" and "to". `x_t`, `input` and `value` hold the same number of
        values; `shape` as for `add_q_sample`.
        """
        if from_ not in CONVERSION_FROM:
            raise ValueError(
                "conversion: unknown from_ %r: a conversion starts from one of %s"
                % (from_, ", ".join(repr(k) for k in CONVERSION_FROM))
            )
        if to not in CONVERSION_TO:
            raise ValueError(
                "conversion: unknown to %r: a conversion gives one of %s"
                % (to, ", ".join(repr(k) for k in CONVERSION_TO))
            )
        if from_ == to:
            raise ValueError("conversion: from_ and to are both %r: nothing is converted" % to)
        record = {
            "quantity": "conversion",
            "timestep": self._formula_timestep("conversion", timestep),
            "from": from_,
            "to": to,
        }
        record.update(_same_length("conversion", [("x_t", x_t), ("input", input), ("value", value)]))
        _put_shape(record, "conversion", shape, value, len(record["value"]))
        self.records.append(record)
        return self

    def add_posterior(self, timestep, x0, x_t, mean=None, variance=None, prev_timestep=None, shape=None):
        """Record the forward-process posterior q(x_s | xτ, x0): its mean, its variance, or both.

        With β = 1 − ᾱτ/ᾱs (DDPM eq. 6–7, for any s < τ):
        mean = √ᾱs·β/(1 − ᾱτ)·x0 + √(ᾱτ/ᾱs)·(1 − ᾱs)/(1 − ᾱτ)·xτ and variance
        β̃ = (1 − ᾱs)/(1 − ᾱτ)·β. `prev_timestep` is s: by default τ − 1, and −1 means the
        clean end (ᾱ = 1). `x0` and `x_t` (and `mean`) hold the same number of values;
        `variance` is ONE number (the posterior's variance is the same for every element).
        `shape` as for `add_q_sample`.
        """
        if mean is None and variance is None:
            raise ValueError("posterior: give mean=, variance= or both (the record checks what it holds)")
        tau = self._formula_timestep("posterior", timestep)
        record = {"quantity": "posterior", "timestep": tau}
        if prev_timestep is not None:
            found = _values.int_list(prev_timestep)
            if len(found) != 1:
                raise ValueError("posterior: prev_timestep is one number, got %d" % len(found))
            if not -1 <= found[0] < tau:
                raise ValueError(
                    "posterior: prev_timestep %d is not in -1 … %d (s comes before τ = %d; -1 is the clean end)"
                    % (found[0], tau - 1, tau)
                )
            record["prev_timestep"] = found[0]
        arrays = [("x0", x0), ("x_t", x_t)]
        if mean is not None:
            arrays.append(("mean", mean))
        record.update(_same_length("posterior", arrays))
        if variance is not None:
            found = _values.float_list(variance)
            if len(found) != 1:
                raise ValueError(
                    "posterior: variance is ONE number (β̃ is the same for every element), got %d" % len(found)
                )
            record["variance"] = found[0]
        _put_shape(record, "posterior", shape, x_t, len(record["x0"]))
        self.records.append(record)
        return self

    def add_snr(self, timesteps, values):
        """Record the signal-to-noise ratio SNR = ᾱτ/(1 − ᾱτ) at each of `timesteps`.

        diffusers' ``diffusers.training_utils.compute_snr(scheduler, timesteps)``.
        `timesteps` are whole numbers τ; `values` holds one SNR per timestep.
        """
        record = {"quantity": "snr"}
        record.update(self._formula_timesteps("snr", timesteps, values))
        self.records.append(record)
        return self

    def add_loss_weight(self, weighting, timesteps, values, gamma=None, prediction_type=None):
        """Record a per-timestep loss weight: `values[i]` multiplies the squared error at `timesteps[i]`.

        `weighting` "min_snr" (Hang et al. 2023, needs `gamma` > 0): min(SNR, γ)/SNR for an
        ε-prediction loss, min(SNR, γ) for a "sample" (x0) loss, min(SNR, γ)/(SNR + 1) for a
        v loss. `weighting` "vlb": the weight of the squared error in the bound's term
        L_{τ−1}: coef1²/(2σ²) on the x0-error, with coef1 = √ᾱ_{τ−1}·β_τ/(1 − ᾱτ), times
        (1 − ᾱτ)/ᾱτ on the ε-error and (1 − ᾱτ) on the v-error; σ² is β̃ or β as the
        config's ``variance_type`` says (fixed_small, the default, or fixed_large; τ = 0
        has no weight with fixed_small). `prediction_type` ("epsilon", "sample",
        "v_prediction") is the loss's target; by default the config's, else "epsilon".
        """
        if weighting not in LOSS_WEIGHTINGS:
            raise ValueError(
                "loss_weight: unknown weighting %r: one of %s"
                % (weighting, ", ".join(repr(k) for k in LOSS_WEIGHTINGS))
            )
        record = {"quantity": "loss_weight", "weighting": weighting}
        if weighting == "min_snr":
            if gamma is None:
                raise ValueError("loss_weight: min_snr needs gamma= (γ > 0; Hang et al. use 5)")
            g = _one_float("loss_weight", "gamma", gamma)
            if not (math.isfinite(g) and g > 0):
                raise ValueError("loss_weight: gamma is γ > 0, got %r" % (g,))
            record["gamma"] = g
        elif gamma is not None:
            raise ValueError("loss_weight: gamma= is for weighting 'min_snr' only; 'vlb' has no γ")
        if prediction_type is not None:
            if prediction_type not in PREDICTION_TYPES:
                raise ValueError(
                    "loss_weight: unknown prediction_type %r: one of %s"
                    % (prediction_type, ", ".join(repr(k) for k in PREDICTION_TYPES))
                )
            record["prediction_type"] = prediction_type
        record.update(self._formula_timesteps("loss_weight", timesteps, values))
        self.records.append(record)
        return self

    def add_cfg(self, guidance_scale, uncond, cond, value, convention="diffusers", guidance_rescale=0.0, shape=None):
        """Record one classifier-free guidance combination of an unconditional and a conditional prediction.

        `convention` "diffusers" (the default): g = u + w·(c − u), w = `guidance_scale`
        (w = 1 is the conditional model); "ho_salimans" (Ho & Salimans 2022, eq. 6):
        g = (1 + w)·c − w·u (w = 0 is the conditional model). When `guidance_rescale` φ is
        above 0 (Lin et al. 2024, §3.4; diffusers' ``rescale_noise_cfg(g, c, φ)``), per
        batch item r = g·std(c)/std(g) and the value is φ·r + (1 − φ)·g, the standard
        deviations over the item's elements. `uncond`, `cond` and `value` hold the same
        number of values. `shape` (first axis the batch) says where the items are; by
        default the shape of `value` when it has two or more axes, and a flat array is one
        item.
        """
        if convention not in CFG_CONVENTIONS:
            raise ValueError(
                "cfg: unknown convention %r: one of %s"
                % (convention, ", ".join(repr(k) for k in CFG_CONVENTIONS))
            )
        w = _one_float("cfg", "guidance_scale", guidance_scale)
        if not math.isfinite(w):
            raise ValueError("cfg: guidance_scale is a finite number, got %r" % (w,))
        phi = _one_float("cfg", "guidance_rescale", guidance_rescale)
        if not (math.isfinite(phi) and 0 <= phi <= 1):
            raise ValueError("cfg: guidance_rescale is φ in [0, 1] (the share of the rescaled prediction), got %r" % (phi,))
        record = {
            "quantity": "cfg",
            "guidance_scale": w,
            "convention": convention,
            "guidance_rescale": phi,
        }
        record.update(_same_length("cfg", [("uncond", uncond), ("cond", cond), ("value", value)]))
        _put_shape(record, "cfg", shape, value, len(record["value"]))
        self.records.append(record)
        return self

    def _formula_timestep(self, quantity, timestep):
        """A formula record's τ as a Python int: one whole number, 0 or more (below T when the config says T)."""
        try:
            found = _values.int_list(timestep)
        except (TypeError, ValueError) as error:
            raise ValueError("%s: timestep τ must be a whole number (%s)" % (quantity, error)) from None
        if len(found) != 1:
            raise ValueError("%s: timestep is one number, got %d" % (quantity, len(found)))
        self._check_tau(quantity, "timestep", found[0])
        return found[0]

    def _formula_timesteps(self, quantity, timesteps, values):
        """{"timesteps": ints, "values": floats} of the same length (at least one)."""
        try:
            ts = _values.int_list(timesteps)
        except (TypeError, ValueError) as error:
            raise ValueError("%s: timesteps must be whole numbers (%s)" % (quantity, error)) from None
        vs = _values.float_list(values)
        if not ts:
            raise ValueError("%s: no timesteps (a record holds at least one value)" % quantity)
        if len(vs) != len(ts):
            raise ValueError(
                "%s: values has %d numbers but timesteps has %d (one value per timestep)"
                % (quantity, len(vs), len(ts))
            )
        for t in ts:
            self._check_tau(quantity, "timesteps", t)
        return {"timesteps": ts, "values": vs}

    def _check_tau(self, quantity, key, t):
        T = self.config.get("num_train_timesteps")
        if t < 0:
            raise ValueError("%s: %s %d is negative (τ is diffusers' 0-based index, 0 … T−1)" % (quantity, key, t))
        if isinstance(T, int) and not isinstance(T, bool) and t >= T:
            raise ValueError(
                "%s: %s %d is past the schedule (τ is 0 … %d with num_train_timesteps %d)" % (quantity, key, t, T - 1, T)
            )

    # -- output --------------------------------------------------------------------------

    def to_dict(self):
        """The trace as plain JSON data (what `save` writes)."""
        if not self.records:
            raise ValueError("a trace needs at least one record")
        has_steps = any(r["quantity"] == "step" for r in self.records)
        if has_steps and self.scheduler is None:
            raise ValueError(
                "a trace with step records must say which rule they follow: "
                "Trace(..., scheduler=%s)" % " or ".join(repr(k) for k in KINDS)
            )
        out = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "producer": dict(self.producer),
            "dtype": self.dtype,
        }
        if self.scheduler is not None:
            out["scheduler"] = self.scheduler
        if self.sample_space is not None:
            out["sample_space"] = self.sample_space
        out["config"] = dict(self.config)
        out["records"] = list(self.records)
        return out

    def to_json(self):
        """The trace as JSON text. Never writes bare NaN/Infinity (those are not JSON)."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    def save(self, path):
        """Write the trace to `path` atomically and return `path`.

        The text goes to a temporary file in the same folder, is flushed to disk, and then
        replaces `path` in one rename, so a reader never sees half a trace and an earlier
        file at `path` survives a failed write.
        """
        text = self.to_json()
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder
        )
        try:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            os.chmod(tmp, 0o666 & ~_umask())
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path


def _timestep_int(timestep):
    """A timestep (int, numpy integer, 0-d tensor) as a Python int; not a whole number is an error."""
    found = _values.int_list(timestep)
    if len(found) != 1:
        raise ValueError("a step's timestep is one number, got %d" % len(found))
    return found[0]


def _timestep_float(timestep):
    """A timestep (number, numpy scalar, 0-d tensor) as one exact float (non-finite as a string)."""
    found = _values.float_list(timestep)
    if len(found) != 1:
        raise ValueError("a step's timestep is one number, got %d" % len(found))
    return found[0]


def _whole_or_float_list(values):
    """`values` as Python ints when every one is a whole number, else as exact floats."""
    try:
        return _values.int_list(values)
    except (ValueError, TypeError):
        return _values.float_list(values)


def _stages(kind, stages):
    """A singlestep DPM-Solver step's `stages` as JSON: [{"model_output": floats, "sample": floats}, ...]."""
    if kind not in STAGE_COUNTS:
        raise ValueError(
            "stages= is for the singlestep DPM-Solver kinds (%s: the model at each intermediate "
            "point of a level); this trace's kind is %r" % (", ".join(repr(k) for k in STAGE_COUNTS), kind)
        )
    if isinstance(stages, dict) or not isinstance(stages, (list, tuple)):
        raise ValueError("stages must be a list of dicts {\"model_output\": ..., \"sample\": ...}, got %r" % (type(stages).__name__,))
    if stages and len(stages) != STAGE_COUNTS[kind]:
        raise ValueError(
            "a %s step has %d stage(s) when σᵢ₊₁ > 0 (none at the last level, to 0), got %d"
            % (kind, STAGE_COUNTS[kind], len(stages))
        )
    out = []
    for k, stage in enumerate(stages):
        if not isinstance(stage, dict):
            raise ValueError("stage %d must be a dict {\"model_output\": ..., \"sample\": ...}, got %r" % (k, type(stage).__name__))
        unknown = sorted(set(stage) - {"model_output", "sample"})
        if unknown:
            raise ValueError("stage %d has unknown key(s) %s (a stage holds model_output and sample)" % (k, ", ".join(map(repr, unknown))))
        if stage.get("model_output") is None:
            raise ValueError("stage %d has no model_output (the model's output at the stage is required)" % k)
        written = {"model_output": _values.float_list(stage["model_output"])}
        if stage.get("sample") is not None:
            written["sample"] = _values.float_list(stage["sample"])
            if len(written["sample"]) != len(written["model_output"]):
                raise ValueError(
                    "stage %d: sample has %d values but model_output has %d"
                    % (k, len(written["sample"]), len(written["model_output"]))
                )
        out.append(written)
    return out


def _index_int(index):
    """A step's position as a non-negative Python int."""
    found = _values.int_list(index)
    if len(found) != 1:
        raise ValueError("a step's index is one number, got %d" % len(found))
    if found[0] < 0:
        raise ValueError("a step's index is its position, 0 or more; got %d" % found[0])
    return found[0]


def _same_length(quantity, named_arrays):
    """{name: float list} for `named_arrays` [(name, array), …], which must have one length (not 0)."""
    out = {}
    first = None
    for name, array in named_arrays:
        if array is None:
            raise ValueError("%s: %s is missing" % (quantity, name))
        out[name] = _values.float_list(array)
        if first is None:
            first = name
            if not out[name]:
                raise ValueError("%s: %s is empty" % (quantity, name))
        elif len(out[name]) != len(out[first]):
            raise ValueError(
                "%s: %s has %d values but %s has %d (the arrays are read element by element)"
                % (quantity, name, len(out[name]), first, len(out[first]))
            )
    return out


def _put_shape(record, quantity, shape, like, count):
    """Put `shape` (or the shape of `like` when it has 2+ axes) into `record`; its product must be `count`."""
    if shape is None:
        found = _values.shape_of(like)
        if found is None or len(found) < 2:
            return
        shape = found
    try:
        dims = [int(n) for n in shape]
    except (TypeError, ValueError):
        raise ValueError("%s: shape must be a list of whole numbers, got %r" % (quantity, shape)) from None
    if not dims or any(n < 1 for n in dims):
        raise ValueError("%s: shape %r must have positive sizes" % (quantity, dims))
    product = 1
    for n in dims:
        product *= n
    if product != count:
        raise ValueError("%s: shape %r holds %d values but the arrays have %d" % (quantity, dims, product, count))
    record["shape"] = dims


def _one_float(quantity, key, value):
    """One number (Python, numpy or a 0-d/1-element tensor) as a Python float."""
    try:
        found = _values.float_list(value)
    except TypeError as error:
        raise ValueError("%s: %s must be a number (%s)" % (quantity, key, error)) from None
    if len(found) != 1:
        raise ValueError("%s: %s is one number, got %d" % (quantity, key, len(found)))
    return float(found[0])


def _umask():
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
