"""The `Trace` builder: what a piece of diffusion code computed, record by record.

Use it for code that is not a diffusers-style scheduler object (a training loop's noise
schedule, a sampler written as plain functions): add what the code computed together with
every input it used, then `save`. `difftrace.record` uses the same builder.

Each ``add_*`` method appends one record of the trace format (see docs/trace-format.md in
the project) and returns the trace, so calls can be chained.
"""

import json
import os
import tempfile

from . import values as _values
from ._version import __version__

__all__ = ["Trace", "DTYPES", "KINDS", "SIGMA_KINDS", "FORMAT", "FORMAT_VERSION"]

FORMAT = "difftrace"
FORMAT_VERSION = 1

#: The precisions a trace may claim; the verifier's tolerance follows from it.
DTYPES = ("float64", "float32", "float16", "bfloat16")

#: The step rules a trace's ``step`` records may claim to follow.
KINDS = ("ddpm", "ddim", "euler", "euler_ancestral", "dpmpp_2m")

#: The kinds whose steps move between noise levels σ: their steps need a ``sigmas`` record
#: and an ``index``, and their timesteps may be fractional. (The Euler kinds move the
#: scaled sample x = xτ/√ᾱτ; "dpmpp_2m" moves the VP sample xτ.)
SIGMA_KINDS = ("euler", "euler_ancestral", "dpmpp_2m")

#: The σ-level kinds whose timesteps are whole numbers in practice (diffusers'
#: DPMSolverMultistepScheduler rounds them): written as integers when they are whole.
_WHOLE_TIMESTEP_KINDS = ("dpmpp_2m",)


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
    "euler_ancestral" or "dpmpp_2m") the ``step`` records claim to follow; it is required
    once there are step records. `config` is the scheduler's configuration with
    diffusers' key names; its values are converted to plain JSON (numpy and torch values
    become Python numbers and lists). `producer` is an optional dict of strings shown in
    the verifier's report.
    """

    def __init__(self, dtype, scheduler=None, config=None, producer=None):
        self.dtype = check_dtype(dtype)
        self.scheduler = None if scheduler is None else check_kind(scheduler)
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
        σ-level kinds ("euler", "euler_ancestral", "dpmpp_2m") the values may be
        fractional (linspace spacing and Karras levels give fractional τ) and are written
        as they are; "dpmpp_2m" timesteps that are all whole are written as integers.
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

        Step i of an "euler", "euler_ancestral" or "dpmpp_2m" trace moves from
        ``sigmas[i]`` to ``sigmas[i + 1]``. The verifier checks the levels against the
        config: σ = √((1 − ᾱ)/ᾱ) at the timesteps (linearly interpolated at a fractional
        τ), or the Karras levels when ``use_karras_sigmas`` is set, then the final level
        (``final_sigmas_type``: 0 or σ at τ = 0).
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
        record.

        The verifier recomputes the step from these inputs in float64 and compares.
        """
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


def _index_int(index):
    """A step's position as a non-negative Python int."""
    found = _values.int_list(index)
    if len(found) != 1:
        raise ValueError("a step's index is one number, got %d" % len(found))
    if found[0] < 0:
        raise ValueError("a step's index is its position, 0 or more; got %d" % found[0])
    return found[0]


def _umask():
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
