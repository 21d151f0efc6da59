"""Flow matching in float64 numpy, for the flow_euler tests: the levels, a learner's sampler, a recomputation.

The rectified flow (Liu et al. 2022; Esser et al. 2024, SD3) moves x = (1 − σ)·x₀ + σ·ε
from σ = 1 (noise) to σ = 0 (data); the model predicts the velocity v = ε − x₀ and one
Euler step from σ to σ′ is x′ = x + (σ′ − σ)·v.

* `shift(t, s)`: SD3's timestep shift t ↦ s·t/(1 + (s − 1)·t) (Esser et al. 2024, §5.3.2);
* `sd3_levels(T, K, s)`: the K levels of the math, evenly spaced in t from 1 to 1/T, each
  shifted once, then 0;
* `double_shift_levels(T, K, s)`: what diffusers 0.42.1's FlowMatchEulerDiscreteScheduler
  computes instead (issue 13243): evenly spaced from 1 to shift(1/T), then shifted again;
* `LearnerFlowEuler`: a learner's sampler written from the math in numpy float32, with the
  interface `difftrace.record` drives (config, set_timesteps, timesteps, sigmas, step);
* `worst(data)`: every step of a recorded trace recomputed in float64 from its inputs and
  the trace's own sigmas, the largest error in float32 units of the size of its terms.
"""

import numpy as np

#: float32's unit roundoff.
U32 = 2.0**-24


def shift(t, s):
    """SD3's shift of the time t ∈ [0, 1] by s (s > 1 moves the levels towards noise)."""
    t = np.asarray(t, dtype=np.float64)
    return s * t / (1.0 + (s - 1.0) * t)


def sd3_levels(T, K, s):
    """The K + 1 levels of the math: linspace(1, 1/T, K), each shifted once, then 0 (float64)."""
    return np.append(shift(np.linspace(1.0, 1.0 / T, K), s), 0.0)


def double_shift_levels(T, K, s):
    """diffusers 0.42.1's K + 1 levels in float64: linspace(1, shift(1/T), K) shifted again, then 0.

    Its ``__init__`` keeps σ_min = shift(1/T) (the lowest of the T training levels, already
    shifted) and ``set_timesteps`` spaces the K levels from σ_max = 1 to that σ_min and
    applies the shift to them: the top level is shift(1) = 1 either way, the lowest is
    shift(shift(1/T)).
    """
    return np.append(shift(np.linspace(1.0, float(shift(1.0 / T, s)), K), s), 0.0)


class LearnerFlowEuler:
    """A learner's flow-matching Euler sampler in numpy float32, from the math.

    Levels: K times evenly spaced from 1 to 1/T, shifted once by ``shift``, then 0;
    timesteps σ·T; step x′ = x + (σ′ − σ)·v. Each part is one method (`times`,
    `shifted`, `update`) so that a test can plant one mistake by overriding one of them.
    ``step`` places the call by its own count, as diffusers' schedulers do.
    """

    def __init__(self, num_train_timesteps=1000, shift=1.0):
        self.config = {"num_train_timesteps": int(num_train_timesteps), "shift": float(shift)}
        self.timesteps = None
        self.sigmas = None
        self._index = None

    @property
    def step_index(self):
        return self._index

    def times(self, K):
        """The K unshifted times, from 1 (pure noise) down to 1/T."""
        return np.linspace(1.0, 1.0 / self.config["num_train_timesteps"], K)

    def shifted(self, t):
        s = self.config["shift"]
        return s * t / (1.0 + (s - 1.0) * t)

    def set_timesteps(self, num_inference_steps):
        levels = self.shifted(self.times(int(num_inference_steps))).astype(np.float32)
        self.timesteps = levels * np.float32(self.config["num_train_timesteps"])
        self.sigmas = np.append(levels, np.float32(0.0))
        self._index = 0

    def update(self, x, v, sigma, sigma_next):
        return x + (sigma_next - sigma) * v

    def step(self, model_output, timestep, sample, return_dict=True):
        sigma, sigma_next = self.sigmas[self._index], self.sigmas[self._index + 1]
        x = np.asarray(sample, dtype=np.float32)
        v = np.asarray(model_output, dtype=np.float32)
        prev_sample = self.update(x, v, sigma, sigma_next).astype(np.float32)
        self._index += 1
        return {"prev_sample": prev_sample} if return_dict else (prev_sample,)


def _records(data, quantity):
    return [r for r in data["records"] if r["quantity"] == quantity]


def worst(data):
    """(largest error, its step index) over a flow_euler trace's steps, in float32 units.

    Each step is x + (σ′ − σ)·v recomputed in float64 from the recorded x and v and the
    trace's own sigmas; the error is divided by U32·(|x| + |σ′ − σ|·|v| + |x′|), the size of
    the terms a float32 computation of the same formula rounds.
    """
    sigmas = np.array(_records(data, "sigmas")[0]["values"], dtype=np.float64)
    out, where = 0.0, None
    for step in _records(data, "step"):
        i = step["index"]
        x = np.array(step["sample"], dtype=np.float64)
        v = np.array(step["model_output"], dtype=np.float64)
        got = np.array(step["prev_sample"], dtype=np.float64)
        dt = sigmas[i + 1] - sigmas[i]
        expected = x + dt * v
        size = U32 * (np.abs(x) + abs(dt) * np.abs(v) + np.abs(expected))
        units = float(np.max(np.abs(got - expected) / size))
        if units > out:
            out, where = units, i
    return out, where
