"""diffusers' own DPMSolverMultistepScheduler (DPM-Solver++(2M)), recorded and checked.

The multistep counterpart of test_diffusers_euler.py: a covering set of configurations
of ``algorithm_type="dpmsolver++"``, ``solver_type="midpoint"`` rather than the full
product. Across the cases every value of every option appears at least once:

* beta_schedule: linear (1e−4 … 0.02) and scaled_linear (Stable Diffusion's 0.00085 …
  0.012);
* prediction_type: epsilon, v_prediction and sample;
* timestep_spacing: linspace, leading (with steps_offset=1) and trailing — DPM's own
  linspace and leading, which differ from DDIM's and Euler's (see `DpmSpacing` below);
* use_karras_sigmas: False and True;
* final_sigmas_type: zero and sigma_min;
* lower_order_final: True and False (and euler_at_final once), so that the last step is
  first order in some cases and second order in others (`_dpm_math.first_order_steps`);
* K = 10, 20 and 7 sampling steps out of T = 1000 (K = 20 ≥ 15 is where
  lower_order_final stops lowering the last step);
* dynamic thresholding once, solver_order=1 once.

Each case records a trace with `difftrace.record` (the sigmas record, and every step in
order, each with fresh inputs: the second-order term uses the previous step's x̂₀, which
the verifier recomputes from the previous step record) and expects the verifier to pass
it: exit 0, no failed check and a non-empty list of findings. Where diffusers genuinely
computed something other than the math, a case would expect the verifier to FAIL and
name the diagnosis; none of these configurations needs that. Independently of the
verifier, `test_steps_match_a_float64_recomputation` recomputes every step of every case
in float64 (`_dpm_math`).
"""

import json
import os
import tempfile
import unittest

import numpy as np

import _dpm_math
import _support
import difftrace

try:
    from diffusers import DPMSolverMultistepScheduler
except ImportError:  # pragma: no cover
    DPMSolverMultistepScheduler = None

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

LEADING = dict(timestep_spacing="leading", steps_offset=1)
"""Leading spacing as Stable Diffusion configures it."""

#: float32's unit roundoff.
U32 = 2.0**-24


def _dpm(steps=10, shape=(1, 4, 8, 8), **config):
    def write(path):
        return difftrace.record(DPMSolverMultistepScheduler(**config), path, steps=steps, shape=shape)

    return write


# name → (writer, expected): expected None means "passes", else the diagnosis id the
# verifier must name when it fails the trace. The comment says which steps are first order.
CASES = {
    # diffusers' defaults: linear, epsilon, linspace (999, 899, …, 100), final level 0.
    # First order: the first step and the last (to σ = 0).
    "dpm_defaults": (_dpm(), None),
    "dpm_sd_leading_K20": (_dpm(steps=20, **SD, **LEADING), None),
    "dpm_sd_v_trailing_K7_no_lower_order_final": (
        _dpm(steps=7, prediction_type="v_prediction", timestep_spacing="trailing", lower_order_final=False, **SD),
        None,
    ),
    "dpm_sample_trailing": (_dpm(prediction_type="sample", timestep_spacing="trailing"), None),
    # Karras levels from σ(999) down to σ(0), whatever the spacing; timesteps by _sigma_to_t.
    "dpm_sd_karras_K20": (_dpm(steps=20, use_karras_sigmas=True, **SD), None),
    "dpm_v_karras_leading_K7": (
        _dpm(steps=7, prediction_type="v_prediction", use_karras_sigmas=True, **LEADING), None
    ),
    # sigma_min, K < 15 and lower_order_final: the last step (to σ(0)) is first order.
    "dpm_sd_sigma_min": (_dpm(final_sigmas_type="sigma_min", **SD), None),
    # ... and without lower_order_final it is second order.
    "dpm_sd_sigma_min_trailing_no_lower_order_final": (
        _dpm(final_sigmas_type="sigma_min", timestep_spacing="trailing", lower_order_final=False, **SD), None
    ),
    # K = 20 ≥ 15: lower_order_final no longer applies; the last step is second order.
    "dpm_v_sigma_min_leading_K20": (
        _dpm(steps=20, prediction_type="v_prediction", final_sigmas_type="sigma_min", **LEADING), None
    ),
    # Karras ends at σ(0) and the final level is σ(0) again: the last step has h = 0
    # (second order at K = 20, where diffusers' 1/r is 0 and the step returns x).
    "dpm_sd_karras_sigma_min_trailing_K20": (
        _dpm(steps=20, use_karras_sigmas=True, final_sigmas_type="sigma_min", timestep_spacing="trailing", **SD),
        None,
    ),
    # ... and the same h = 0 at first order (K = 7 < 15).
    "dpm_sd_sample_karras_sigma_min_K7": (
        _dpm(steps=7, prediction_type="sample", use_karras_sigmas=True, final_sigmas_type="sigma_min", **SD), None
    ),
    "dpm_sample_sigma_min_no_lower_order_final_K7": (
        _dpm(steps=7, prediction_type="sample", final_sigmas_type="sigma_min", lower_order_final=False), None
    ),
    # Dynamic thresholding of x̂₀ (per batch item: the 0.9 quantile of |x̂₀| in [1, 5]).
    "dpm_thresholding_batch2": (
        _dpm(shape=(2, 3, 8, 8), thresholding=True, dynamic_thresholding_ratio=0.9, sample_max_value=5.0), None
    ),
    # Every step first order (DPM-Solver++(1), which is DDIM in λ).
    "dpm_sd_order1": (_dpm(solver_order=1, **SD), None),
    # euler_at_final: the last step first order although K = 20 and the final level is σ(0).
    "dpm_sd_euler_at_final_sigma_min_K20": (
        _dpm(steps=20, euler_at_final=True, final_sigmas_type="sigma_min", **SD), None
    ),
}


class DiffusersDPM(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in CASES.items()}

    def test_the_cases_cover_every_option(self):
        """Every value of every option named in the module docstring occurs in some case."""
        seen = {}
        last_orders = set()
        for name in CASES:
            path = self.traces.file(name)
            if not os.path.exists(path):
                continue  # its own test reports why
            with open(path) as f:
                data = json.load(f)
            c = data["config"]
            K = [r for r in data["records"] if r["quantity"] == "timesteps"][0]["num_inference_steps"]
            for key in ("beta_schedule", "prediction_type", "timestep_spacing", "use_karras_sigmas",
                        "final_sigmas_type", "lower_order_final", "thresholding", "solver_order",
                        "euler_at_final"):
                seen.setdefault(key, set()).add(c[key])
            seen.setdefault("steps", set()).add(K)
            last_orders.add(1 if K - 1 in _dpm_math.first_order_steps(c, K) else 2)
        self.assertEqual(seen["beta_schedule"], {"linear", "scaled_linear"})
        self.assertEqual(seen["prediction_type"], {"epsilon", "v_prediction", "sample"})
        self.assertEqual(seen["timestep_spacing"], {"linspace", "leading", "trailing"})
        self.assertEqual(seen["use_karras_sigmas"], {False, True})
        self.assertEqual(seen["final_sigmas_type"], {"zero", "sigma_min"})
        self.assertEqual(seen["lower_order_final"], {False, True})
        self.assertEqual(seen["euler_at_final"], {False, True})
        self.assertEqual(seen["thresholding"], {False, True})
        self.assertEqual(seen["solver_order"], {1, 2})
        self.assertEqual(seen["steps"], {10, 20, 7})
        self.assertEqual(last_orders, {1, 2})

    def test_steps_match_a_float64_recomputation(self):
        """Every step of every case is DPM-Solver++(2M) recomputed in float64 (`_dpm_math`),
        to within 128 float32 units of the size of the terms it adds up."""
        for name in CASES:
            with self.subTest(name):
                worst, index, order = _dpm_math.worst(self.load_trace(name))
                self.assertLess(
                    worst, 128 * U32, "step %s (order %s) is off by %.1f units" % (index, order, worst / U32)
                )

    def test_the_trace_holds_what_the_kind_needs(self):
        data = self.load_trace("dpm_sd_sigma_min")
        self.assertEqual((data["scheduler"], data["dtype"]), ("dpmpp_2m", "float32"))
        self.assertEqual(data["producer"]["class"], "DPMSolverMultistepScheduler")
        self.assertNotIn("notes", data["producer"])
        c = data["config"]
        for key, value in (("algorithm_type", "dpmsolver++"), ("solver_type", "midpoint"), ("solver_order", 2),
                           ("lower_order_final", True), ("final_sigmas_type", "sigma_min"),
                           ("lambda_min_clipped", "-inf")):
            self.assertEqual(c[key], value, key)
        records = {r["quantity"]: r for r in data["records"] if r["quantity"] != "step"}
        self.assertEqual(set(records), {"betas", "alphas_cumprod", "timesteps", "sigmas"})
        timesteps = records["timesteps"]["values"]
        self.assertEqual(timesteps, [999, 899, 799, 699, 599, 500, 400, 300, 200, 100])
        self.assertTrue(all(type(t) is int for t in timesteps))
        sigmas = records["sigmas"]["values"]
        self.assertEqual(len(sigmas), 11)
        ac0 = records["alphas_cumprod"]["values"][0]
        self.assertAlmostEqual(sigmas[-1], ((1 - ac0) / ac0) ** 0.5, delta=1e-6 * sigmas[-1])
        steps = [r for r in data["records"] if r["quantity"] == "step"]
        self.assertEqual([s["index"] for s in steps], list(range(10)))
        self.assertEqual([s["timestep"] for s in steps], timesteps)
        for step in steps:
            self.assertIsNone(step["noise"])  # dpmsolver++ draws none
            self.assertNotIn("pred_original_sample", step)  # diffusers' DPM step returns none
            self.assertEqual(step["shape"], [1, 4, 8, 8])
            # The VP sample xτ, drawn N(0, 1) (not at the σ-space spread of the Euler kinds).
            self.assertLess(np.std(step["sample"]), 1.3)


_support.attach_cases(DiffusersDPM, CASES)


@unittest.skipIf(DPMSolverMultistepScheduler is None, "diffusers is not installed")
class DpmSpacing(unittest.TestCase):
    """Pins down where diffusers' DPM levels and timesteps differ from DDIM's and Euler's,
    so that a change in diffusers shows (the verifier must rebuild DPM's own)."""

    def test_linspace_and_leading_are_over_k_plus_one_points(self):
        """linspace: round(linspace(0, T − 1, K + 1)) reversed, the last (0) dropped;
        leading: multiples of T // (K + 1) reversed, the last dropped, plus steps_offset.
        (DDIM's are over K points: 999, 888, …, 0 and 901, 801, …, 1.)"""
        found = {}
        for spacing, offset in (("linspace", 0), ("leading", 1), ("trailing", 0)):
            scheduler = DPMSolverMultistepScheduler(timestep_spacing=spacing, steps_offset=offset)
            scheduler.set_timesteps(10)
            found[spacing] = scheduler.timesteps.tolist()
        self.assertEqual(found["linspace"], [999, 899, 799, 699, 599, 500, 400, 300, 200, 100])
        self.assertEqual(found["leading"], [901, 811, 721, 631, 541, 451, 361, 271, 181, 91])
        self.assertEqual(found["trailing"], [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])

    def test_karras_levels_span_the_whole_schedule_whatever_the_spacing(self):
        """DPM's Karras levels run from σ(T − 1) to σ(0) for every spacing (Euler's run
        between the spacing's own largest and smallest σ), and the timesteps are then
        round(_sigma_to_t(σₖ)), the same for every spacing."""
        levels, steps = [], []
        for spacing, offset in (("linspace", 0), ("leading", 1), ("trailing", 0)):
            scheduler = DPMSolverMultistepScheduler(
                use_karras_sigmas=True, timestep_spacing=spacing, steps_offset=offset, **SD
            )
            scheduler.set_timesteps(7)
            levels.append(scheduler.sigmas.tolist())
            steps.append(scheduler.timesteps.tolist())
        self.assertEqual(levels[0], levels[1])
        self.assertEqual(levels[0], levels[2])
        self.assertEqual(steps[0], steps[1])
        self.assertEqual(steps[0], [999, 868, 687, 427, 146, 18, 0])
        ac = DPMSolverMultistepScheduler(**SD).alphas_cumprod.double().numpy()
        whole = np.sqrt((1 - ac) / ac)
        np.testing.assert_allclose([levels[0][0], levels[0][-2]], [whole[-1], whole[0]], rtol=1e-6)


@unittest.skipIf(DPMSolverMultistepScheduler is None, "diffusers is not installed")
class DpmRefusals(unittest.TestCase):
    """A config for another solver is refused before anything is written, naming it."""

    def test_other_solvers_are_refused(self):
        refused = {
            "algorithm_type='sde-dpmsolver\\+\\+'": dict(algorithm_type="sde-dpmsolver++"),
            "algorithm_type='dpmsolver'": dict(algorithm_type="dpmsolver", final_sigmas_type="sigma_min"),
            "solver_type='heun'": dict(solver_type="heun"),
            "solver_order=3": dict(solver_order=3),
            "use_lu_lambdas=True": dict(use_lu_lambdas=True),
            "use_exponential_sigmas=True": dict(use_exponential_sigmas=True),
            "use_flow_sigmas=True": dict(use_flow_sigmas=True, prediction_type="flow_prediction"),
        }
        import warnings

        with tempfile.TemporaryDirectory() as folder:
            for said, config in refused.items():
                with self.subTest(said):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", FutureWarning)  # dpmsolver is deprecated
                        scheduler = DPMSolverMultistepScheduler(**config)
                    with self.assertRaisesRegex(ValueError, "dpmpp_2m.*dpmsolver\\+\\+.*midpoint.*" + said):
                        difftrace.record(scheduler, os.path.join(folder, "t.json"), steps=3)
            self.assertEqual(os.listdir(folder), [])

    def test_the_check_reads_a_plain_config(self):
        """The check on a config dict (beta sigmas need scipy to build a diffusers scheduler);
        an absent key is diffusers' default, and a learned variance is refused too."""
        from difftrace.record import check_dpm_config

        check_dpm_config({})
        check_dpm_config({"solver_order": 1, "prediction_type": "sample", "variance_type": None})
        for config, said in (
            ({"use_beta_sigmas": True}, "use_beta_sigmas=True"),
            ({"variance_type": "learned_range"}, "variance_type='learned_range'"),
            ({"prediction_type": "flow_prediction"}, "prediction_type='flow_prediction'"),
        ):
            with self.assertRaisesRegex(ValueError, said):
                check_dpm_config(config)


if DPMSolverMultistepScheduler is None:
    DiffusersDPM = unittest.skip("diffusers is not installed")(DiffusersDPM)


if __name__ == "__main__":
    unittest.main()
