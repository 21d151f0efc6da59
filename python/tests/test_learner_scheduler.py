"""A learner's own schedulers, written from the papers without diffusers, recorded and verified.

`record` is duck-typed on diffusers' scheduler interface, so a class that merely follows
it (config, betas, alphas_cumprod, set_timesteps, timesteps, step) can be recorded too:

* `TinyDDPM` keeps its schedule in numpy float64 (so the trace is float64 and checked at
  float64's tolerance), visits leading timesteps, and returns a plain tuple;
* `TinyDDIM` works in torch float32, visits trailing timesteps, takes η, and returns a
  dict;
* `TinyEuler` steps the probability-flow ODE in σ-space (numpy float64), counting its own
  steps, with fractional (linspace) or trailing timesteps;
* `TinyDPMSolver` is DPM-Solver++(2M) (numpy float64) in the VP parametrisation α = √ᾱ,
  s = √(1 − ᾱ), keeping the previous step's x̂₀ itself.

A third case records plain functions (no scheduler object) with the `Trace` builder.
Since none of these classes is a diffusers class, `record` must be told the rule with ``kind=``.
"""

import json
import math
import os
import tempfile
import unittest

import numpy as np

import _support
import difftrace

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


class TinyDDPM:
    """DDPM ancestral sampling (Ho et al. 2020, Algorithm 2) with skipped steps, in float64."""

    def __init__(self, num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02):
        self.config = {
            "num_train_timesteps": num_train_timesteps,
            "beta_schedule": "linear",
            "beta_start": beta_start,
            "beta_end": beta_end,
            "prediction_type": "epsilon",
            "variance_type": "fixed_small",
            "clip_sample": False,
            "timestep_spacing": "leading",
            "steps_offset": 0,
        }
        self.betas = np.linspace(beta_start, beta_end, num_train_timesteps)
        self.alphas_cumprod = np.cumprod(1.0 - self.betas)
        self.timesteps = None

    def set_timesteps(self, num_inference_steps):
        ratio = self.config["num_train_timesteps"] // num_inference_steps
        self.timesteps = [k * ratio for k in reversed(range(num_inference_steps))]

    def step(self, model_output, timestep, sample, generator=None):
        t = int(timestep)
        position = self.timesteps.index(t)
        prev = self.timesteps[position + 1] if position + 1 < len(self.timesteps) else -1
        a = float(self.alphas_cumprod[t])
        a_prev = float(self.alphas_cumprod[prev]) if prev >= 0 else 1.0
        beta = 1.0 - a / a_prev
        x0 = (sample - math.sqrt(1.0 - a) * model_output) / math.sqrt(a)
        mean = (math.sqrt(a_prev) * beta / (1.0 - a)) * x0 + (
            math.sqrt(1.0 - beta) * (1.0 - a_prev) / (1.0 - a)
        ) * sample
        if prev >= 0:
            z = torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
            mean = mean + math.sqrt((1.0 - a_prev) / (1.0 - a) * beta) * z
        return mean, x0


class TinyDDIM:
    """DDIM (Song et al. 2021, eq. 12 and 16) with η, in torch float32, trailing timesteps."""

    def __init__(self, num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012):
        T = num_train_timesteps
        self.config = {
            "num_train_timesteps": T,
            "beta_schedule": "scaled_linear",
            "beta_start": beta_start,
            "beta_end": beta_end,
            "prediction_type": "v_prediction",
            "clip_sample": False,
            "set_alpha_to_one": True,
            "timestep_spacing": "trailing",
        }
        self.betas = torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=torch.float32) ** 2
        self.alphas_cumprod = torch.cumprod(1 - self.betas, dim=0)

    def set_timesteps(self, num_inference_steps):
        T = self.config["num_train_timesteps"]
        self.timesteps = torch.from_numpy(
            np.round(np.arange(T, 0, -T / num_inference_steps)).astype(np.int64) - 1
        )

    def step(self, model_output, timestep, sample, eta=0.0, generator=None):
        listed = self.timesteps.tolist()
        position = listed.index(int(timestep))
        prev = listed[position + 1] if position + 1 < len(listed) else -1
        a = self.alphas_cumprod[int(timestep)]
        a_prev = self.alphas_cumprod[prev] if prev >= 0 else torch.tensor(1.0)
        x0 = a.sqrt() * sample - (1 - a).sqrt() * model_output
        eps = a.sqrt() * model_output + (1 - a).sqrt() * sample
        sigma = eta * ((1 - a_prev) / (1 - a) * (1 - a / a_prev)).sqrt()
        out = a_prev.sqrt() * x0 + (1 - a_prev - sigma**2).sqrt() * eps
        if eta > 0:
            out = out + sigma * torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
        return {"prev_sample": out, "pred_original_sample": x0}


class TinyEuler:
    """Euler sampling of the probability-flow ODE in σ-space (Karras et al. 2022, Alg. 1 without
    churn), in numpy float64, written from the paper.

    The sample it steps is x = x₀ + σ·ε (the VP sample xτ = x/√(σ² + 1)), with σ(τ) =
    √((1 − ᾱτ)/ᾱτ), linearly interpolated at a fractional τ. It counts its own steps, as
    diffusers' Euler scheduler does: step i moves from levels[i] to levels[i + 1].
    """

    def __init__(self, num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
                 timestep_spacing="linspace", final_sigmas_type="zero", prediction_type="epsilon"):
        self.config = {
            "num_train_timesteps": num_train_timesteps,
            "beta_schedule": "scaled_linear",
            "beta_start": beta_start,
            "beta_end": beta_end,
            "prediction_type": prediction_type,
            "timestep_spacing": timestep_spacing,
            "steps_offset": 0,
            "use_karras_sigmas": False,
            "final_sigmas_type": final_sigmas_type,
            "interpolation_type": "linear",
        }
        self.betas = np.linspace(math.sqrt(beta_start), math.sqrt(beta_end), num_train_timesteps) ** 2
        self.alphas_cumprod = np.cumprod(1.0 - self.betas)
        self.sigmas = None
        self.position = 0

    def noise_level(self, tau):
        """σ at a (possibly fractional) timestep τ."""
        ac = self.alphas_cumprod
        return np.interp(tau, np.arange(len(ac)), np.sqrt((1.0 - ac) / ac))

    def set_timesteps(self, num_inference_steps):
        T, K = self.config["num_train_timesteps"], num_inference_steps
        if self.config["timestep_spacing"] == "linspace":
            self.timesteps = np.linspace(T - 1, 0, K)
        else:  # trailing
            self.timesteps = np.round(np.arange(T, 0, -T / K)) - 1.0
        last = self.noise_level(0.0) if self.config["final_sigmas_type"] == "sigma_min" else 0.0
        self.sigmas = np.append(self.noise_level(self.timesteps), last)
        self.position = 0

    def step(self, model_output, timestep, sample, generator=None):
        x, out = np.asarray(sample, dtype=np.float64), np.asarray(model_output, dtype=np.float64)
        sigma, sigma_next = self.sigmas[self.position], self.sigmas[self.position + 1]
        if self.config["prediction_type"] == "epsilon":
            x0 = x - sigma * out
        else:  # v: x₀ = √ᾱ xτ − √(1 − ᾱ) v, with √ᾱ = 1/√(σ² + 1) and xτ = √ᾱ x
            x0 = x / (sigma**2 + 1.0) - sigma / math.sqrt(sigma**2 + 1.0) * out
        slope = (x - x0) / sigma
        self.position += 1
        return x + slope * (sigma_next - sigma), x0


class TinyDPMSolver:
    """DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2, midpoint form), in numpy float64,
    written from the paper.

    It works with the VP sample xτ = α·x₀ + s·ε, α = √ᾱτ and s = √(1 − ᾱτ), read off the
    schedule at each integer timestep (the final level: α = 1, s = 0, or ᾱ at τ = 0), and
    the log-SNR λ = log(α/s). From one level to the next, h = λ_next − λ:

    x' = (s_next/s)·xτ − α_next·(e^{−h} − 1)·x̂₀ − ½·α_next·(e^{−h} − 1)·D₁,

    D₁ = (x̂₀ − x̂₀_prev)·h/h_prev (zero at the first step, where there is no previous
    x̂₀, and at a last step lowered to first order: the final level 0, or K < 15). Its
    levels for the trace are σ = s/α, which is what diffusers' σ-space bookkeeping holds.
    """

    def __init__(self, num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
                 final_sigmas_type="zero", prediction_type="epsilon"):
        self.config = {
            "num_train_timesteps": num_train_timesteps,
            "beta_schedule": "scaled_linear",
            "beta_start": beta_start,
            "beta_end": beta_end,
            "prediction_type": prediction_type,
            "timestep_spacing": "trailing",
            "steps_offset": 0,
            "use_karras_sigmas": False,
            "final_sigmas_type": final_sigmas_type,
            "solver_order": 2,
            "algorithm_type": "dpmsolver++",
            "solver_type": "midpoint",
            "lower_order_final": True,
            "euler_at_final": False,
        }
        self.betas = np.linspace(math.sqrt(beta_start), math.sqrt(beta_end), num_train_timesteps) ** 2
        self.alphas_cumprod = np.cumprod(1.0 - self.betas)

    def set_timesteps(self, num_inference_steps):
        T, K = self.config["num_train_timesteps"], num_inference_steps
        self.timesteps = (np.round(np.arange(T, 0, -T / K)) - 1).astype(np.int64)
        abar = self.alphas_cumprod[self.timesteps]
        last = self.alphas_cumprod[0] if self.config["final_sigmas_type"] == "sigma_min" else 1.0
        self.abar = np.append(abar, last)
        self.sigmas = np.sqrt((1.0 - self.abar) / self.abar)
        self.position = 0
        self.previous = None  # (x̂₀, λ) of the step before

    def _lowered(self, i):
        K = len(self.timesteps)
        if self.previous is None:
            return True
        return i == K - 1 and (self.config["final_sigmas_type"] == "zero" or K < 15)

    def step(self, model_output, timestep, sample, generator=None):
        x, out = np.asarray(sample, dtype=np.float64), np.asarray(model_output, dtype=np.float64)
        i = self.position
        alpha, s = math.sqrt(self.abar[i]), math.sqrt(1.0 - self.abar[i])
        alpha_next, s_next = math.sqrt(self.abar[i + 1]), math.sqrt(1.0 - self.abar[i + 1])
        if self.config["prediction_type"] == "epsilon":
            x0 = (x - s * out) / alpha
        else:  # v = α ε − s x₀
            x0 = alpha * x - s * out
        lam = math.log(alpha / s)
        if s_next == 0.0:
            result = x0  # e^{−h} = 0 at λ_next = ∞
        else:
            lam_next = math.log(alpha_next / s_next)
            h = lam_next - lam
            phi = alpha_next * math.expm1(-h)
            result = (s_next / s) * x - phi * x0
            if not self._lowered(i):
                x0_prev, lam_prev = self.previous
                result = result - 0.5 * phi * (h / (lam - lam_prev)) * (x0 - x0_prev)
        self.previous = (x0, lam)
        self.position += 1
        return result


def _plain_function_trace(path):
    """A DDPM step written as plain numpy functions, recorded with the Trace builder."""
    T, K = 100, 5
    betas = np.linspace(1e-4, 0.02, T, dtype=np.float64)
    alphas_cumprod = np.cumprod(1 - betas)
    timesteps = np.arange(K)[::-1] * (T // K)
    trace = difftrace.Trace(
        "float64",
        scheduler="ddpm",
        config={"num_train_timesteps": T, "beta_schedule": "linear", "beta_start": 1e-4, "beta_end": 0.02,
                "clip_sample": False, "variance_type": "fixed_large"},
        producer={"library": "plain numpy functions"},
    )
    trace.add_betas(betas).add_alphas_cumprod(alphas_cumprod).add_timesteps(timesteps, K)
    rng = np.random.default_rng(7)
    for i, t in enumerate(timesteps):
        prev = timesteps[i + 1] if i + 1 < K else -1
        a, a_prev = alphas_cumprod[t], (alphas_cumprod[prev] if prev >= 0 else 1.0)
        beta = 1 - a / a_prev
        x = rng.standard_normal((1, 2, 3, 3))
        eps = rng.standard_normal((1, 2, 3, 3))
        x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
        mean = np.sqrt(a_prev) * beta / (1 - a) * x0 + np.sqrt(1 - beta) * (1 - a_prev) / (1 - a) * x
        z = rng.standard_normal(x.shape) if prev >= 0 else None
        x_prev = mean + np.sqrt(beta) * z if z is not None else mean
        trace.add_step(t, eps, x, x_prev, noise=z, pred_original_sample=x0)
    return trace.save(path)


@unittest.skipIf(torch is None, "torch is not installed")
class LearnerSchedulers(_support.VerifiedCases):
    CASES = {
        "tiny_ddpm_float64": lambda path: difftrace.record(TinyDDPM(), path, steps=10, kind="ddpm"),
        "tiny_ddpm_full_chain_T50": lambda path: difftrace.record(
            TinyDDPM(num_train_timesteps=50), path, steps=50, kind="ddpm", shape=(1, 1, 3, 3)
        ),
        "tiny_ddim_eta0": lambda path: difftrace.record(TinyDDIM(), path, steps=10, kind="ddim"),
        "tiny_ddim_eta1_K7": lambda path: difftrace.record(TinyDDIM(), path, steps=7, kind="ddim", eta=1.0),
        "plain_functions_trace_builder": _plain_function_trace,
        # Fractional timesteps (999, 832.5, …) and the final level 0.
        "tiny_euler_linspace_K7": lambda path: difftrace.record(TinyEuler(), path, steps=7, kind="euler"),
        "tiny_euler_v_trailing_sigma_min": lambda path: difftrace.record(
            TinyEuler(timestep_spacing="trailing", final_sigmas_type="sigma_min", prediction_type="v_prediction"),
            path, steps=10, kind="euler",
        ),
        # The last step (to 0) first order.
        "tiny_dpm_trailing": lambda path: difftrace.record(TinyDPMSolver(), path, steps=10, kind="dpmpp_2m"),
        # K = 20 to σ(0): the last step second order.
        "tiny_dpm_v_sigma_min_K20": lambda path: difftrace.record(
            TinyDPMSolver(final_sigmas_type="sigma_min", prediction_type="v_prediction"),
            path, steps=20, kind="dpmpp_2m",
        ),
    }

    def test_kind_must_be_given(self):
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaisesRegex(ValueError, "kind="):
                difftrace.record(TinyDDPM(), os.path.join(folder, "t.json"), steps=2)
            self.assertEqual(os.listdir(folder), [])

    def test_the_learner_trace_is_float64_and_names_the_class(self):
        with tempfile.TemporaryDirectory() as folder:
            path = difftrace.record(TinyDDPM(), os.path.join(folder, "t.json"), steps=3, kind="ddpm")
            with open(path) as f:
                data = json.load(f)
        self.assertEqual(data["dtype"], "float64")
        self.assertEqual(data["producer"]["class"], "TinyDDPM")
        self.assertEqual(data["producer"]["library"], TinyDDPM.__module__)
        self.assertNotIn("base", data["producer"])

    def test_tiny_ddpm_float64(self):
        self.assertPasses("tiny_ddpm_float64")

    def test_tiny_ddpm_full_chain_T50(self):
        self.assertPasses("tiny_ddpm_full_chain_T50")

    def test_tiny_ddim_eta0(self):
        self.assertPasses("tiny_ddim_eta0")

    def test_tiny_ddim_eta1_K7(self):
        self.assertPasses("tiny_ddim_eta1_K7")

    def test_plain_functions_trace_builder(self):
        self.assertPasses("plain_functions_trace_builder")

    def test_tiny_euler_linspace_K7(self):
        self.assertPasses("tiny_euler_linspace_K7")

    def test_tiny_euler_v_trailing_sigma_min(self):
        self.assertPasses("tiny_euler_v_trailing_sigma_min")

    def test_tiny_euler_trace_is_float64_with_its_levels(self):
        with tempfile.TemporaryDirectory() as folder:
            path = difftrace.record(TinyEuler(), os.path.join(folder, "t.json"), steps=7, kind="euler")
            with open(path) as f:
                data = json.load(f)
        self.assertEqual((data["dtype"], data["scheduler"]), ("float64", "euler"))
        records = {r["quantity"]: r for r in data["records"] if r["quantity"] != "step"}
        self.assertEqual(records["timesteps"]["values"][:2], [999.0, 832.5])
        self.assertEqual(len(records["sigmas"]["values"]), 8)
        steps = [r for r in data["records"] if r["quantity"] == "step"]
        self.assertEqual([s["index"] for s in steps], list(range(7)))
        self.assertTrue(all(s["noise"] is None for s in steps))

    def test_tiny_dpm_trailing(self):
        self.assertPasses("tiny_dpm_trailing")

    def test_tiny_dpm_v_sigma_min_K20(self):
        self.assertPasses("tiny_dpm_v_sigma_min_K20")

    def test_tiny_dpm_trace_is_float64_in_order_with_integer_timesteps(self):
        with tempfile.TemporaryDirectory() as folder:
            path = difftrace.record(TinyDPMSolver(), os.path.join(folder, "t.json"), steps=10, kind="dpmpp_2m")
            with open(path) as f:
                data = json.load(f)
        self.assertEqual((data["dtype"], data["scheduler"]), ("float64", "dpmpp_2m"))
        records = {r["quantity"]: r for r in data["records"] if r["quantity"] != "step"}
        self.assertEqual(records["timesteps"]["values"], [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])
        self.assertEqual(len(records["sigmas"]["values"]), 11)
        steps = [r for r in data["records"] if r["quantity"] == "step"]
        self.assertEqual([s["index"] for s in steps], list(range(10)))
        self.assertEqual([s["timestep"] for s in steps], records["timesteps"]["values"])
        self.assertTrue(all(s["noise"] is None for s in steps))

    def test_text_report(self):
        """Without --json the same verdict comes as text (exit 0, a closing count)."""
        _support.require_verify(self)
        path = self.traces.file("tiny_ddim_eta0")
        if not os.path.exists(path):
            self.skipTest("the trace was not written")
        result = _support.run_verify(path, as_json=False)
        self.assertEqual(result.code, 0, result.stdout[-2000:] + result.stderr)
        self.assertIn("0 failed", result.stdout)
        self.assertIn("TinyDDIM", result.stdout)


if __name__ == "__main__":
    unittest.main()
