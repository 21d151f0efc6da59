"""diffusers' own HeunDiscreteScheduler, recorded and checked.

The second-order counterpart of test_diffusers_euler.py: a covering set of configurations
rather than the full product. Across the cases every value of every option appears at
least once:

* beta_schedule: linear (HeunDiscreteScheduler's own defaults 0.00085 … 0.012, and the
  DDPM 1e−4 … 0.02), scaled_linear (Stable Diffusion's) and squaredcos_cap_v2;
* prediction_type: epsilon, v_prediction and sample;
* timestep_spacing: linspace, leading (with steps_offset=1) and trailing;
* use_karras_sigmas: False and True;
* K = 1, 2, 5 and 10 sampling steps out of T = 1000 (K = 1 is a single Euler step to
  σ = 0; linspace's timesteps are fractional for K = 5 and 10).

Each case records a trace with `difftrace.record` (two step calls per level, the
predictor's and the corrector's, one step record per level) and expects the verifier to
pass it: exit 0, no failed check, and a checked prev_sample for every level. Independently
of the verifier, `test_steps_match_a_float64_recomputation` recomputes every level in
float64 (`_sigma_math`).
"""

import json
import os
import tempfile
import unittest

import _sigma_math
import _support
import difftrace
from difftrace.record import check_heun_config

try:
    from diffusers import HeunDiscreteScheduler
except ImportError:  # pragma: no cover
    HeunDiscreteScheduler = None

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

DDPM = dict(beta_start=0.0001, beta_end=0.02)
"""The DDPM paper's linear schedule (HeunDiscreteScheduler's defaults are 0.00085 … 0.012)."""

COSINE = dict(beta_schedule="squaredcos_cap_v2")

LEADING = dict(timestep_spacing="leading", steps_offset=1)
"""Leading spacing as Stable Diffusion configures it."""


def _heun(steps=10, **config):
    def write(path):
        return difftrace.record(HeunDiscreteScheduler(**config), path, steps=steps)

    return write


# name → (writer, expected): expected None means "passes".
CASES = {
    # diffusers' defaults: linear 0.00085 … 0.012, epsilon, linspace, no Karras.
    "heun_defaults": (_heun(), None),
    "heun_defaults_K5": (_heun(steps=5), None),
    "heun_sd_leading": (_heun(**SD, **LEADING), None),
    "heun_sd_v_trailing_K5": (
        _heun(steps=5, prediction_type="v_prediction", timestep_spacing="trailing", **SD), None
    ),
    "heun_sd_karras": (_heun(use_karras_sigmas=True, **SD), None),
    "heun_sd_sample_karras_leading_K5": (
        _heun(steps=5, prediction_type="sample", use_karras_sigmas=True, **SD, **LEADING), None
    ),
    "heun_ddpm_v_karras_trailing": (
        _heun(prediction_type="v_prediction", use_karras_sigmas=True, timestep_spacing="trailing", **DDPM), None
    ),
    "heun_ddpm_sample_K2": (_heun(steps=2, prediction_type="sample", **DDPM), None),
    "heun_cosine": (_heun(**COSINE), None),
    "heun_cosine_v_leading_K5": (_heun(steps=5, prediction_type="v_prediction", **COSINE, **LEADING), None),
    "heun_cosine_karras_trailing_K2": (
        _heun(steps=2, use_karras_sigmas=True, timestep_spacing="trailing", **COSINE), None
    ),
    "heun_cosine_sample_karras": (_heun(prediction_type="sample", use_karras_sigmas=True, **COSINE), None),
    # K = 1: one level, from σ at the spacing's only timestep to 0: a single Euler call.
    "heun_sd_trailing_K1": (_heun(steps=1, timestep_spacing="trailing", **SD), None),
    "heun_v_leading_K1": (_heun(steps=1, prediction_type="v_prediction", **LEADING), None),
}


class DiffusersHeun(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in CASES.items()}

    def test_the_cases_cover_every_option(self):
        """Every value of every option named in the module docstring occurs in some case."""
        seen = {}
        for name in CASES:
            data = self.load_trace(name)
            c = data["config"]
            K = [r for r in data["records"] if r["quantity"] == "timesteps"][0]["num_inference_steps"]
            for key in ("beta_schedule", "prediction_type", "timestep_spacing", "use_karras_sigmas"):
                seen.setdefault(key, set()).add(c[key])
            seen.setdefault("beta_range", set()).add((c["beta_start"], c["beta_end"]))
            seen.setdefault("steps", set()).add(K)
        self.assertEqual(seen["beta_schedule"], {"linear", "scaled_linear", "squaredcos_cap_v2"})
        self.assertEqual(seen["prediction_type"], {"epsilon", "v_prediction", "sample"})
        self.assertEqual(seen["timestep_spacing"], {"linspace", "leading", "trailing"})
        self.assertEqual(seen["use_karras_sigmas"], {False, True})
        self.assertTrue({(0.00085, 0.012), (0.0001, 0.02)} <= seen["beta_range"])
        self.assertEqual(seen["steps"], {1, 2, 5, 10})

    def test_every_level_is_checked(self):
        """Each level's prev_sample is a checked finding (Heun's second-order levels and the
        last, Euler, level alike), and the schedule, timesteps and sigmas are checked too."""
        for name in CASES:
            with self.subTest(name):
                data = self.load_trace(name)
                result = self.result(name)
                self.assertIsNotNone(result.report, result.summary())
                steps = [i for i, r in enumerate(data["records"]) if r["quantity"] == "step"]
                checked = {f.get("record") for f in result.findings() if f.get("quantity") == "step.prev_sample"}
                self.assertEqual(checked, set(steps), result.summary())
                quantities = {f.get("quantity") for f in result.findings()}
                self.assertTrue({"betas", "alphas_cumprod", "timesteps", "sigmas"} <= quantities, quantities)

    def test_steps_match_a_float64_recomputation(self):
        """Every level of every case is Heun's step recomputed in float64 (`_sigma_math`),
        to within 64 float32 units of the size of its terms."""
        for name in CASES:
            with self.subTest(name):
                worst, index = _sigma_math.worst(self.load_trace(name))
                self.assertLess(worst, 64, "level %s is off by %.1f units" % (index, worst))

    def test_the_trace_holds_what_the_kind_needs(self):
        """K distinct timesteps and K + 1 distinct levels (not diffusers' interleaved 2K − 1
        and 2K), one step record per level, the second call's inputs on every level but
        the last."""
        data = self.load_trace("heun_defaults_K5")
        self.assertEqual((data["scheduler"], data["dtype"]), ("heun", "float32"))
        self.assertNotIn("sample_space", data)
        self.assertEqual(data["producer"]["class"], "HeunDiscreteScheduler")
        self.assertNotIn("notes", data["producer"])
        records = {r["quantity"]: r for r in data["records"] if r["quantity"] != "step"}
        self.assertEqual(set(records), {"betas", "alphas_cumprod", "timesteps", "sigmas"})
        self.assertEqual(records["timesteps"]["num_inference_steps"], 5)
        self.assertEqual(records["timesteps"]["values"], [999.0, 749.25, 499.5, 249.75, 0.0])
        sigmas = records["sigmas"]["values"]
        self.assertEqual(len(sigmas), 6)
        self.assertEqual(sigmas[-1], 0.0)
        self.assertEqual(sorted(set(sigmas), reverse=True), sigmas)  # distinct and decreasing
        scheduler = HeunDiscreteScheduler()
        scheduler.set_timesteps(5)
        interleaved = scheduler.sigmas.tolist()
        self.assertEqual(len(interleaved), 10)
        self.assertEqual(sigmas, [interleaved[0]] + interleaved[1::2])
        steps = [r for r in data["records"] if r["quantity"] == "step"]
        self.assertEqual([s["index"] for s in steps], list(range(5)))
        self.assertEqual([s["timestep"] for s in steps], records["timesteps"]["values"])
        for step in steps[:-1]:
            for key in ("sample", "model_output", "pred_original_sample", "predictor_sample", "model_output_2",
                        "prev_sample"):
                self.assertEqual(len(step[key]), 256, key)
            self.assertIsNone(step["noise"])
            self.assertNotEqual(step["model_output_2"], step["model_output"])
        self.assertNotIn("model_output_2", steps[-1])
        self.assertNotIn("predictor_sample", steps[-1])

    def test_recording_is_deterministic(self):
        """The same scheduler and seed give the same trace, byte for byte (the second call
        draws its output from the level's own generator)."""
        with tempfile.TemporaryDirectory() as folder:
            texts = []
            for n in range(2):
                path = difftrace.record(
                    HeunDiscreteScheduler(**SD), os.path.join(folder, "%d.json" % n), steps=3, seed=7
                )
                with open(path) as f:
                    texts.append(f.read())
            self.assertEqual(texts[0], texts[1])


_support.attach_cases(DiffusersHeun, CASES)


@unittest.skipIf(HeunDiscreteScheduler is None, "diffusers is not installed")
class HeunKind(unittest.TestCase):
    def test_the_kind_is_found_along_the_mro(self):
        class Mine(HeunDiscreteScheduler):
            pass

        self.assertEqual(difftrace.infer_kind(HeunDiscreteScheduler()), "heun")
        self.assertEqual(difftrace.infer_kind(Mine()), "heun")
        self.assertIn("heun", difftrace.KINDS)
        self.assertIn("heun", difftrace.SIGMA_KINDS)

    def test_pipeline_calls_two_per_level(self):
        """What the recording relies on: diffusers' Heun takes 2K − 1 calls, the first of a
        level returns Euler's predictor, the second (at the next interleaved timestep) the
        corrected sample, and the last level is one call."""
        import torch

        scheduler = HeunDiscreteScheduler(**SD)
        scheduler.set_timesteps(3)
        self.assertEqual(len(scheduler.timesteps), 5)
        self.assertEqual(len(scheduler.sigmas), 6)
        x = torch.ones(1, 1, 2, 2)
        eps = torch.full_like(x, 0.5)
        out = scheduler.step(eps, scheduler.timesteps[0], x).prev_sample
        s0, s1 = scheduler.sigmas[0], scheduler.sigmas[1]
        torch.testing.assert_close(out, x + (s1 - s0) * eps)
        self.assertFalse(scheduler.state_in_first_order)
        scheduler.step(eps, scheduler.timesteps[1], out)
        self.assertTrue(scheduler.state_in_first_order)
        self.assertEqual(scheduler.step_index, 2)


@unittest.skipIf(HeunDiscreteScheduler is None, "diffusers is not installed")
class HeunRefusals(unittest.TestCase):
    """A config the kind does not check is refused before anything is written, naming it."""

    def test_unchecked_configs_are_refused(self):
        refused = {
            "clip_sample=True": dict(clip_sample=True),
            "use_exponential_sigmas=True": dict(use_exponential_sigmas=True),
            "use_beta_sigmas=True": dict(use_beta_sigmas=True),
            "prediction_type='flow_prediction'": dict(prediction_type="flow_prediction"),
        }
        with tempfile.TemporaryDirectory() as folder:
            for said, config in refused.items():
                with self.subTest(said):
                    scheduler = HeunDiscreteScheduler(**config)
                    with self.assertRaisesRegex(ValueError, "heun.*Karras.*" + said):
                        difftrace.record(scheduler, os.path.join(folder, "t.json"), steps=3)
            self.assertEqual(os.listdir(folder), [])

    def test_the_check_reads_a_plain_config(self):
        """An absent key is diffusers' default; every problem is named at once."""
        check_heun_config({})
        check_heun_config({"prediction_type": "v_prediction", "clip_sample": False, "use_karras_sigmas": True})
        with self.assertRaisesRegex(ValueError, "prediction_type='x'.*clip_sample=True.*use_beta_sigmas=True"):
            check_heun_config({"prediction_type": "x", "clip_sample": True, "use_beta_sigmas": True})


class HeunTraceBuilder(unittest.TestCase):
    """The Trace builder's side of the kind and of the sample space (no verifier needed)."""

    def test_heun_steps_carry_the_second_call(self):
        trace = difftrace.Trace("float64", scheduler="heun")
        trace.add_sigmas([2.0, 1.0, 0.0])
        trace.add_step(5.5, [0.1], [1.0], [0.9], index=0, model_output_2=[0.2], predictor_sample=[0.95])
        trace.add_step(2.0, [0.1], [0.9], [0.8], index=1)
        step0, step1 = trace.to_dict()["records"][1:]
        self.assertEqual(
            (step0["model_output_2"], step0["predictor_sample"], step0["timestep"]), ([0.2], [0.95], 5.5)
        )
        self.assertNotIn("model_output_2", step1)
        with self.assertRaisesRegex(ValueError, "index="):
            trace.add_step(1, [0.1], [1.0], [0.9], model_output_2=[0.2])
        euler = difftrace.Trace("float64", scheduler="euler")
        with self.assertRaisesRegex(ValueError, "model_output_2=.*heun.*'euler'"):
            euler.add_step(1, [0.1], [1.0], [0.9], index=0, model_output_2=[0.2])

    def test_sample_space(self):
        trace = difftrace.Trace("float32", scheduler="dpmpp_2m", sample_space="scaled")
        trace.add_sigmas([1.0, 0.0])
        data = trace.to_dict()
        self.assertEqual(data["sample_space"], "scaled")
        self.assertEqual(list(data)[:6], ["format", "version", "producer", "dtype", "scheduler", "sample_space"])
        plain = difftrace.Trace("float32", scheduler="dpmpp_2m").add_sigmas([1.0, 0.0]).to_dict()
        self.assertNotIn("sample_space", plain)
        self.assertEqual(difftrace.SAMPLE_SPACES, ("vp", "scaled"))
        with self.assertRaisesRegex(ValueError, "sample_space 'x'.*'vp', 'scaled'"):
            difftrace.Trace("float32", sample_space="x")


if HeunDiscreteScheduler is None:
    DiffusersHeun = unittest.skip("diffusers is not installed")(DiffusersHeun)


if __name__ == "__main__":
    unittest.main()
