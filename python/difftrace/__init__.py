"""difftrace: record what diffusion code computed, for `lessons verify` to check.

A trace (docs/trace-format.md in the project) is one JSON file holding a scheduler's
configuration, its noise schedule, its timesteps and individual sampler steps, each with
every input it used, so that the verifier can recompute each value from the math and
compare within a rounding bound.

Two ways in:

* ``difftrace.record(scheduler, "trace.json", steps=10)`` runs a diffusers-style
  scheduler object on seeded inputs and records everything;
* ``difftrace.Trace(dtype, scheduler=..., config=...)`` builds a trace record by record
  for code that is not such an object;
* ``difftrace.kdiffusion.record_k_sampler(...)`` runs one of k-diffusion's samplers
  (``sample_euler``, ``sample_euler_ancestral``, ``sample_heun``, ``sample_dpmpp_2m``)
  with a seeded denoiser and records every level.

``Trace`` also records plain functions, one evaluation per "formula record", each with
the inputs it used: ``add_q_sample`` (xτ = √ᾱ·x0 + √(1−ᾱ)·ε; diffusers' ``add_noise``),
``add_velocity`` (``get_velocity``), ``add_conversion`` (ε, x0, v and the score into one
another), ``add_posterior`` (the mean and variance of q(x_s | xτ, x0)), ``add_snr``
(``compute_snr``), ``add_loss_weight`` (min-SNR-γ and the variational bound's weights) and
``add_cfg`` (classifier-free guidance, with ``rescale_noise_cfg``). These need no
``scheduler``; ᾱ comes from the trace's ``alphas_cumprod`` record when it has one, else
from the config's schedule.
"""

from ._version import __version__
from .record import infer_kind, record
from .trace import DTYPES, FORMAT, FORMAT_VERSION, KINDS, SAMPLE_SPACES, SIGMA_KINDS, Trace
from .values import encode_float, float_list, int_list

__all__ = [
    "__version__",
    "record",
    "infer_kind",
    "Trace",
    "DTYPES",
    "KINDS",
    "SIGMA_KINDS",
    "SAMPLE_SPACES",
    "FORMAT",
    "FORMAT_VERSION",
    "encode_float",
    "float_list",
    "int_list",
]
