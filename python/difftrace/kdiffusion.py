"""`kdiffusion`: k-diffusion's samplers run as shipped, on a seeded denoiser, and recorded.

k-diffusion (Katherine Crowson's ``k-diffusion`` package on PyPI) is where many
pipelines' samplers come from: ``sample_euler``, ``sample_euler_ancestral``,
``sample_heun``, ``sample_dpmpp_2m`` and ``sample_dpm_2`` in ``k_diffusion/sampling.py``
each walk a list of noise levels σ with a denoiser ``model(x, sigma) -> x̂₀`` on the scaled
sample x = x₀ + σ·ε. `record_k_sampler` runs one of them and writes what it computed as a
trace; `record_k_dpm_solver` does the same for the singlestep DPM-Solver-2 and -3 steps of
its ``DPMSolver`` class.

Loading. The package's ``__init__`` imports every module of its training stack
(augmentation needs scikit-image, evaluation clean-fid and CLIP, models einops, utils
torchvision, ...), and torchvision from PyPI does not load against a CPU build of torch
(its C extension links the CUDA libraries). The samplers need none of that:
``sampling.py`` imports scipy, torch, torchdiffeq, torchsde, tqdm and ``utils``;
``utils.py`` imports Pillow, safetensors, torch and ``torchvision.transforms.functional``,
which it uses only in its two image helpers ``from_pil_image`` and ``to_pil_image``. So
`load_sampling` installs k-diffusion's files nowhere new and changes none of them: it
finds the installed package folder (``pip install --no-deps k-diffusion``, as
scripts/setup does), makes a package module of its own (`PACKAGE`) whose ``__path__`` is
that folder, and executes the installed ``utils.py``, ``sampling.py`` and ``external.py``
as its submodules, so their relative imports (``from . import utils``) resolve to the
same files. The package ``__init__`` (two import lines, nothing else) is not run. While
``utils.py`` executes, ``torchvision``, ``torchvision.transforms`` and
``torchvision.transforms.functional`` are stand-ins in ``sys.modules`` (the import
statement needs the parents too; importing the real parents would run torchvision's
``__init__``); afterwards ``sys.modules`` is put back as it was, and utils' ``TF`` is the
stand-in, whose every attribute raises an error that says why. Everything the samplers
compute is then k-diffusion's own code. If torchvision's functional module is already
loaded, the real one is used.

The denoiser. Each call returns a FRESH seeded x̂₀ ~ N(0, 1) of the sample's shape (the
n-th call draws from a generator seeded with ``difftrace.record.input_seed(seed, n + 1)``; the
starting sample is N(0, 1)·σ₀ from ``input_seed(seed, 0)``), so each level is an
independent test of the step, while the sampler itself carries x from level to level as
it would with a network. The noise of the ancestral sampler comes from a recording
``noise_sampler`` (the n-th draw seeded with ``difftrace.record.noise_seed(seed, n)``).
"""

import base64
import contextlib
import hashlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import threading
import types

from . import trace as _trace
from . import values as _values
from .record import input_seed, noise_seed

__all__ = [
    "load_sampling",
    "load_external",
    "installed_folder",
    "installed_version",
    "check_installed_files",
    "sigma_range",
    "karras_sigmas",
    "record_k_sampler",
    "record_k_dpm_solver",
    "SAMPLERS",
    "DPM_SOLVER_KINDS",
    "PACKAGE",
]

#: The name the installed k-diffusion files are loaded under (not ``k_diffusion``, so the
#: real package name is left alone).
PACKAGE = "difftrace._k_diffusion"

#: The samplers `record_k_sampler` knows, and the trace kind each one's steps follow.
SAMPLERS = {
    "sample_euler": "euler",
    "sample_euler_ancestral": "euler_ancestral",
    "sample_heun": "heun",
    "sample_dpmpp_2m": "dpmpp_2m",
    "sample_dpm_2": "dpm_solver_2",
}

#: The modules the loaded files import from outside the package, and the pip name of each.
_DEPENDENCIES = {
    "scipy": "scipy",
    "torch": "torch",
    "torchdiffeq": "torchdiffeq",
    "torchsde": "torchsde",
    "trampoline": "trampoline",
    "tqdm": "tqdm",
    "PIL": "Pillow",
    "safetensors": "safetensors",
    "numpy": "numpy",
}

#: The files loaded, in order (utils first: sampling and external import it).
_FILES = ("utils", "sampling", "external")

#: The config keys that name a schedule (diffusers' DDPMScheduler's).
_SCHEDULE_KEYS = (
    "num_train_timesteps",
    "beta_start",
    "beta_end",
    "beta_schedule",
    "trained_betas",
    "rescale_betas_zero_snr",
)

#: What every k-diffusion trace's config says: the denoiser returns x̂₀, the levels are
#: Karras's, and the spacing whose ends are σ at τ = 0 and τ = T − 1 (the range k-diffusion's
#: levels span).
_FIXED_CONFIG = {"prediction_type": "sample", "use_karras_sigmas": True, "timestep_spacing": "linspace"}

_lock = threading.RLock()
_modules = {}


def installed_folder():
    """The folder of the installed ``k_diffusion`` package (found without importing it).

    Raises ImportError, saying how to install it, when it is not installed.
    """
    spec = importlib.util.find_spec("k_diffusion")
    locations = list(getattr(spec, "submodule_search_locations", None) or []) if spec else []
    if not locations:
        raise ImportError(
            "k-diffusion is not installed: `pip install --no-deps k-diffusion` (scripts/setup does; "
            "its sampling code also needs scipy, torchdiffeq, torchsde, tqdm, Pillow and safetensors)"
        )
    for folder in locations:
        if all(os.path.isfile(os.path.join(folder, name + ".py")) for name in _FILES):
            return folder
    raise ImportError(
        "the installed k_diffusion package (%s) has no %s"
        % (", ".join(locations), " / ".join(name + ".py" for name in _FILES))
    )


def installed_version():
    """The installed k-diffusion's version (from its metadata), or None."""
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover
        return None
    try:
        return metadata.version("k-diffusion")
    except metadata.PackageNotFoundError:
        return None


def check_installed_files():
    """{file name: True/False}: whether each loaded file's sha256 is the one in the wheel's RECORD.

    So a test can show that the code run is k-diffusion's as shipped. A file the RECORD
    does not list maps to None.
    """
    from importlib import metadata

    folder = installed_folder()
    distribution = metadata.distribution("k-diffusion")
    expected = {}
    for entry in distribution.files or []:
        if entry.hash is not None and entry.hash.mode == "sha256":
            expected[os.path.normpath(str(distribution.locate_file(entry)))] = entry.hash.value
    out = {}
    for name in _FILES:
        path = os.path.normpath(os.path.join(folder, name + ".py"))
        with open(path, "rb") as f:
            digest = base64.urlsafe_b64encode(hashlib.sha256(f.read()).digest()).rstrip(b"=").decode()
        out[name + ".py"] = None if path not in expected else digest == expected[path]
    return out


def _stand_in(name, package):
    module = types.ModuleType(name)
    module.__doc__ = "difftrace.kdiffusion's stand-in: torchvision is not loaded"
    if package:
        module.__path__ = []

    def __getattr__(attribute):
        raise AttributeError(
            "%s.%s: this is difftrace.kdiffusion's stand-in for torchvision, which is not loaded "
            "(k-diffusion's image helpers utils.from_pil_image and utils.to_pil_image need it; "
            "its samplers do not)" % (name, attribute)
        )

    module.__getattr__ = __getattr__
    return module


@contextlib.contextmanager
def _torchvision_stand_in():
    """While utils.py executes: stand-ins for torchvision.transforms.functional and its parents.

    Unless the real torchvision.transforms.functional is already loaded (then nothing is
    changed). Afterwards sys.modules holds exactly what it held before.
    """
    names = ("torchvision", "torchvision.transforms", "torchvision.transforms.functional")
    if names[-1] in sys.modules:
        yield
        return
    saved = {name: sys.modules[name] for name in names if name in sys.modules}
    top = _stand_in(names[0], True)
    transforms = _stand_in(names[1], True)
    functional = _stand_in(names[2], False)
    top.transforms = transforms
    transforms.functional = functional
    sys.modules.update({names[0]: top, names[1]: transforms, names[2]: functional})
    try:
        yield
    finally:
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def _missing_dependency(error):
    name = (getattr(error, "name", None) or "").split(".")[0]
    if name in _DEPENDENCIES:
        return ImportError(
            "k-diffusion's sampling code needs the module %r, which is not installed "
            "(`pip install %s`; scripts/setup installs it)" % (name, _DEPENDENCIES[name])
        )
    return ImportError("loading k-diffusion's sampling code failed: %s: %s" % (type(error).__name__, error))


def _load(name):
    """The installed k_diffusion/<name>.py executed as PACKAGE.<name> (see the module doc)."""
    with _lock:
        if name in _modules:
            return _modules[name]
        folder = installed_folder()
        created = []
        try:
            package = sys.modules.get(PACKAGE)
            if package is None:
                package = types.ModuleType(PACKAGE)
                package.__doc__ = "k-diffusion's installed files, loaded without the package __init__"
                package.__path__ = [folder]
                package.__package__ = PACKAGE
                spec = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
                spec.submodule_search_locations = [folder]
                package.__spec__ = spec
                sys.modules[PACKAGE] = package
                created.append(PACKAGE)
            for part in _FILES[: _FILES.index(name) + 1]:
                full = PACKAGE + "." + part
                if part in _modules:
                    continue
                spec = importlib.util.spec_from_file_location(full, os.path.join(folder, part + ".py"))
                module = importlib.util.module_from_spec(spec)
                sys.modules[full] = module
                created.append(full)
                if part == "utils":
                    with _torchvision_stand_in():
                        spec.loader.exec_module(module)
                else:
                    spec.loader.exec_module(module)
                setattr(package, part, module)
                _modules[part] = module
        except ImportError as error:
            for full in created:
                sys.modules.pop(full, None)
                _modules.pop(full.rsplit(".", 1)[-1], None)
            raise _missing_dependency(error) from error
        return _modules[name]


def load_sampling():
    """k-diffusion's ``sampling`` module, loaded from the installed files (see the module doc).

    Raises ImportError naming what is missing: k-diffusion itself, or a module its
    sampling code imports (scipy, torchdiffeq, torchsde, tqdm, Pillow, safetensors).
    """
    return _load("sampling")


def load_external():
    """k-diffusion's ``external`` module (the CompVis/OpenAI model wrappers), loaded likewise."""
    return _load("external")


def _schedule_config(config):
    """The schedule keys of `config`, and a ValueError for keys a k-diffusion trace cannot have."""
    schedule, problems = {}, []
    for key, value in (config or {}).items():
        if key in _SCHEDULE_KEYS:
            schedule[key] = value
        elif key in _FIXED_CONFIG:
            if value != _FIXED_CONFIG[key]:
                problems.append("%s=%r (a k-diffusion trace has %r)" % (key, value, _FIXED_CONFIG[key]))
        else:
            problems.append("%s (not a schedule key: %s)" % (key, ", ".join(_SCHEDULE_KEYS)))
    if problems:
        raise ValueError("config for a k-diffusion trace: " + "; ".join(problems))
    return schedule


def _alphas_cumprod(config):
    """ᾱ of the config's schedule, as diffusers' DDPMScheduler holds it (float32)."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(**_schedule_config(config)).alphas_cumprod


def _compvis_schedule(config):
    """k-diffusion's CompVisDenoiser for a model whose alphas_cumprod is the config's schedule."""
    external = load_external()
    model = types.SimpleNamespace(alphas_cumprod=_alphas_cumprod(config))
    return external.CompVisDenoiser(model)


def sigma_range(config):
    """(σ_min, σ_max) = √((1 − ᾱ)/ᾱ) at τ = 0 and τ = T − 1, as k-diffusion's CompVisDenoiser has them.

    ᾱ is the config's schedule as diffusers' DDPMScheduler holds it (float32, as a CompVis
    model's ``alphas_cumprod`` buffer); the σ are computed by k-diffusion's own
    ``CompVisDenoiser`` (``sigma_min`` and ``sigma_max``, in float32) and returned as
    Python floats, as a script passes them to ``get_sigmas_karras``.
    """
    schedule = _compvis_schedule(config)
    low, high = schedule.sigma_min.item(), schedule.sigma_max.item()
    if not (0 < low < high < float("inf")):
        raise ValueError(
            "the schedule's σ range (%r, %r) is not finite and increasing (a zero-terminal-SNR "
            "schedule has σ = ∞ at τ = T − 1)" % (low, high)
        )
    return low, high


def karras_sigmas(config, steps, rho=7.0):
    """k-diffusion's ``get_sigmas_karras(steps, σ_min, σ_max, rho)`` over the config's σ range.

    K = `steps` levels from σ_max down to σ_min (Karras et al. 2022, eq. 5), then 0: the
    K + 1 levels a sampler steps through (a float32 tensor, as k-diffusion makes it).
    """
    low, high = sigma_range(config)
    return load_sampling().get_sigmas_karras(int(steps), low, high, rho=rho)


def _sampler_function(sampler, sampling):
    if isinstance(sampler, str):
        if sampler not in SAMPLERS:
            raise ValueError(
                "unknown k-diffusion sampler %r (recorded: %s)" % (sampler, ", ".join(SAMPLERS))
            )
        return getattr(sampling, sampler)
    if not callable(sampler):
        raise TypeError("sampler must be one of k-diffusion's sampler functions or its name, got %r" % (sampler,))
    return sampler


def _accepts(function, name):
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _at_level(sigma, level):
    """Whether every element of the denoiser's sigma argument is the level `level` exactly."""
    return all(v == level for v in _values.float_list(sigma))


def _between_levels(sigma, low, high):
    """Whether every element of the denoiser's sigma argument lies strictly between `low` and `high`."""
    return all(low < v < high for v in _values.float_list(sigma))


def _check_levels(sigmas, kind, torch_dtype):
    """(sigmas as a `torch_dtype` tensor, its levels as floats, K) — or a ValueError.

    The levels must be K + 1 ≥ 2 finite, decreasing values ending at 0, and K = 1 is
    refused for every kind but "dpmpp_2m" (see `record_k_sampler`).
    """
    import torch

    sigmas = torch.as_tensor(sigmas).to(torch_dtype)
    levels = _values.float_list(sigmas)
    steps = len(levels) - 1
    if steps < 1 or levels[-1] != 0.0 or not all(
        isinstance(a, float) and isinstance(b, float) and a > b for a, b in zip(levels, levels[1:])
    ):
        raise ValueError(
            "sigmas must be K + 1 ≥ 2 finite, decreasing levels ending at 0 (as get_sigmas_karras "
            "makes them), got %r" % (levels,)
        )
    if steps == 1 and kind != "dpmpp_2m":
        raise ValueError(
            "K = 1 cannot be described for a %r trace: get_sigmas_karras(1, σ_min, σ_max) is "
            "[σ_max, 0], but the Karras levels of the linspace spacing with K = 1 span its only "
            "timestep τ = 0, [σ(0), 0] (diffusers' EulerDiscreteScheduler gives that), so the "
            "config would name other levels than the sampler walks; use K ≥ 2" % kind
        )
    return sigmas, levels, steps


def _check_shape(shape):
    shape = tuple(int(n) for n in shape)
    if len(shape) < 2:
        raise ValueError("shape must have a batch and a channel axis, got %r" % (shape,))
    return shape


def _seeded_denoiser(seed, calls):
    """The denoiser of the module doc: a fresh seeded x̂₀ per call, each call appended to `calls`."""
    import torch

    def denoiser(x, sigma, **extra_args):
        generator = torch.Generator().manual_seed(input_seed(seed, len(calls) + 1))
        output = torch.randn(x.shape, generator=generator, dtype=x.dtype)
        calls.append((x.detach().clone(), sigma.detach().clone(), output.clone()))
        return output

    return denoiser


def _start_sample(seed, shape, torch_dtype, sigma):
    """x = N(0, 1)·σ₀, drawn from ``input_seed(seed, 0)``."""
    import torch

    start = torch.Generator().manual_seed(input_seed(seed, 0))
    return torch.randn(shape, generator=start, dtype=torch_dtype) * sigma


def _k_trace(kind, schedule_config, dtype, about, producer):
    """The Trace of a k-diffusion run: its kind, the config with _FIXED_CONFIG, the producer."""
    full_config = dict(schedule_config)
    full_config.update(_FIXED_CONFIG)
    about = dict({"library": "k-diffusion %s" % (installed_version() or "?")}, **about)
    about.update(producer or {})
    return _trace.Trace(
        dtype,
        scheduler=kind,
        config=full_config,
        producer=about,
        sample_space="scaled" if kind == "dpmpp_2m" else None,
    )


def record_k_sampler(
    sampler,
    path,
    *,
    kind,
    sigmas,
    config,
    shape=(1, 4, 8, 8),
    seed=0,
    dtype="float32",
    producer=None,
):
    """Run k-diffusion's `sampler` on a seeded denoiser and write the trace to `path`.

    `sampler` is one of k-diffusion's ``sample_euler``, ``sample_euler_ancestral``,
    ``sample_heun``, ``sample_dpmpp_2m`` or ``sample_dpm_2`` (the function, e.g. from
    `load_sampling`, or its name), and `kind` the trace kind its steps follow ("euler",
    "euler_ancestral", "heun", "dpmpp_2m", "dpm_solver_2"; see SAMPLERS). `sigmas` are the K + 1 levels it walks, ending at
    0 (as `karras_sigmas` makes them with k-diffusion's ``get_sigmas_karras``); `config`
    holds the schedule they came from, with diffusers' keys (``beta_schedule``,
    ``beta_start``, ``beta_end``, ``num_train_timesteps``, ...), which the verifier
    rebuilds the levels from.

    The sampler is called as a script calls it: ``sampler(model, x, sigmas,
    disable=True)`` (plus ``noise_sampler=`` for the ancestral one), with x = N(0, 1)·σ₀
    and a denoiser that returns fresh seeded outputs (see the module doc); torch's global
    random state is restored afterwards (the Euler and Heun samplers draw churn noise from
    it even when they add none). Then the trace:

    * ``scheduler`` `kind`; ``sample_space`` "scaled" for "dpmpp_2m" (k-diffusion's
      DPM-Solver++(2M) moves x = x₀ + σ·ε, not xτ); ``config`` the schedule keys with
      ``prediction_type`` "sample" (the denoiser returns x̂₀), ``use_karras_sigmas`` true
      and ``timestep_spacing`` "linspace" (whose ends are τ = 0 and T − 1, the σ range);
    * a ``sigmas`` record: `sigmas`, as the sampler was handed them;
    * one ``step`` record per level i: ``index`` i, ``sample`` x_i (what the denoiser got
      at σᵢ), ``model_output`` its x̂₀, ``prev_sample`` x_{i+1} (what the denoiser got at
      the next level, or what the sampler returned), ``timestep`` the fractional τ of σᵢ
      as k-diffusion's CompVisDenoiser.sigma_to_t gives it (a CompVis model's input; the
      step does not read it). "heun" adds, when σᵢ₊₁ > 0, ``predictor_sample`` and
      ``model_output_2`` (the second denoiser call, at σᵢ₊₁); "euler_ancestral" adds the
      ``noise`` drawn, null at the last level, where none is. "dpm_solver_2"
      (``sample_dpm_2``, whose midpoint σ_mid = exp(lerp(log σᵢ, log σᵢ₊₁, ½)) is
      DPM-Solver-2's s₁ and its x_2 = x + d·(σ_mid − σᵢ) the stage point u₁) adds, when
      σᵢ₊₁ > 0, ``stages``: one, the second denoiser call's x (u₁) as ``sample`` and its
      x̂₀ as ``model_output``; the last level (σᵢ₊₁ = 0) is its Euler branch, one call.

    K = 1 is refused for every kind but "dpmpp_2m": k-diffusion's single level is σ_max,
    the linspace spacing's is σ at τ = 0 (see the ValueError).

    The denoiser calls must fall one per level (two for Heun's and DPM-Solver-2's levels
    with σᵢ₊₁ > 0) at exactly the levels given (DPM-Solver-2's second call strictly
    between σᵢ₊₁ and σᵢ); otherwise a RuntimeError says where they did not. Returns
    `path`.
    """
    import torch

    sampling = load_sampling()
    function = _sampler_function(sampler, sampling)
    kind = _trace.check_kind(kind)
    if kind not in SAMPLERS.values():
        raise ValueError(
            "a k-diffusion sampler's trace kind is one of %s, got %r%s"
            % (
                ", ".join(SAMPLERS.values()),
                kind,
                " (DPMSolver's singlestep steps are recorded by record_k_dpm_solver)" if kind in DPM_SOLVER_KINDS.values() else "",
            )
        )
    named = SAMPLERS.get(getattr(function, "__name__", None))
    if named is not None and named != kind:
        raise ValueError("%s's steps are %r steps, not %r" % (function.__name__, named, kind))
    dtype = _trace.check_dtype(dtype)
    torch_dtype = getattr(torch, dtype)
    shape = _check_shape(shape)
    schedule_config = _schedule_config(config)
    sigmas, levels, steps = _check_levels(sigmas, kind, torch_dtype)
    ancestral = kind == "euler_ancestral"
    if ancestral and not _accepts(function, "noise_sampler"):
        raise ValueError("%s takes no noise_sampler, so its noise cannot be recorded" % function.__name__)

    calls = []
    draws = []
    denoiser = _seeded_denoiser(seed, calls)

    def noise_sampler(sigma, sigma_next):
        generator = torch.Generator().manual_seed(noise_seed(seed, len(draws)))
        noise = torch.randn(shape, generator=generator, dtype=torch_dtype)
        draws.append((len(calls), noise.clone()))
        return noise

    x = _start_sample(seed, shape, torch_dtype, sigmas[0])
    kwargs = {"disable": True}
    if ancestral:
        kwargs["noise_sampler"] = noise_sampler
    with torch.random.fork_rng(devices=[]):
        final = function(denoiser, x, sigmas, **kwargs)

    schedule = _compvis_schedule(schedule_config)
    function_name = getattr(function, "__name__", repr(function))
    trace = _k_trace(kind, schedule_config, dtype, {"function": function_name}, producer)
    trace.add_sigmas(sigmas)

    def take(level_index, level):
        if position[0] >= len(calls):
            raise RuntimeError(
                "%s made %d denoiser calls; level %d (σ = %r) has none"
                % (function_name, len(calls), level_index, level)
            )
        x_in, sigma, output = calls[position[0]]
        if not _at_level(sigma, level):
            raise RuntimeError(
                "%s's denoiser call %d was at σ = %r, where a %s trace expects σ = %r (level %d)"
                % (function_name, position[0], _values.float_list(sigma), kind, level, level_index)
            )
        position[0] += 1
        return x_in, output

    def take_stage(level_index, low, high):
        if position[0] >= len(calls):
            raise RuntimeError(
                "%s made %d denoiser calls; level %d has no stage call" % (function_name, len(calls), level_index)
            )
        x_in, sigma, output = calls[position[0]]
        if not _between_levels(sigma, low, high):
            raise RuntimeError(
                "%s's denoiser call %d was at σ = %r, where a %s trace expects level %d's stage "
                "strictly between σ = %r and %r" % (function_name, position[0], _values.float_list(sigma), kind,
                                                   level_index, low, high)
            )
        position[0] += 1
        return x_in, output

    position = [0]
    used_draws = 0
    for i in range(steps):
        sample, model_output = take(i, levels[i])
        predictor_sample = model_output_2 = None
        if kind == "heun" and levels[i + 1] > 0:
            predictor_sample, model_output_2 = take(i + 1, levels[i + 1])
        stages = None
        if kind == "dpm_solver_2" and levels[i + 1] > 0:
            stage_sample, stage_output = take_stage(i, levels[i + 1], levels[i])
            stages = [{"model_output": stage_output, "sample": stage_sample}]
        noise = None
        if ancestral:
            here = [n for after, n in draws if after == position[0]]
            if len(here) > 1:
                raise RuntimeError("%s drew %d noises at level %d" % (function_name, len(here), i))
            if here:
                noise = here[0]
                used_draws += 1
        if i + 1 < steps:
            if position[0] >= len(calls):
                raise RuntimeError("%s stopped after level %d of %d" % (function_name, i, steps))
            prev_sample = calls[position[0]][0]
        else:
            prev_sample = final
        tau = schedule.sigma_to_t(torch.tensor(levels[i], dtype=schedule.sigmas.dtype))
        trace.add_step(
            tau,
            model_output,
            sample,
            prev_sample,
            noise=noise,
            shape=shape,
            index=i,
            model_output_2=model_output_2,
            predictor_sample=predictor_sample,
            stages=stages,
        )
    if position[0] != len(calls) or used_draws != len(draws):
        raise RuntimeError(
            "%s made %d denoiser calls and drew %d noises; a %s trace of %d levels accounts for %d and %d"
            % (function_name, len(calls), len(draws), kind, steps, position[0], used_draws)
        )
    return trace.save(path)


#: The unit roundoff of each dtype (how near k-diffusion's σ(t(σ)) comes back to σ).
_UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11, "bfloat16": 2.0**-8}

#: The singlestep DPM-Solver orders `record_k_dpm_solver` records, and each one's trace kind.
DPM_SOLVER_KINDS = {2: "dpm_solver_2", 3: "dpm_solver_3"}


def record_k_dpm_solver(
    path,
    *,
    order,
    sigmas,
    config,
    shape=(1, 4, 8, 8),
    seed=0,
    dtype="float32",
    producer=None,
):
    """Run k-diffusion's singlestep DPM-Solver-2 or -3 level by level and write the trace to `path`.

    `order` is 2 or 3; `sigmas`, `config`, `shape`, `seed`, `dtype` and `producer` are as
    for `record_k_sampler` (K ≥ 2 levels ending at 0, the schedule with diffusers' keys).
    With ``solver = DPMSolver(model)`` (k-diffusion's class, on the seeded denoiser of the
    module doc, x = N(0, 1)·σ₀ at the start), each level i with σᵢ₊₁ > 0 is ONE call of
    k-diffusion's own ``solver.dpm_solver_2_step(x, t, t_next)`` or
    ``solver.dpm_solver_3_step(x, t, t_next)`` with t = ``solver.t(σᵢ)`` and t_next =
    ``solver.t(σᵢ₊₁)`` (k-diffusion's t(σ) = −log σ, so h = t_next − t = log(σᵢ/σᵢ₊₁)),
    with the default r₁ = 1/2, or r₁ = 1/3 and r₂ = 2/3, and its x' carried to the next
    level. The last level, to σ = 0, where t_next = ∞ and the DPMSolver steps are not
    defined, is k-diffusion's ``sample_dpm_2(model, x, sigmas[-2:])``: its Euler branch
    x' = x + (0 − σ)·(x − x̂₀)/σ, one denoiser call. Everything that is computed is
    k-diffusion's code.

    The trace: ``scheduler`` "dpm_solver_2" or "dpm_solver_3" (the scaled sample, no
    ``sample_space`` written), the config and ``sigmas`` record as `record_k_sampler`
    writes them, and one ``step`` record per level: ``index`` i, ``timestep`` the
    fractional τ of σᵢ (CompVisDenoiser.sigma_to_t, not read by the step), ``sample`` x,
    ``model_output`` the first denoiser call's x̂₀, ``stages`` the following call(s) of the
    level in order (their x, the stage points u₁ (and u₂), as ``sample``, their x̂₀ as
    ``model_output``), none at the last level, and ``prev_sample`` what the step returned.

    k-diffusion calls the model at ``solver.sigma(t) = exp(−t)``, so a level's first call
    is at exp(log σᵢ), which in `dtype` may differ from σᵢ by a few units of roundoff
    (the denoiser's output does not depend on σ; the trace's σᵢ is the level the step is
    checked at). The calls must fall as described (the first within 64·u·(1 + |log σᵢ|)
    of σᵢ, the stage calls strictly between σᵢ₊₁ and σᵢ, the last level's call at σ
    exactly); otherwise a RuntimeError says where they did not. Returns `path`.
    """
    import torch

    if order not in DPM_SOLVER_KINDS:
        raise ValueError("order is 2 or 3 (DPMSolver.dpm_solver_2_step / dpm_solver_3_step), got %r" % (order,))
    kind = DPM_SOLVER_KINDS[order]
    stage_count = _trace.STAGE_COUNTS[kind]
    sampling = load_sampling()
    dtype = _trace.check_dtype(dtype)
    torch_dtype = getattr(torch, dtype)
    shape = _check_shape(shape)
    schedule_config = _schedule_config(config)
    sigmas, levels, steps = _check_levels(sigmas, kind, torch_dtype)

    calls = []
    denoiser = _seeded_denoiser(seed, calls)
    solver = sampling.DPMSolver(denoiser)
    step_function = solver.dpm_solver_2_step if order == 2 else solver.dpm_solver_3_step
    step_name = "DPMSolver.dpm_solver_%d_step" % order

    x = _start_sample(seed, shape, torch_dtype, sigmas[0])
    # (sample, index of the level's first call, prev_sample) per level
    done = []
    with torch.random.fork_rng(devices=[]):
        with torch.no_grad():
            for i in range(steps - 1):
                first = len(calls)
                t, t_next = solver.t(sigmas[i]), solver.t(sigmas[i + 1])
                x_next, _ = step_function(x, t, t_next)
                done.append((x, first, x_next))
                x = x_next
            first = len(calls)
            final = sampling.sample_dpm_2(denoiser, x, sigmas[-2:], disable=True)
            done.append((x, first, final))

    schedule = _compvis_schedule(schedule_config)
    trace = _k_trace(
        kind,
        schedule_config,
        dtype,
        {
            "function": step_name,
            "last level": "sample_dpm_2 (its Euler branch, sigmas[-2:])",
            "t": "DPMSolver.t(sigma) = -log(sigma)",
        },
        producer,
    )
    trace.add_sigmas(sigmas)
    unit = _UNIT_ROUNDOFF[dtype]
    for i, (sample, first, prev_sample) in enumerate(done):
        last = i == steps - 1
        expected_calls = 1 if last else 1 + stage_count
        following = done[i + 1][1] if not last else len(calls)
        where = "sample_dpm_2's Euler branch" if last else step_name
        if following - first != expected_calls:
            raise RuntimeError(
                "%s made %d denoiser calls at level %d; a %s level has %d"
                % (where, following - first, i, kind, expected_calls)
            )
        x_in, sigma, model_output = calls[first]
        if last:
            near = _at_level(sigma, levels[i])
        else:
            allowed = 64 * unit * (1 + abs(float(torch.tensor(levels[i], dtype=torch.float64).log())))
            near = all(abs(v - levels[i]) <= allowed * levels[i] for v in _values.float_list(sigma))
        if not near or not torch.equal(x_in, sample):
            raise RuntimeError(
                "%s's first denoiser call of level %d was at σ = %r (x %s the level's sample); "
                "a %s trace expects σ = %r" % (where, i, _values.float_list(sigma),
                                                "is" if torch.equal(x_in, sample) else "is not", kind, levels[i])
            )
        stages = []
        for k in range(first + 1, following):
            stage_sample, stage_sigma, stage_output = calls[k]
            if not _between_levels(stage_sigma, levels[i + 1], levels[i]):
                raise RuntimeError(
                    "%s's stage call %d of level %d was at σ = %r, not strictly between σ = %r and %r"
                    % (step_name, k - first, i, _values.float_list(stage_sigma), levels[i + 1], levels[i])
                )
            stages.append({"model_output": stage_output, "sample": stage_sample})
        tau = schedule.sigma_to_t(torch.tensor(levels[i], dtype=schedule.sigmas.dtype))
        trace.add_step(
            tau,
            model_output,
            sample,
            prev_sample,
            shape=shape,
            index=i,
            stages=stages or None,
        )
    return trace.save(path)
