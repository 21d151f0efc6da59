"""`record`: run a diffusers-style scheduler on seeded inputs and write what it computed.

The scheduler is used only through the interface diffusers' schedulers share, so any
object that follows it can be recorded (a subclass, or a learner's own class):

* ``config``: a dict-like of the configuration, with diffusers' key names;
* ``betas`` and ``alphas_cumprod``: the schedule (torch tensors or numpy arrays);
* ``set_timesteps(K)`` and then ``timesteps``: the K timesteps a sampler visits;
* ``step(model_output, timestep, sample, generator=..., return_dict=True)`` returning an
  object with ``prev_sample`` (and optionally ``pred_original_sample``), or a tuple;
* for the σ-level kinds ("euler", "euler_ancestral", "heun", "dpmpp_2m") also ``sigmas``
  after ``set_timesteps``, and optionally ``scale_model_input(sample, timestep)`` and
  ``step_index``; for "heun" the timesteps and sigmas interleaved as diffusers'
  HeunDiscreteScheduler holds them, and two ``step`` calls per level (see `record`);
  for "flow_euler" (diffusers' FlowMatchEulerDiscreteScheduler) no schedule at all: the
  levels come from ``num_train_timesteps`` and ``shift`` alone.

Every step is fed FRESH inputs drawn from a seeded generator, not the previous step's
output: each step is then an independent test of the step formula, and a mistake at one
step cannot hide behind (or be blamed on) another step's.
"""

import inspect
import sys

from . import trace as _trace
from . import values as _values
from ._version import __version__

__all__ = [
    "record",
    "infer_kind",
    "read_config",
    "check_dpm_config",
    "check_heun_config",
    "check_flow_config",
    "input_seed",
    "noise_seed",
]

#: Class names that identify a step rule, looked for along the scheduler's MRO.
_KIND_BY_CLASS_NAME = {
    "DDIMScheduler": "ddim",
    "DDPMScheduler": "ddpm",
    "EulerDiscreteScheduler": "euler",
    "EulerAncestralDiscreteScheduler": "euler_ancestral",
    "DPMSolverMultistepScheduler": "dpmpp_2m",
    "HeunDiscreteScheduler": "heun",
    "FlowMatchEulerDiscreteScheduler": "flow_euler",
}

#: The kinds whose step moves the scaled sample x = xτ/√ᾱτ (drawn at its level's spread).
_SCALED_SAMPLE_KINDS = ("euler", "euler_ancestral", "heun")

#: For "dpmpp_2m": config keys, diffusers' default (taken when the key is absent), the
#: values accepted, and why.
_DPM_REQUIRED = (
    ("algorithm_type", "dpmsolver++", ("dpmsolver++",),
     "only DPM-Solver++ (the data-prediction solver of Lu et al. 2022) is checked"),
    ("solver_type", "midpoint", ("midpoint",), "only the midpoint second-order update is checked"),
    ("solver_order", 2, (1, 2), "DPM-Solver++(2M) is checked at order 2, or 1 (every step first order)"),
    ("prediction_type", "epsilon", ("epsilon", "sample", "v_prediction"),
     "the prediction is read as epsilon, sample or v_prediction"),
)

#: For "dpmpp_2m": a learned variance (diffusers then reads the first 3 channels of the
#: output as the prediction) is not part of the step the verifier checks.
_DPM_REFUSED_VARIANCE = ("learned", "learned_range")

#: For "dpmpp_2m": options that change the levels in ways the verifier does not rebuild.
_DPM_UNSUPPORTED_FLAGS = ("use_lu_lambdas", "use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas")

#: For "heun": the predictions the step is checked with (diffusers' Heun step reads these).
_HEUN_PREDICTION_TYPES = ("epsilon", "sample", "v_prediction")

#: For "heun": options (default False) that make a step or levels the verifier does not
#: check, and why.
_HEUN_REFUSED_FLAGS = (
    ("clip_sample", "x̂₀ is clipped, which Heun's method on the probability-flow ODE does not do"),
    ("use_exponential_sigmas", "the levels must be the timestep spacing's or Karras's"),
    ("use_beta_sigmas", "the levels must be the timestep spacing's or Karras's"),
)

#: For "flow_euler": options (default off) that make levels or a step the verifier does
#: not rebuild, and why. The kind is the deterministic Euler step on the levels of
#: ``num_train_timesteps`` and a fixed ``shift``.
_FLOW_REFUSED_FLAGS = (
    ("use_dynamic_shifting", "the shift then depends on the image size (mu), not on the config"),
    ("invert_sigmas", "the levels are then 1 − σ (Mochi), not the flow levels"),
    ("stochastic_sampling", "the step then draws noise: x′ = (1 − σ′)·x̂₀ + σ′·z, not x + (σ′ − σ)·v"),
    ("use_karras_sigmas", "the levels must be the shifted flow levels"),
    ("use_exponential_sigmas", "the levels must be the shifted flow levels"),
    ("use_beta_sigmas", "the levels must be the shifted flow levels"),
)

_SEED_STRIDE = 1_000_003

#: Significand bits of each trace dtype, to tell a narrower from a wider one.
_WIDTH = {"bfloat16": 8, "float16": 11, "float32": 24, "float64": 53}


def input_seed(seed, index):
    """The seed of the generator that draws step `index`'s sample and model output."""
    return (seed * _SEED_STRIDE + index) * 2 % (1 << 63)


def noise_seed(seed, index):
    """The seed of the generator handed to step `index`, from which it draws its noise."""
    return ((seed * _SEED_STRIDE + index) * 2 + 1) % (1 << 63)

def _timesteps_and_sigmas(scheduler, steps, kind):
    """``set_timesteps(steps)``, then the scheduler's timesteps and σ levels (a ValueError
    when it has none: a σ-level trace needs the levels its steps move between)."""
    scheduler.set_timesteps(steps)
    sigmas = getattr(scheduler, "sigmas", None)
    if sigmas is None:
        raise ValueError(
            "%s has no sigmas after set_timesteps(%d): a %s trace needs the noise levels "
            "its steps move between" % (type(scheduler).__name__, steps, kind)
        )
    return scheduler.timesteps, sigmas



def infer_kind(scheduler):
    """"ddpm", "ddim", "euler", "euler_ancestral", "heun", "dpmpp_2m" or "flow_euler" from
    the class names along the MRO.

    The nearest class named DDPMScheduler, DDIMScheduler, EulerDiscreteScheduler,
    EulerAncestralDiscreteScheduler, HeunDiscreteScheduler, DPMSolverMultistepScheduler or
    FlowMatchEulerDiscreteScheduler decides (so a subclass of one is recorded as that rule). Anything else raises a
    ValueError that asks for ``kind=``: the verifier must be told which rule the steps
    claim to follow.
    """
    for cls in type(scheduler).__mro__:
        kind = _KIND_BY_CLASS_NAME.get(cls.__name__)
        if kind is not None:
            return kind
    raise ValueError(
        "cannot tell which step rule %s follows (it is none of %s); pass kind= (one of %s) "
        "to difftrace.record"
        % (
            type(scheduler).__name__,
            ", ".join(sorted(_KIND_BY_CLASS_NAME)),
            ", ".join(repr(k) for k in _trace.KINDS),
        )
    )


def read_config(scheduler):
    """The scheduler's configuration as plain JSON data, and notes on what was left out.

    Every key is kept as it is (numpy and torch values converted to Python numbers and
    lists) except diffusers' bookkeeping keys, which start with "_" (such as
    ``_use_default_values``), and values that are not data at all (objects), which are
    named in the returned notes instead.
    """
    config = getattr(scheduler, "config", None)
    if config is None:
        return {}, []
    if hasattr(config, "items"):
        items = list(config.items())
    else:
        items = list(vars(config).items())
    out, notes = {}, []
    for key, value in items:
        key = str(key)
        if key.startswith("_"):
            continue
        try:
            out[key] = _values.plain(value)
        except TypeError as error:
            notes.append("config key %r not recorded (%s)" % (key, error))
    return out, notes


def check_dpm_config(config):
    """Raise a ValueError when a "dpmpp_2m" config asks for a solver the trace kind is not.

    The kind is DPM-Solver++(2M): ``algorithm_type`` "dpmsolver++", ``solver_type``
    "midpoint", ``solver_order`` 2 (or 1), a prediction of epsilon, sample or v, and the
    levels of the timestep spacing or Karras's (``use_lu_lambdas``,
    ``use_exponential_sigmas``, ``use_beta_sigmas`` and ``use_flow_sigmas`` false). A key
    that is absent counts as diffusers' default. Every unsupported setting is named.
    """
    problems = []
    for key, default, accepted, rule in _DPM_REQUIRED:
        value = config.get(key, default)
        if value not in accepted:
            problems.append(
                "%s=%r (accepted: %s; %s)"
                % (key, value, ", ".join(repr(a) for a in accepted), rule)
            )
    if config.get("variance_type") in _DPM_REFUSED_VARIANCE:
        problems.append(
            "variance_type=%r (a learned variance is not part of the DPM-Solver++ step)"
            % config.get("variance_type")
        )
    for key in _DPM_UNSUPPORTED_FLAGS:
        if config.get(key, False):
            problems.append("%s=True (the levels must be the timestep spacing's or Karras's)" % key)
    if problems:
        raise ValueError(
            "a \"dpmpp_2m\" trace records DPM-Solver++(2M): algorithm_type \"dpmsolver++\", "
            "solver_type \"midpoint\", solver_order 2 (or 1), with %s all False; this "
            "scheduler's config has %s"
            % (", ".join(_DPM_UNSUPPORTED_FLAGS), "; ".join(problems))
        )


def check_heun_config(config):
    """Raise a ValueError when a "heun" config asks for something the trace kind does not check.

    The kind is Heun's method on the probability-flow ODE (Karras et al. 2022, Algorithm 1
    without churn) as diffusers' HeunDiscreteScheduler makes it: a prediction of epsilon,
    sample or v, x̂₀ not clipped (``clip_sample`` false), and the levels of the timestep
    spacing or Karras's (``use_exponential_sigmas`` and ``use_beta_sigmas`` false). A key
    that is absent counts as diffusers' default. Every unsupported setting is named.
    """
    problems = []
    prediction_type = config.get("prediction_type", "epsilon")
    if prediction_type not in _HEUN_PREDICTION_TYPES:
        problems.append(
            "prediction_type=%r (accepted: %s)"
            % (prediction_type, ", ".join(repr(a) for a in _HEUN_PREDICTION_TYPES))
        )
    for key, why in _HEUN_REFUSED_FLAGS:
        if config.get(key, False):
            problems.append("%s=True (%s)" % (key, why))
    if problems:
        raise ValueError(
            "a \"heun\" trace records Heun's method on the probability-flow ODE (Karras et al. "
            "2022, Algorithm 1 without churn): a prediction of %s, with %s all False; this "
            "scheduler's config has %s"
            % (
                ", ".join(_HEUN_PREDICTION_TYPES),
                ", ".join(key for key, _ in _HEUN_REFUSED_FLAGS),
                "; ".join(problems),
            )
        )


def check_flow_config(config):
    """Raise a ValueError when a "flow_euler" config asks for something the trace kind does not check.

    The kind is the Euler step of the rectified flow, x′ = x + (σ′ − σ)·v, as diffusers'
    FlowMatchEulerDiscreteScheduler makes it (SD3, Flux), on the levels of
    ``num_train_timesteps`` T shifted by a fixed ``shift`` s > 0: ``use_dynamic_shifting``,
    ``invert_sigmas``, ``stochastic_sampling`` and the Karras / exponential / beta levels
    off, and ``shift_terminal`` null. A key that is absent counts as diffusers' default.
    Every unsupported setting is named.
    """
    problems = []
    shift = config.get("shift", 1.0)
    if isinstance(shift, bool) or not isinstance(shift, (int, float)) or not (0 < shift < float("inf")):
        problems.append("shift=%r (the shift s is a finite number > 0)" % (shift,))
    for key, why in _FLOW_REFUSED_FLAGS:
        if config.get(key, False):
            problems.append("%s=%r (%s)" % (key, config.get(key), why))
    if config.get("shift_terminal") is not None:
        problems.append(
            "shift_terminal=%r (the levels are then stretched to end there, not the flow levels)"
            % (config.get("shift_terminal"),)
        )
    if problems:
        raise ValueError(
            "a \"flow_euler\" trace records the rectified flow's Euler step on the levels of "
            "num_train_timesteps and a fixed shift > 0, with %s all False and shift_terminal "
            "None; this scheduler's config has %s"
            % (", ".join(key for key, _ in _FLOW_REFUSED_FLAGS), "; ".join(problems))
        )


def _library_of(cls):
    """("name version", True) for a class from a versioned package, else (module, False)."""
    module = cls.__module__ or "?"
    top = module.split(".")[0]
    version = getattr(sys.modules.get(top), "__version__", None)
    if version is not None and top not in ("__main__", "builtins"):
        return "%s %s" % (top, version), True
    return module, False


def _producer(scheduler):
    """Who computed the trace: library (with version), class, and a versioned base class."""
    cls = type(scheduler)
    library, versioned = _library_of(cls)
    producer = {"library": library, "class": cls.__name__, "difftrace": __version__}
    if not versioned:
        for base in cls.__mro__[1:]:
            if base is object:
                continue
            base_library, base_versioned = _library_of(base)
            if base_versioned:
                producer["base"] = "%s (%s)" % (base.__name__, base_library)
                break
    return producer


def _dtype_name(dtype):
    """A torch or numpy dtype's name without the module: 'float32', 'float64', ..."""
    return str(dtype).replace("torch.", "")


def _default_dtype(scheduler):
    """float64 when the scheduler keeps ᾱ in float64, float32 otherwise (diffusers' default)."""
    alphas_cumprod = getattr(scheduler, "alphas_cumprod", None)
    if alphas_cumprod is not None and _dtype_name(getattr(alphas_cumprod, "dtype", "")) == "float64":
        return "float64"
    return "float32"


def _width_of(values):
    """The significand bits of an array's dtype (None when it has no float dtype we know)."""
    return _WIDTH.get(_dtype_name(getattr(values, "dtype", "")))


def _step_parameters(scheduler):
    """The names `step` accepts, and whether it also accepts **kwargs (None: unknown)."""
    try:
        parameters = inspect.signature(scheduler.step).parameters
    except (TypeError, ValueError):
        return None, True
    names = set(parameters)
    var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return names, var_keyword


def _unpack(output):
    """(prev_sample, pred_original_sample or None) from whatever `step` returned."""
    if hasattr(output, "prev_sample"):
        return output.prev_sample, getattr(output, "pred_original_sample", None)
    if isinstance(output, dict):
        return output["prev_sample"], output.get("pred_original_sample")
    if isinstance(output, (tuple, list)):
        return output[0], (output[1] if len(output) > 1 else None)
    return output, None


_MISSING = object()


def _variance_type(scheduler):
    """The config's variance_type (even when None: diffusers warns when the attribute is
    read instead), else the scheduler's attribute of that name."""
    config = getattr(scheduler, "config", None)
    if config is not None and hasattr(config, "get"):
        found = config.get("variance_type", _MISSING)
        if found is not _MISSING:
            return found
    return getattr(scheduler, "variance_type", None)


def record(scheduler, path, steps=50, seed=0, kind=None, shape=(1, 4, 8, 8), eta=0.0, dtype=None):
    """Run `scheduler` for `steps` sampling steps on seeded inputs and write the trace to `path`.

    What is recorded, and why:

    * ``config`` (as the scheduler holds it): the verifier rebuilds the schedule and the
      timesteps from it, so the recorded arrays are checked against what the
      configuration promises.
    * ``betas`` and ``alphas_cumprod`` as the scheduler holds them (no recomputation): the
      schedule is checked once, and the steps are then checked with these values.
    * ``timesteps`` after ``set_timesteps(steps)``: checked against the spacing the config
      names; for DDPM and DDIM they also fix each step's previous timestep. For the
      σ-level kinds ("euler", "euler_ancestral", "dpmpp_2m") they may be fractional and
      are written as they are (whole "dpmpp_2m" timesteps as integers), and the
      scheduler's ``sigmas`` (all K + 1 levels, the final one included) are recorded as
      well: step i moves from ``sigmas[i]`` to ``sigmas[i+1]``.
    * one ``step`` record for EVERY timestep τ, fed fresh inputs: ``sample`` ~ N(0, 1)
      and ``model_output`` ~ N(0, 1) of `shape`, drawn from a generator seeded from
      `seed` and the step's index. For ``variance_type`` "learned" / "learned_range" the
      model output gets twice the channels: the first half is the prediction (recorded as
      ``model_output``), the second half the predicted variance (recorded as
      ``predicted_variance``): for "learned_range" the interpolation value v in [−1, 1]
      (log σ² = (v+1)/2 · log β + (1 − (v+1)/2) · log β̃, Nichol & Dhariwal 2021, eq. 15),
      for "learned" a value in [0, 1), because diffusers reads that half as σ² itself and
      takes its square root (a negative value would only make NaN). ``step`` is called
      with a generator freshly seeded with the step's own seed s; when the step advanced
      that generator, the noise it drew
      is recorded as ``torch.randn(shape, generator=torch.Generator().manual_seed(s),
      dtype=model_output.dtype)``, which is how diffusers' ``randn_tensor`` draws it on
      the CPU; when it did not, the noise is recorded as null (the step added none).
      ``prev_sample``, ``pred_original_sample`` (when returned), τ, ``eta`` (DDIM) and
      ``shape`` complete the record.

    The σ-level kinds differ in three ways. Their steps must be made in order, one per
    timestep, because diffusers' Euler and DPM-Solver schedulers count their own
    position (``step_index``) rather than look each timestep up; every step is still fed
    fresh inputs. For the Euler kinds the sample is drawn at the scale of its level,
    N(0, 1) · √(σᵢ² + 1) (the spread of x = x₀ + σᵢ·ε for a unit-variance x₀), since the
    Euler step moves the sample x = xτ/√ᾱτ, not the unit-variance xτ ("dpmpp_2m" moves
    xτ itself, drawn N(0, 1)). And before each step the sample goes through
    ``scale_model_input(sample, τ)`` when the scheduler has one, as a pipeline does
    (diffusers warns when it is skipped); its result, the model's input, is not
    recorded: ``sample`` is what ``step`` was handed. Each step record carries ``index``
    i, its position.

    "dpmpp_2m" (DPM-Solver++(2M), Lu et al. 2022) is a multistep rule: diffusers keeps the
    previous step's x̂₀ and uses it in the next step's second-order term. That needs
    nothing extra here: the steps are made in order, each with its own fresh inputs, and
    the verifier recomputes the previous x̂₀ from the previous step record. Its step
    returns no x̂₀, so none is recorded. A config for another solver (``algorithm_type``
    other than "dpmsolver++", ``solver_type`` other than "midpoint", order 3, or the Lu /
    exponential / beta / flow levels) is refused with a ValueError before anything is
    written (see `check_dpm_config`).

    "heun" (Heun's method on the probability-flow ODE, Karras et al. 2022, Algorithm 1
    without churn, as diffusers' HeunDiscreteScheduler makes it) takes two ``step`` calls
    per level, a predictor and a corrector, and is recorded as one step record per level
    with both calls' inputs (``model_output_2``, ``predictor_sample``); its timesteps and
    sigmas are recorded without diffusers' interleaving (see `_record_heun`). A config the
    kind does not check (``clip_sample``, exponential or beta levels, another prediction)
    is refused with a ValueError before anything is written (see `check_heun_config`).

    "flow_euler" (the rectified flow's Euler step, as diffusers'
    FlowMatchEulerDiscreteScheduler makes it for SD3 and Flux) moves x = (1 − σ)·x₀ + σ·ε
    with the velocity v = ε − x₀: x′ = x + (σ′ − σ)·v. It has no schedule (no ``betas``
    or ``alphas_cumprod`` records); its levels follow from ``num_train_timesteps`` and
    ``shift``, and the trace says ``"sample_space": "flow"``. Each level is stepped once,
    in order, with fresh inputs on the flow path at its own level (see `_record_flow`). A
    config the kind does not check (dynamic shifting, inverted sigmas, ``shift_terminal``,
    stochastic sampling, Karras / exponential / beta levels) is refused with a ValueError
    before anything is written (see `check_flow_config`).

    `kind` is "ddpm", "ddim", "euler", "euler_ancestral", "heun", "dpmpp_2m" or
    "flow_euler"; by
    default it is inferred from the class (see `infer_kind`). `dtype` is the precision
    the trace claims and the inputs are made in; by default float32, or float64 when the
    scheduler keeps ``alphas_cumprod`` in float64. `eta` is DDIM's η, passed to each step. Returns `path`.
    """
    import torch

    kind = infer_kind(scheduler) if kind is None else _trace.check_kind(kind)
    if kind in _trace.STAGE_COUNTS:
        raise ValueError(
            "record() cannot record a %r trace: a singlestep DPM-Solver level holds its stage "
            "evaluations, which a scheduler's step() calls do not show; write the steps with "
            "Trace.add_step(..., stages=...) or use difftrace.kdiffusion.record_k_dpm_solver" % kind
        )
    dtype = _default_dtype(scheduler) if dtype is None else _trace.check_dtype(dtype)
    torch_dtype = getattr(torch, dtype)
    shape = tuple(int(n) for n in shape)
    if len(shape) < 2:
        raise ValueError("shape must have a batch and a channel axis, got %r" % (shape,))
    steps = int(steps)
    if steps < 1:
        raise ValueError("steps must be at least 1, got %d" % steps)
    sigma_space = kind in _trace.SIGMA_KINDS

    config, notes = read_config(scheduler)
    if kind == "dpmpp_2m":
        check_dpm_config(config)
    elif kind == "heun":
        check_heun_config(config)
    elif kind == "flow_euler":
        check_flow_config(config)
    schedule_dtype = _default_dtype(scheduler)
    if kind != "flow_euler" and _WIDTH[dtype] > _WIDTH[schedule_dtype]:
        notes.append(
            "the trace claims %s but the scheduler keeps alphas_cumprod in %s, so its "
            "schedule and step coefficients are %s values" % (dtype, schedule_dtype, schedule_dtype)
        )
    producer = _producer(scheduler)

    names, var_keyword = _step_parameters(scheduler)

    def accepts(name):
        return var_keyword or (names is not None and name in names)

    takes_generator = accepts("generator")
    if not takes_generator and kind not in ("heun", "flow_euler"):  # these steps draw no noise
        notes.append(
            "step() takes no generator: the noise it draws cannot be reproduced, "
            "so every step's noise is recorded as null"
        )
    step_eta = None
    if kind == "ddim":
        step_eta = float(eta)
        if not accepts("eta") and step_eta != 0.0:
            raise ValueError("%s.step takes no eta, so eta=%r cannot be passed" % (type(scheduler).__name__, eta))
    elif float(eta) != 0.0:
        raise ValueError("eta is DDIM's parameter; a %s trace takes eta=0.0, got %r" % (kind, eta))

    trace = _trace.Trace(dtype, scheduler=kind, config=config, producer=producer)
    if kind == "flow_euler":
        # Flow matching has no β or ᾱ: its levels are the (shifted) times themselves.
        _record_flow(scheduler, trace, steps, seed, shape, torch_dtype, dtype, accepts, notes)
        if notes:
            trace.producer["notes"] = "; ".join(notes)
        return trace.save(path)
    betas = getattr(scheduler, "betas", None)
    if betas is not None:
        trace.add_betas(betas)
    alphas_cumprod = getattr(scheduler, "alphas_cumprod", None)
    if alphas_cumprod is not None:
        trace.add_alphas_cumprod(alphas_cumprod)

    if kind == "heun":
        _record_heun(scheduler, trace, steps, seed, shape, torch_dtype, dtype, accepts, notes)
        if notes:
            trace.producer["notes"] = "; ".join(notes)
        return trace.save(path)

    levels = None
    if sigma_space:
        timesteps, sigmas = _timesteps_and_sigmas(scheduler, steps, kind)
        trace.add_timesteps(timesteps, steps)
        trace.add_sigmas(sigmas)
        levels = _values.float_list(sigmas)
        width = _width_of(sigmas)
        if width is not None and _WIDTH[dtype] > width:
            notes.append(
                "the trace claims %s but the scheduler keeps its sigmas in %s"
                % (dtype, _dtype_name(sigmas.dtype))
            )
        if len(levels) != len(timesteps) + 1:
            notes.append(
                "the scheduler holds %d sigmas for %d timesteps (a σ-level sampler needs K + 1)"
                % (len(levels), len(timesteps))
            )
    else:
        scheduler.set_timesteps(steps)
        timesteps = scheduler.timesteps
        trace.add_timesteps(timesteps, steps)

    variance_type = _variance_type(scheduler)
    learned = variance_type in ("learned", "learned_range")
    mismatched_draws = []
    misplaced_steps = []
    scale_input = getattr(scheduler, "scale_model_input", None) if sigma_space else None
    scaled_sample = kind in _SCALED_SAMPLE_KINDS

    for index, timestep in enumerate(timesteps):
        inputs = torch.Generator().manual_seed(input_seed(seed, index))
        sample = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        prediction = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        if scaled_sample:
            sample = sample * _sample_scale(levels, index)
        predicted_variance = None
        model_output = prediction
        if learned:
            predicted_variance = torch.rand(shape, generator=inputs, dtype=torch_dtype)
            if variance_type == "learned_range":
                predicted_variance = predicted_variance * 2 - 1
            model_output = torch.cat([prediction, predicted_variance], dim=1)

        s = noise_seed(seed, index)
        generator = torch.Generator().manual_seed(s)
        before = generator.get_state()
        kwargs = {}
        if takes_generator:
            kwargs["generator"] = generator
        if accepts("return_dict"):
            kwargs["return_dict"] = True
        if kind == "ddim" and accepts("eta"):
            kwargs["eta"] = step_eta

        if callable(scale_input):
            scale_input(sample.clone(), timestep)
        if sigma_space:
            position = getattr(scheduler, "step_index", None)
            if isinstance(position, (int, torch.Tensor)) and int(position) != index:
                misplaced_steps.append((index, int(position)))

        # The step gets copies, so a step that writes into its inputs cannot change
        # what is recorded as having gone in.
        output = scheduler.step(model_output.clone(), timestep, sample.clone(), **kwargs)
        prev_sample, pred_original_sample = _unpack(output)

        noise = None
        if takes_generator and not torch.equal(before, generator.get_state()):
            replay = torch.Generator().manual_seed(s)
            noise = torch.randn(prediction.shape, generator=replay, dtype=prediction.dtype)
            if not torch.equal(replay.get_state(), generator.get_state()):
                mismatched_draws.append(index)

        trace.add_step(
            timestep,
            prediction,
            sample,
            prev_sample,
            noise=noise,
            pred_original_sample=pred_original_sample,
            predicted_variance=predicted_variance,
            eta=step_eta,
            shape=shape,
            index=index if sigma_space else None,
        )

    if mismatched_draws:
        notes.append(
            "at steps %s the scheduler drew other random numbers than one standard normal of "
            "the sample's shape; the noise recorded there may not be what it used"
            % ", ".join(str(i) for i in mismatched_draws[:20])
        )
    if misplaced_steps:
        notes.append(
            "the scheduler's own step_index was not the step's position at %s "
            "(position: step_index); each step is recorded at its position"
            % ", ".join("%d: %d" % pair for pair in misplaced_steps[:20])
        )
    if notes:
        trace.producer["notes"] = "; ".join(notes)
    return trace.save(path)


def _record_heun(scheduler, trace, steps, seed, shape, torch_dtype, dtype, accepts, notes):
    """The "heun" part of `record`: two ``step`` calls per level, one step record per level.

    diffusers' HeunDiscreteScheduler holds the K timesteps interleaved, [t0, t1, t1, …,
    t_{K−1}, t_{K−1}] (2K − 1 values, one per ``step`` call a pipeline makes), and the
    K + 1 levels likewise, [σ0, σ1, σ1, …, σ_{K−1}, σ_{K−1}, 0] (2K values). It counts its
    calls (``step_index``) and alternates: the first call of level i is Euler's step from
    σᵢ to σᵢ₊₁ and returns the predictor x̃ (keeping the slope d, the step σᵢ₊₁ − σᵢ and the
    sample x); the second, handed the model's output at x̃ and σᵢ₊₁, returns x + (σᵢ₊₁ −
    σᵢ)·(d + d′)/2. The last level (to σ = 0) is one Euler call. So the trace gets the K
    distinct timesteps (``timesteps[0::2]``) and the K + 1 distinct levels
    (``[sigmas[0]] + sigmas[1::2]``), and each level i:

    * fresh inputs from the generator seeded with ``input_seed(seed, i)``: ``sample`` ~
      N(0, 1)·√(σᵢ² + 1) and ``model_output`` ~ N(0, 1), then, when σᵢ₊₁ > 0,
      ``model_output_2`` ~ N(0, 1) (the model's output at the predictor);
    * the first call with the level's timestep (its return is ``predictor_sample`` and its
      x̂₀ ``pred_original_sample``), and when σᵢ₊₁ > 0 the second call with
      ``model_output_2``, the next interleaved timestep (as a pipeline passes it; the
      scheduler places the call by its own count) and the predictor as the sample; what
      the last call returns is ``prev_sample``.

    ``scale_model_input`` is called before each call, as a pipeline does (its result is
    not recorded).
    """
    import torch

    name = type(scheduler).__name__
    timesteps, sigmas = _timesteps_and_sigmas(scheduler, steps, "heun")
    calls = list(timesteps)
    interleaved = _values.float_list(sigmas)
    if len(calls) != 2 * steps - 1 or len(interleaved) != 2 * steps:
        raise ValueError(
            "%s holds %d timesteps and %d sigmas after set_timesteps(%d); a heun trace reads them "
            "interleaved as diffusers' HeunDiscreteScheduler holds them: 2K − 1 = %d timesteps "
            "[t0, t1, t1, …] and 2K = %d sigmas [σ0, σ1, σ1, …, 0]"
            % (name, len(calls), len(interleaved), steps, 2 * steps - 1, 2 * steps)
        )
    trace.add_timesteps(timesteps[0::2], steps)
    levels = [interleaved[0]] + interleaved[1::2]
    trace.add_sigmas(levels)
    unpaired = [
        i
        for i in range(1, steps)
        if interleaved[2 * i - 1] != interleaved[2 * i]
        or _values.float_list(calls[2 * i - 1]) != _values.float_list(calls[2 * i])
    ]
    if unpaired:
        notes.append(
            "the interleaved timesteps or sigmas are not pairs at levels %s; the levels recorded "
            "are [sigmas[0]] + sigmas[1::2]" % ", ".join(str(i) for i in unpaired[:20])
        )
    width = _width_of(sigmas)
    if width is not None and _WIDTH[dtype] > width:
        notes.append(
            "the trace claims %s but the scheduler keeps its sigmas in %s" % (dtype, _dtype_name(sigmas.dtype))
        )

    scale_input = getattr(scheduler, "scale_model_input", None)
    kwargs = {"return_dict": True} if accepts("return_dict") else {}
    misplaced = []

    def call(position, timestep, output, sample):
        if callable(scale_input):
            scale_input(sample.clone(), timestep)
        found = getattr(scheduler, "step_index", None)
        if isinstance(found, (int, torch.Tensor)) and int(found) != position:
            misplaced.append((position, int(found)))
        # Copies, so a step that writes into its inputs cannot change what is recorded.
        return _unpack(scheduler.step(output.clone(), timestep, sample.clone(), **kwargs))

    for i in range(steps):
        inputs = torch.Generator().manual_seed(input_seed(seed, i))
        sample = torch.randn(shape, generator=inputs, dtype=torch_dtype) * _sample_scale(levels, i)
        model_output = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        timestep = calls[2 * i]
        predictor, pred_original_sample = call(2 * i, timestep, model_output, sample)
        prev_sample, model_output_2, predictor_sample = predictor, None, None
        if float(levels[i + 1]) > 0:
            model_output_2 = torch.randn(shape, generator=inputs, dtype=torch_dtype)
            second = 2 * i + 1
            second_timestep = calls[second] if second < len(calls) else timestep
            prev_sample, _ = call(second, second_timestep, model_output_2, predictor)
            predictor_sample = predictor
        trace.add_step(
            timestep,
            model_output,
            sample,
            prev_sample,
            pred_original_sample=pred_original_sample,
            shape=shape,
            index=i,
            model_output_2=model_output_2,
            predictor_sample=predictor_sample,
        )

    if misplaced:
        notes.append(
            "the scheduler's own step_index was not the call's position at %s (position: "
            "step_index; two calls per level, the first at 2i)"
            % ", ".join("%d: %d" % pair for pair in misplaced[:20])
        )


def _record_flow(scheduler, trace, steps, seed, shape, torch_dtype, dtype, accepts, notes):
    """The "flow_euler" part of `record`: one ``step`` call per level, in order.

    After ``set_timesteps(steps)`` the trace gets the scheduler's K ``timesteps`` (σᵢ·T in
    diffusers, fractional) and its K + 1 ``sigmas`` (the last one 0). Level i gets fresh
    inputs from the generator seeded with ``input_seed(seed, i)``: x₀ ~ N(0, 1) and
    ε ~ N(0, 1), the sample on the flow path at that level, x = (1 − σᵢ)·x₀ + σᵢ·ε (made
    in the trace's dtype; what is recorded is exactly what ``step`` is handed), then the
    model output v ~ N(0, 1), independent of x₀ and ε, so that the step is checked for any
    velocity and not only for the exact ε − x₀. ``step(v, timesteps[i], x)`` is called
    once (diffusers places the call by its own count, ``step_index``, which advances by
    one per call); it draws no noise (stochastic sampling is refused), so no generator is
    handed to it and every step's noise is null.
    """
    import torch

    name = type(scheduler).__name__
    timesteps, sigmas = _timesteps_and_sigmas(scheduler, steps, "flow_euler")
    trace.add_timesteps(timesteps, steps)
    trace.add_sigmas(sigmas)
    levels = _values.float_list(sigmas)
    if len(levels) != len(timesteps) + 1:
        notes.append(
            "the scheduler holds %d sigmas for %d timesteps (a flow_euler sampler needs K + 1)"
            % (len(levels), len(timesteps))
        )
    width = _width_of(sigmas)
    if width is not None and _WIDTH[dtype] > width:
        notes.append(
            "the trace claims %s but the scheduler keeps its sigmas in %s" % (dtype, _dtype_name(sigmas.dtype))
        )

    kwargs = {"return_dict": True} if accepts("return_dict") else {}
    misplaced = []
    for index, timestep in enumerate(timesteps):
        inputs = torch.Generator().manual_seed(input_seed(seed, index))
        x0 = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        eps = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        velocity = torch.randn(shape, generator=inputs, dtype=torch_dtype)
        sigma = _flow_level(levels, index)
        sample = (1.0 - sigma) * x0 + sigma * eps

        position = getattr(scheduler, "step_index", None)
        if isinstance(position, (int, torch.Tensor)) and int(position) != index:
            misplaced.append((index, int(position)))
        # Copies, so a step that writes into its inputs cannot change what is recorded.
        prev_sample, _ = _unpack(scheduler.step(velocity.clone(), timestep, sample.clone(), **kwargs))
        trace.add_step(timestep, velocity, sample, prev_sample, shape=shape, index=index)

    if misplaced:
        notes.append(
            "the scheduler's own step_index was not the step's position at %s "
            "(position: step_index); each step is recorded at its position"
            % ", ".join("%d: %d" % pair for pair in misplaced[:20])
        )


def _flow_level(levels, index):
    """σᵢ of a flow level in [0, 1] (0.5 when it is missing or not a finite level), to draw x at."""
    if index < len(levels) and isinstance(levels[index], float) and 0.0 <= levels[index] <= 1.0:
        return levels[index]
    return 0.5


def _sample_scale(levels, index):
    """√(σᵢ² + 1): the spread of x = x₀ + σᵢ·ε at level i (1 when σᵢ is missing or not finite)."""
    if index < len(levels) and isinstance(levels[index], float):
        return (levels[index] ** 2 + 1.0) ** 0.5
    return 1.0
