"""Turning arrays and configuration values into the plain JSON values a trace holds.

A trace must hold exactly the numbers the code used, because the verifier treats the
recorded inputs as exact and measures the recorded outputs against its own recomputation
with a tolerance of a few units in the last place. So every conversion here is exact:

* A float16, bfloat16 or float32 value widens to a float64 without rounding, and Python's
  ``json`` writes a float64 as the shortest decimal that reads back as the same float64.
  Reading that decimal back and narrowing it to the original precision gives the original
  value bit for bit.
* A value that is not finite cannot be a JSON number; the trace format writes it as the
  string ``"nan"``, ``"inf"`` or ``"-inf"``.
* Arrays are flattened in row-major (C) order; their shape is recorded separately.

numpy is the only hard dependency; torch tensors are recognised by duck typing (they have
``detach`` and ``cpu``) so that this module imports without torch.
"""

import math
import numbers

import numpy as np

__all__ = [
    "encode_float",
    "float_list",
    "int_list",
    "shape_of",
    "plain",
    "is_tensor",
]


def is_tensor(value):
    """Whether `value` looks like a torch tensor (checked by its interface, not its type)."""
    return hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "dtype")


def _tensor_to_numpy(tensor):
    """A torch tensor as a numpy array holding the same values.

    Floating tensors narrower than float64 (float16, bfloat16, float32) are widened to
    float64 first, which is exact; numpy has no bfloat16, so widening is also what makes
    bfloat16 readable at all.
    """
    t = tensor.detach().cpu()
    if t.is_floating_point():
        t = t.double()
    elif t.is_complex():
        raise TypeError("complex tensors cannot be recorded in a trace")
    return t.numpy()


def _as_numpy(values):
    """`values` (numpy array, torch tensor, number or nested list) as a numpy array."""
    if is_tensor(values):
        return _tensor_to_numpy(values)
    if isinstance(values, np.ndarray):
        return values
    if isinstance(values, (list, tuple)):
        # A list may itself hold tensors (e.g. a list of 0-d tensors).
        if any(is_tensor(v) for v in values):
            return np.array([_as_numpy(v) for v in values])
        return np.asarray(values)
    return np.asarray(values)


def encode_float(x):
    """One number as the trace writes it: a Python float, or "nan" / "inf" / "-inf".

    The float is the exact value of `x` (a float32 or float16 input widens without
    rounding), so ``json`` writes the shortest decimal that reads back as it.
    """
    f = float(x)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def float_list(values):
    """`values` flattened in row-major order to a list of exact floats (non-finite as strings).

    Accepts a numpy array, a torch tensor (any floating dtype, any device), a number or a
    (nested) list. Raises TypeError for values that are not real numbers.
    """
    arr = _as_numpy(values)
    if arr.dtype == object:
        raise TypeError("cannot record a ragged or non-numeric array: %r" % (values,))
    if arr.dtype.kind in "bc" or arr.dtype.kind not in "iuf":
        raise TypeError("cannot record values of dtype %s as numbers" % arr.dtype)
    flat = np.ascontiguousarray(arr).reshape(-1).astype(np.float64)
    out = flat.tolist()
    if not np.all(np.isfinite(flat)):
        out = [encode_float(v) for v in out]
    return out


def int_list(values):
    """`values` flattened in row-major order to a list of Python ints.

    Used for timesteps. A floating value that is not a whole number is an error rather
    than being rounded: the verifier must see the timesteps the code used.
    """
    arr = _as_numpy(values)
    flat = np.ascontiguousarray(arr).reshape(-1)
    if flat.dtype.kind in "iu":
        return [int(v) for v in flat.tolist()]
    if flat.dtype.kind == "f":
        out = []
        for v in flat.tolist():
            if not math.isfinite(v) or v != math.floor(v):
                raise ValueError("timestep %r is not a whole number" % (v,))
            out.append(int(v))
        return out
    raise TypeError("cannot record values of dtype %s as integers" % flat.dtype)


def shape_of(values):
    """The shape of an array-like as a list of ints, or None when it has none."""
    shape = getattr(values, "shape", None)
    if shape is None:
        if isinstance(values, (list, tuple)):
            return list(np.asarray(values).shape)
        return None
    return [int(n) for n in shape]


def plain(value):
    """A configuration value as plain JSON data (dict, list, str, int, float, bool, None).

    numpy scalars and arrays and torch tensors become Python numbers and (nested) lists; tuples
    become lists; a float that is not finite becomes "nan" / "inf" / "-inf". Raises
    TypeError for anything else (an object, a function), which the caller reports
    instead of writing.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_float(value)
    if is_tensor(value) or isinstance(value, np.ndarray):
        arr = _as_numpy(value)
        if arr.ndim == 0:
            return plain(arr.item())
        if arr.ndim > 1:
            return [plain(row) for row in arr]
        if arr.dtype.kind == "b":
            return [bool(v) for v in arr.reshape(-1).tolist()]
        if arr.dtype.kind in "iu":
            return [int(v) for v in arr.reshape(-1).tolist()]
        return float_list(arr)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    raise TypeError("%s is not JSON data" % type(value).__name__)
