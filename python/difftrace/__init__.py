"""difftrace: record what diffusion code computed, for `lessons verify` to check.

A trace (docs/trace-format.md in the project) is one JSON file holding a scheduler's
configuration, its noise schedule, its timesteps and individual sampler steps, each with
every input it used, so that the verifier can recompute each value from the math and
compare within a rounding bound.

Two ways in:

* ``difftrace.record(scheduler, "trace.json", steps=10)`` runs a diffusers-style
  scheduler object on seeded inputs and records everything;
* ``difftrace.Trace(dtype, scheduler=..., config=...)`` builds a trace record by record
  for code that is not such an object.
"""

from ._version import __version__
from .record import infer_kind, record
from .trace import DTYPES, FORMAT, FORMAT_VERSION, KINDS, SIGMA_KINDS, Trace
from .values import encode_float, float_list, int_list

__all__ = [
    "__version__",
    "record",
    "infer_kind",
    "Trace",
    "DTYPES",
    "KINDS",
    "SIGMA_KINDS",
    "FORMAT",
    "FORMAT_VERSION",
    "encode_float",
    "float_list",
    "int_list",
]
