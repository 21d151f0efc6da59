"""diffusers' own EulerDiscreteScheduler and EulerAncestralDiscreteScheduler, recorded and checked.

The σ-space counterpart of test_diffusers_schedulers.py: a covering set of configurations
rather than the full product. Across the cases every value of every option appears at
least once, for both schedulers where the scheduler has the option:

* beta_schedule: linear (1e−4 … 0.02) and scaled_linear (Stable Diffusion's 0.00085 …
  0.012);
* prediction_type: epsilon and v_prediction;
* timestep_spacing: linspace, leading (with steps_offset=1) and trailing;
* use_karras_sigmas and final_sigmas_type (zero, sigma_min): EulerDiscreteScheduler only
  (EulerAncestralDiscreteScheduler has neither option; its levels are the interpolated
  ones and its final level is 0);
* K = 10, 7 and 25 sampling steps out of T = 1000 (K = 7 makes linspace's timesteps
  fractional).

Each case records a trace with `difftrace.record` (the sigmas record, and every step in
order with fresh inputs) and expects the verifier to pass it: exit 0, no failed check and
a non-empty list of findings. Where diffusers genuinely computes something other than the
math, a case would expect the verifier to FAIL and name the diagnosis, with a comment
saying what diffusers does; none of these configurations needs that. (With Karras levels
diffusers places each level's timestep by a rule of its own, which leaves the steps
untouched: see `KarrasTimesteps` below.)
"""

import json
import os
import unittest

import numpy as np

import _support
import difftrace

try:
    from diffusers import EulerAncestralDiscreteScheduler, EulerDiscreteScheduler
except ImportError:  # pragma: no cover
    EulerDiscreteScheduler = EulerAncestralDiscreteScheduler = None

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

LEADING = dict(timestep_spacing="leading", steps_offset=1)
"""Leading spacing as Stable Diffusion configures it."""


def _euler(steps=10, **config):
    def write(path):
        return difftrace.record(EulerDiscreteScheduler(**config), path, steps=steps)

    return write


def _ancestral(steps=10, **config):
    def write(path):
        return difftrace.record(EulerAncestralDiscreteScheduler(**config), path, steps=steps)

    return write


# name → (writer, expected): expected None means "passes", else the diagnosis id the
# verifier must name when it fails the trace.
EULER_CASES = {
    # diffusers' defaults: linear, epsilon, linspace, no Karras, final level 0.
    "euler_defaults": (_euler(), None),
    "euler_sd_leading": (_euler(**SD, **LEADING), None),
    "euler_sd_v_trailing_K7": (_euler(steps=7, prediction_type="v_prediction", timestep_spacing="trailing", **SD), None),
    "euler_sd_karras_K25": (_euler(steps=25, use_karras_sigmas=True, **SD), None),
    "euler_v_karras_leading_K7": (
        _euler(steps=7, prediction_type="v_prediction", use_karras_sigmas=True, **LEADING), None
    ),
    "euler_sd_sigma_min_trailing": (_euler(final_sigmas_type="sigma_min", timestep_spacing="trailing", **SD), None),
    "euler_karras_sigma_min_trailing_K25": (
        _euler(steps=25, use_karras_sigmas=True, final_sigmas_type="sigma_min", timestep_spacing="trailing"), None
    ),
    # linspace ends at τ = 0, so with sigma_min the last step goes from σ(0) to σ(0): dt = 0.
    "euler_sd_v_karras_sigma_min": (
        _euler(prediction_type="v_prediction", use_karras_sigmas=True, final_sigmas_type="sigma_min", **SD), None
    ),
    "euler_v_sigma_min_leading_K25": (
        _euler(steps=25, prediction_type="v_prediction", final_sigmas_type="sigma_min", **LEADING), None
    ),
}

ANCESTRAL_CASES = {
    "euler_a_defaults": (_ancestral(), None),  # linear, epsilon, linspace
    "euler_a_sd_leading_K25": (_ancestral(steps=25, **SD, **LEADING), None),
    "euler_a_sd_v_trailing": (_ancestral(prediction_type="v_prediction", timestep_spacing="trailing", **SD), None),
    "euler_a_v_leading_K7": (_ancestral(steps=7, prediction_type="v_prediction", **LEADING), None),
    "euler_a_sd_trailing_K7": (_ancestral(steps=7, timestep_spacing="trailing", **SD), None),
}

CASES = {**EULER_CASES, **ANCESTRAL_CASES}


class DiffusersEuler(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in CASES.items()}

    def test_the_cases_cover_every_option(self):
        """Every value of every option named in the module docstring occurs in some case."""
        seen = {}
        for name in CASES:
            path = self.traces.file(name)
            if not os.path.exists(path):
                continue  # its own test reports why
            with open(path) as f:
                data = json.load(f)
            c = data["config"]
            steps = [r for r in data["records"] if r["quantity"] == "timesteps"][0]["num_inference_steps"]
            for key, value in (
                ("kind", data["scheduler"]),
                ("beta_schedule", c["beta_schedule"]),
                ("prediction_type", c["prediction_type"]),
                ("timestep_spacing", c["timestep_spacing"]),
                ("steps", steps),
            ):
                seen.setdefault((data["scheduler"], key), set()).add(value)
            if data["scheduler"] == "euler":
                seen.setdefault(("euler", "use_karras_sigmas"), set()).add(c["use_karras_sigmas"])
                seen.setdefault(("euler", "final_sigmas_type"), set()).add(c["final_sigmas_type"])
        for kind in ("euler", "euler_ancestral"):
            self.assertEqual(seen[(kind, "beta_schedule")], {"linear", "scaled_linear"})
            self.assertEqual(seen[(kind, "prediction_type")], {"epsilon", "v_prediction"})
            self.assertEqual(seen[(kind, "timestep_spacing")], {"linspace", "leading", "trailing"})
            self.assertEqual(seen[(kind, "steps")], {10, 7, 25})
        self.assertEqual(seen[("euler", "use_karras_sigmas")], {False, True})
        self.assertEqual(seen[("euler", "final_sigmas_type")], {"zero", "sigma_min"})


_support.attach_cases(DiffusersEuler, CASES)


@unittest.skipIf(EulerDiscreteScheduler is None, "diffusers is not installed")
class KarrasTimesteps(unittest.TestCase):
    def test_karras_timesteps_are_the_log_sigma_inverse(self):
        """With Karras levels diffusers' timesteps are not σ's preimage under its own σ(τ).

        diffusers sets the levels σₖ by Karras et al.'s formula and then the timestep of
        each by inverting σ(τ) with interpolation in log σ between neighbouring integer τ
        (`_sigma_to_t`), whereas a σ at a fractional τ is otherwise the linear
        interpolation in σ (the rule of the plain levels). So σ(τₖ) is not quite σₖ: for
        Stable Diffusion's schedule and K = 7 they differ by 5e−5 relatively (at τ ≈
        17.86), some 800 float32 units in the last place; with K = 25, by 4e−3 (at τ ≈
        1.28). The step never reads the timestep (it moves from σᵢ to σᵢ₊₁ of the
        sigmas), so this changes only the model's conditioning, not any step. This test
        pins the observation down so that a change in diffusers shows.
        """
        scheduler = EulerDiscreteScheduler(use_karras_sigmas=True, **SD)
        scheduler.set_timesteps(7)
        ac = scheduler.alphas_cumprod.double().numpy()
        base = np.sqrt((1 - ac) / ac)
        levels = scheduler.sigmas.double().numpy()[:-1]
        at_timesteps = np.interp(scheduler.timesteps.double().numpy(), np.arange(len(base)), base)
        relative = np.abs(at_timesteps - levels) / levels
        self.assertGreater(relative.max(), 1e-5)
        self.assertLess(relative.max(), 1e-3)


if EulerDiscreteScheduler is None:
    DiffusersEuler = unittest.skip("diffusers is not installed")(DiffusersEuler)


if __name__ == "__main__":
    unittest.main()
