"""Tests of `difftrace.record` on diffusers' schedulers that need no verifier.

The central one checks the claim `record` rests on: the noise a diffusers step draws from
the generator it is handed is exactly ``torch.randn(shape, generator=Generator().
manual_seed(s), dtype=...)``. It does so from the recorded numbers alone: for a DDPM
step, prev_sample − (posterior mean, recomputed here in float64) must equal
σ · recorded noise; for an ancestral Euler step, prev_sample − (the step to σ_down)
must equal σ_up · recorded noise.
"""

import json
import os
import tempfile
import unittest

import numpy as np

import _support  # noqa: F401
import difftrace

try:
    import torch
    import diffusers
    from diffusers import (
        DDIMScheduler,
        DDPMScheduler,
        DPMSolverMultistepScheduler,
        EulerAncestralDiscreteScheduler,
        EulerDiscreteScheduler,
    )
except ImportError:  # pragma: no cover
    diffusers = None

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)


def _load(path):
    with open(path) as f:
        return json.load(f)


def _records(data, quantity):
    return [r for r in data["records"] if r["quantity"] == quantity]


class _RecordingCase(unittest.TestCase):
    """A temporary folder and `record` into it, read back."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.folder = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def record(self, scheduler, **kwargs):
        path = os.path.join(self.folder, "t.json")
        difftrace.record(scheduler, path, **kwargs)
        return _load(path)


@unittest.skipIf(diffusers is None, "diffusers/torch are not installed")
class Recording(_RecordingCase):
    def test_ddpm_noise_is_what_the_step_added(self):
        for variance_type in ("fixed_small", "fixed_large"):
            data = self.record(
                DDPMScheduler(clip_sample=False, variance_type=variance_type), steps=10, seed=3
            )
            ac = np.array(_records(data, "alphas_cumprod")[0]["values"])
            timesteps = _records(data, "timesteps")[0]["values"]
            steps = _records(data, "step")
            self.assertEqual([s["timestep"] for s in steps], timesteps)
            for i, step in enumerate(steps):
                t = step["timestep"]
                prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
                a, ap = ac[t], (ac[prev] if prev >= 0 else 1.0)
                beta = 1 - a / ap
                x = np.array(step["sample"])
                eps = np.array(step["model_output"])
                x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
                mean = np.sqrt(ap) * beta / (1 - a) * x0 + np.sqrt(a / ap) * (1 - ap) / (1 - a) * x
                got = np.array(step["prev_sample"])
                if t == 0:
                    self.assertIsNone(step["noise"], "diffusers adds no noise at t = 0")
                    np.testing.assert_allclose(got, mean, atol=1e-5)
                    continue
                var = (1 - ap) / (1 - a) * beta if variance_type == "fixed_small" else beta
                z = np.array(step["noise"])
                self.assertEqual(z.shape, x.shape)
                residual = got - mean
                # The recorded noise explains the residual to float32 rounding...
                np.testing.assert_allclose(residual, np.sqrt(var) * z, atol=2e-5, rtol=0)
                # ...and it is not any standard normal: another draw would not.
                other = torch.randn(tuple(step["shape"]), generator=torch.Generator().manual_seed(12345)).numpy()
                self.assertGreater(np.abs(residual - np.sqrt(var) * other.reshape(-1)).max(), 0.01)

    def test_ddim_noise_is_what_the_step_added(self):
        data = self.record(DDIMScheduler(clip_sample=False), steps=10, eta=1.0)
        ac = np.array(_records(data, "alphas_cumprod")[0]["values"])
        for step in _records(data, "step")[:-1]:
            t = step["timestep"]
            a, ap = ac[t], ac[t - 100]
            sigma = np.sqrt((1 - ap) / (1 - a) * (1 - a / ap))
            x, eps = np.array(step["sample"]), np.array(step["model_output"])
            x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
            mean = np.sqrt(ap) * x0 + np.sqrt(1 - ap - sigma**2) * eps
            self.assertEqual(step["eta"], 1.0)
            np.testing.assert_allclose(
                np.array(step["prev_sample"]) - mean, sigma * np.array(step["noise"]), atol=2e-5, rtol=0
            )

    def test_ddim_eta_zero_draws_no_noise(self):
        data = self.record(DDIMScheduler(), steps=5)
        self.assertTrue(all(s["noise"] is None for s in _records(data, "step")))
        self.assertEqual(data["scheduler"], "ddim")

    def test_every_step_gets_fresh_inputs(self):
        data = self.record(DDPMScheduler(), steps=4)
        steps = _records(data, "step")
        self.assertEqual(len(steps), 4)
        for earlier, later in zip(steps, steps[1:]):
            self.assertNotEqual(earlier["prev_sample"], later["sample"])
            self.assertNotEqual(earlier["sample"], later["sample"])
        # Same seed, same trace; another seed, other inputs.
        again = self.record(DDPMScheduler(), steps=4)
        self.assertEqual(again["records"], data["records"])
        other = self.record(DDPMScheduler(), steps=4, seed=1)
        self.assertNotEqual(_records(other, "step")[0]["sample"], steps[0]["sample"])

    def test_learned_range_splits_the_model_output(self):
        data = self.record(DDPMScheduler(variance_type="learned_range"), steps=3, shape=(2, 3, 4, 4))
        for step in _records(data, "step"):
            self.assertEqual(step["shape"], [2, 3, 4, 4])
            self.assertEqual(len(step["model_output"]), 96)
            self.assertEqual(len(step["predicted_variance"]), 96)
            self.assertTrue(all(-1 <= v <= 1 for v in step["predicted_variance"]))

    def test_learned_variance_is_positive(self):
        # diffusers reads the second half as σ² itself and takes its square root.
        data = self.record(DDPMScheduler(variance_type="learned"), steps=3)
        for step in _records(data, "step"):
            self.assertTrue(all(0 <= v < 1 for v in step["predicted_variance"]))
            self.assertTrue(all(isinstance(v, float) for v in step["prev_sample"]))

    def test_config_schedule_and_producer(self):
        scheduler = DDPMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
        data = self.record(scheduler, steps=10)
        self.assertEqual(data["format"], "difftrace")
        self.assertEqual(data["version"], 1)
        self.assertEqual(data["dtype"], "float32")
        self.assertEqual(data["scheduler"], "ddpm")
        self.assertEqual(data["config"]["beta_schedule"], "scaled_linear")
        self.assertFalse(any(k.startswith("_") for k in data["config"]))
        self.assertEqual(
            data["producer"],
            {"library": "diffusers %s" % diffusers.__version__, "class": "DDPMScheduler", "difftrace": "1.1.0"},
        )
        betas = np.array(_records(data, "betas")[0]["values"], dtype=np.float32)
        self.assertTrue(np.array_equal(betas, scheduler.betas.numpy()))
        timesteps = _records(data, "timesteps")[0]
        self.assertEqual(timesteps["num_inference_steps"], 10)
        self.assertEqual(timesteps["values"], scheduler.timesteps.tolist())

    def test_subclass_producer_names_its_base(self):
        class Mine(DDPMScheduler):
            pass

        data = self.record(Mine(), steps=2)
        self.assertEqual(data["producer"]["class"], "Mine")
        self.assertEqual(data["producer"]["base"], "DDPMScheduler (diffusers %s)" % diffusers.__version__)
        self.assertEqual(data["scheduler"], "ddpm")

    def test_float64_schedule_makes_a_float64_trace(self):
        scheduler = DDPMScheduler()
        scheduler.alphas_cumprod = scheduler.alphas_cumprod.double()
        data = self.record(scheduler, steps=2)
        self.assertEqual(data["dtype"], "float64")
        data = self.record(DDPMScheduler(), steps=2, dtype="float16")
        self.assertEqual(data["dtype"], "float16")

    def test_step_without_generator_records_null_noise_and_says_why(self):
        class NoGenerator(DDPMScheduler):
            def step(self, model_output, timestep, sample, return_dict=True):
                return super().step(model_output, timestep, sample, return_dict=return_dict)

        data = self.record(NoGenerator(), steps=3)
        self.assertTrue(all(s["noise"] is None for s in _records(data, "step")))
        self.assertIn("takes no generator", data["producer"]["notes"])

    def test_eta_is_only_for_ddim(self):
        with self.assertRaisesRegex(ValueError, "eta"):
            self.record(DDPMScheduler(), steps=2, eta=0.5)
        with self.assertRaisesRegex(ValueError, "eta"):
            self.record(EulerAncestralDiscreteScheduler(), steps=2, eta=0.5)


@unittest.skipIf(diffusers is None, "diffusers/torch are not installed")
class RecordingEuler(_RecordingCase):
    """`record` on diffusers' σ-space schedulers: levels, step order, inputs at scale, noise."""

    def test_kinds_are_inferred_along_the_mro(self):
        class Mine(EulerAncestralDiscreteScheduler):
            pass

        self.assertEqual(difftrace.infer_kind(EulerDiscreteScheduler()), "euler")
        self.assertEqual(difftrace.infer_kind(EulerAncestralDiscreteScheduler()), "euler_ancestral")
        self.assertEqual(difftrace.infer_kind(Mine()), "euler_ancestral")

        class MyDPM(DPMSolverMultistepScheduler):
            pass

        self.assertEqual(difftrace.infer_kind(DPMSolverMultistepScheduler()), "dpmpp_2m")
        self.assertEqual(difftrace.infer_kind(MyDPM()), "dpmpp_2m")

    def test_dpm_steps_in_order_with_vp_samples_and_the_config_as_json(self):
        """A DPM-Solver++(2M) trace: every level stepped once in order (the scheduler's own
        counter ends past the last), the VP sample drawn N(0, 1), no noise, no x̂₀, and
        lambda_min_clipped (−∞ by default) written as the string "-inf"."""
        scheduler = DPMSolverMultistepScheduler(use_karras_sigmas=True, **SD)
        data = self.record(scheduler, steps=7, seed=3)
        self.assertEqual(data["scheduler"], "dpmpp_2m")
        self.assertEqual(data["config"]["lambda_min_clipped"], "-inf")
        self.assertEqual(_records(data, "timesteps")[0]["values"], scheduler.timesteps.tolist())
        self.assertEqual(_records(data, "sigmas")[0]["values"], scheduler.sigmas.tolist())
        steps = _records(data, "step")
        self.assertEqual([s["index"] for s in steps], list(range(7)))
        self.assertEqual(scheduler.step_index, 7)
        self.assertEqual(scheduler.lower_order_nums, 2)
        for step in steps:
            self.assertIsNone(step["noise"])
            self.assertNotIn("pred_original_sample", step)
            self.assertLess(abs(np.std(step["sample"]) - 1), 0.2)
        self.assertNotIn("notes", data["producer"])
        # The text is JSON (no bare -Infinity) and the config reads back.
        with open(os.path.join(self.folder, "t.json")) as f:
            self.assertNotIn("Infinity", f.read())

    def test_euler_records_levels_fractional_timesteps_and_positions(self):
        scheduler = EulerDiscreteScheduler(final_sigmas_type="sigma_min", **SD)
        data = self.record(scheduler, steps=7)
        self.assertEqual(data["scheduler"], "euler")
        for key, value in (("use_karras_sigmas", False), ("final_sigmas_type", "sigma_min"),
                           ("interpolation_type", "linear"), ("timestep_spacing", "linspace"),
                           ("steps_offset", 0), ("prediction_type", "epsilon")):
            self.assertEqual(data["config"][key], value, key)
        timesteps = _records(data, "timesteps")[0]
        self.assertEqual(timesteps["num_inference_steps"], 7)
        self.assertEqual(timesteps["values"], scheduler.timesteps.tolist())
        self.assertEqual(timesteps["values"][1], 832.5)
        sigmas = _records(data, "sigmas")[0]["values"]
        self.assertEqual(sigmas, scheduler.sigmas.tolist())
        self.assertEqual(len(sigmas), 8)
        steps = _records(data, "step")
        self.assertEqual([s["index"] for s in steps], list(range(7)))
        self.assertEqual([s["timestep"] for s in steps], timesteps["values"])
        # No churn: diffusers' Euler step draws no noise.
        self.assertTrue(all(s["noise"] is None for s in steps))
        # Every step was made, in order: the scheduler's own counter is past the last.
        self.assertEqual(scheduler.step_index, 7)
        self.assertNotIn("notes", data["producer"])

    def test_euler_step_is_the_ode_step_between_its_levels(self):
        """prev_sample = x + (x − x̂₀)/σᵢ · (σᵢ₊₁ − σᵢ), recomputed here in float64."""
        for prediction_type in ("epsilon", "v_prediction"):
            data = self.record(EulerDiscreteScheduler(prediction_type=prediction_type,
                                                      use_karras_sigmas=True), steps=10, seed=5)
            sigmas = np.array(_records(data, "sigmas")[0]["values"])
            for step in _records(data, "step"):
                s, s_next = sigmas[step["index"]], sigmas[step["index"] + 1]
                x, out = np.array(step["sample"]), np.array(step["model_output"])
                if prediction_type == "epsilon":
                    x0 = x - s * out
                else:
                    x0 = x / (s * s + 1) - s / np.sqrt(s * s + 1) * out
                want = x + (x - x0) / s * (s_next - s)
                scale = np.abs(x).max() + s * np.abs(out).max()
                np.testing.assert_allclose(np.array(step["prev_sample"]), want, atol=4e-7 * scale, rtol=0)
                np.testing.assert_allclose(np.array(step["pred_original_sample"]), x0, atol=4e-7 * scale, rtol=0)

    def test_samples_are_drawn_at_their_level_and_inputs_are_fresh(self):
        data = self.record(EulerAncestralDiscreteScheduler(), steps=10)
        sigmas = _records(data, "sigmas")[0]["values"]
        steps = _records(data, "step")
        for step in steps:
            spread = np.std(step["sample"]) / np.sqrt(sigmas[step["index"]] ** 2 + 1)
            self.assertGreater(spread, 0.8)
            self.assertLess(spread, 1.2)
            self.assertLess(abs(np.std(step["model_output"]) - 1), 0.2)
        for earlier, later in zip(steps, steps[1:]):
            self.assertNotEqual(earlier["prev_sample"], later["sample"])

    def test_ancestral_noise_is_what_the_step_added(self):
        data = self.record(EulerAncestralDiscreteScheduler(**SD), steps=10, seed=3)
        sigmas = np.array(_records(data, "sigmas")[0]["values"])
        for step in _records(data, "step")[:-1]:
            s, s_next = sigmas[step["index"]], sigmas[step["index"] + 1]
            up = np.sqrt(s_next**2 * (s**2 - s_next**2) / s**2)
            down = np.sqrt(s_next**2 - up**2)
            x, eps = np.array(step["sample"]), np.array(step["model_output"])
            x0 = x - s * eps
            residual = np.array(step["prev_sample"]) - (x + (x - x0) / s * (down - s))
            z = np.array(step["noise"])
            scale = np.abs(x).max() + s * np.abs(eps).max()
            np.testing.assert_allclose(residual, up * z, atol=4e-7 * scale, rtol=0)
            other = torch.randn(tuple(step["shape"]), generator=torch.Generator().manual_seed(12345)).numpy()
            self.assertGreater(np.abs(residual - up * other.reshape(-1)).max(), 0.01)

    def test_scale_model_input_is_called_before_each_step(self):
        calls = []

        class Watched(EulerDiscreteScheduler):
            def scale_model_input(self, sample, timestep):
                out = super().scale_model_input(sample, timestep)
                calls.append(("scale", float(timestep), self.step_index))
                return out

            def step(self, model_output, timestep, sample, **kwargs):
                calls.append(("step", float(timestep), self.step_index))
                return super().step(model_output, timestep, sample, **kwargs)

        scheduler = Watched(timestep_spacing="leading", steps_offset=1)
        data = self.record(scheduler, steps=4)
        timesteps = _records(data, "timesteps")[0]["values"]
        self.assertEqual(timesteps, [751.0, 501.0, 251.0, 1.0])
        expected = []
        for i, t in enumerate(timesteps):
            expected += [("scale", t, i), ("step", t, i)]
        self.assertEqual(calls, expected)
        # The recorded sample is what step() was handed, not the model input.
        step = _records(data, "step")[0]
        sigma = _records(data, "sigmas")[0]["values"][0]
        self.assertGreater(np.std(step["sample"]), 0.8 * sigma)

    def test_a_step_out_of_place_is_noted(self):
        class Skips(EulerDiscreteScheduler):
            def scale_model_input(self, sample, timestep):
                out = super().scale_model_input(sample, timestep)
                if self.step_index == 1:
                    self._step_index = 2
                return out

            def step(self, model_output, timestep, sample, **kwargs):
                if self.step_index >= len(self.timesteps):
                    self._step_index = len(self.timesteps) - 1
                return super().step(model_output, timestep, sample, **kwargs)

        data = self.record(Skips(), steps=4)
        self.assertIn("step_index was not the step's position at 1: 2, 2: 3", data["producer"]["notes"])
        self.assertEqual([s["index"] for s in _records(data, "step")], [0, 1, 2, 3])

    def test_a_sigma_space_kind_needs_sigmas(self):
        class NoLevels:
            config = {"num_train_timesteps": 10}
            alphas_cumprod = np.linspace(0.99, 0.1, 10)

            def set_timesteps(self, k):
                self.timesteps = np.linspace(9, 0, k)

            def step(self, model_output, timestep, sample):
                return sample

        with self.assertRaisesRegex(ValueError, "sigmas"):
            self.record(NoLevels(), steps=2, kind="euler")
        self.assertEqual(os.listdir(self.folder), [])


if __name__ == "__main__":
    unittest.main()
