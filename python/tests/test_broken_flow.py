"""Flow-matching Euler samplers with one planted mistake each: `lessons verify` must fail them and say why.

The flow counterpart of test_broken_heun.py. Two families, each first shown to be right
(its control cases pass entirely), so that a failure of a variant is the planted mistake's
and nothing else's:

* `StepByStepFlow`: diffusers' FlowMatchEulerDiscreteScheduler with its step written out
  (one method for the update), recorded with shift 1, where diffusers' levels are the
  math's (with another shift its levels fail as `sigmas.flow-double-shift`, see
  test_diffusers_flow.py), so the step is the only thing a variant changes;
* `_flow_math.LearnerFlowEuler`: a learner's numpy sampler from the math, with SD3's
  shift 3, whose levels (`times`, `shifted`) or update a variant overrides.

The two ways a learner gets the step's direction wrong give one formula: x + (σ − σ′)·v
(the step size reversed) is x − (σ′ − σ)·v (the velocity's sign flipped: v read as x₀ − ε);
in float32 even bit for bit, since fl(σ − σ′) = −fl(σ′ − σ). No trace can tell them apart,
so the verifier has one id for both, `flow.velocity-sign`, and each planted slip must be
named with it. The learner's `VelocityAsDataMinusNoise` makes the sign mistake as a
learner would: it takes the output as x₀ − ε, rebuilds x̂₀ = x + σ·v and ε̂ = x − (1 − σ)·v
and moves to (1 − σ′)·x̂₀ + σ′·ε̂, the same formula up to rounding.

The level mistakes keep the steps consistent with the levels the sampler holds (a step is
checked against the trace's own sigmas), so only the `sigmas` record fails: the shift
forgotten (`sigmas.flow-unshifted`), the shift by 1/s (`sigmas.flow-shift-inverted`), and
diffusers' double shift written by a learner (`sigmas.flow-double-shift`).
"""

import unittest

import numpy as np

import _flow_math
import _support
import difftrace

try:
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler
    from diffusers.schedulers.scheduling_flow_match_euler_discrete import FlowMatchEulerDiscreteSchedulerOutput
except ImportError:  # pragma: no cover
    torch = None
    FlowMatchEulerDiscreteScheduler = object


class StepByStepFlow(FlowMatchEulerDiscreteScheduler):
    """diffusers' deterministic flow step, x′ = x + (σ′ − σ)·v, with the update as a method.

    Keeps diffusers' bookkeeping: the call is placed by ``step_index`` (set from the first
    timestep, advanced by one per call), the sample is upcast to float32, and the result
    is cast back to the model output's dtype.
    """

    def update(self, x, v, sigma, sigma_next):
        return x + (sigma_next - sigma) * v

    def step(self, model_output, timestep, sample, return_dict=True):
        if self.step_index is None:
            self._init_step_index(timestep)
        sigma, sigma_next = self.sigmas[self.step_index], self.sigmas[self.step_index + 1]
        prev_sample = self.update(sample.to(torch.float32), model_output, sigma, sigma_next)
        self._step_index += 1
        prev_sample = prev_sample.to(model_output.dtype)
        if not return_dict:
            return (prev_sample,)
        return FlowMatchEulerDiscreteSchedulerOutput(prev_sample=prev_sample)


class DtReversed(StepByStepFlow):
    """The step size taken as σ − σ′: the step walks back up towards noise."""

    def update(self, x, v, sigma, sigma_next):
        return x + (sigma - sigma_next) * v


class VelocitySign(StepByStepFlow):
    """The velocity read with the other sign (as x₀ − ε): x − (σ′ − σ)·v."""

    def update(self, x, v, sigma, sigma_next):
        return x - (sigma_next - sigma) * v


class LearnerDtReversed(_flow_math.LearnerFlowEuler):
    """dt = σ − σ′."""

    def update(self, x, v, sigma, sigma_next):
        return x + (sigma - sigma_next) * v


class LearnerVelocityAsDataMinusNoise(_flow_math.LearnerFlowEuler):
    """The output taken as v = x₀ − ε: x̂₀ = x + σ·v, ε̂ = x − (1 − σ)·v, x′ = (1 − σ′)·x̂₀ + σ′·ε̂."""

    def update(self, x, v, sigma, sigma_next):
        one = np.float32(1.0)
        x0 = x + sigma * v
        eps = x - (one - sigma) * v
        return (one - sigma_next) * x0 + sigma_next * eps


class LearnerUnshifted(_flow_math.LearnerFlowEuler):
    """The shift forgotten: the levels are the times themselves."""

    def shifted(self, t):
        return t


class LearnerShiftInverted(_flow_math.LearnerFlowEuler):
    """Shifted by 1/s instead of s (the levels pulled towards the data instead of the noise)."""

    def shifted(self, t):
        s = 1.0 / self.config["shift"]
        return s * t / (1.0 + (s - 1.0) * t)


class LearnerDoubleShift(_flow_math.LearnerFlowEuler):
    """diffusers 0.42.1's levels: the times spaced down to shift(1/T), then shifted."""

    def times(self, K):
        T = self.config["num_train_timesteps"]
        return np.linspace(1.0, float(super().shifted(np.float64(1.0 / T))), K)


def _diffusers(cls, steps=10, **config):
    def write(path):
        return difftrace.record(cls(**config), path, steps=steps)

    return write


def _learner(cls, steps=10, T=1000, shift=3.0):
    def write(path):
        return difftrace.record(cls(num_train_timesteps=T, shift=shift), path, steps=steps, kind="flow_euler")

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_stepbystep_flow": (_diffusers(StepByStepFlow), None),
    "control_stepbystep_flow_T100_K28": (_diffusers(StepByStepFlow, steps=28, num_train_timesteps=100), None),
    "control_learner_flow_s3": (_learner(_flow_math.LearnerFlowEuler), None),
    "control_learner_flow_s3_T100_K4": (_learner(_flow_math.LearnerFlowEuler, steps=4, T=100), None),
}

BROKEN = {
    "flow_dt_reversed": (_diffusers(DtReversed), "flow.velocity-sign"),
    "flow_velocity_sign": (_diffusers(VelocitySign), "flow.velocity-sign"),
    "flow_dt_reversed_K28_T100": (_diffusers(DtReversed, steps=28, num_train_timesteps=100), "flow.velocity-sign"),
    "learner_dt_reversed": (_learner(LearnerDtReversed), "flow.velocity-sign"),
    "learner_velocity_as_data_minus_noise": (_learner(LearnerVelocityAsDataMinusNoise), "flow.velocity-sign"),
    "learner_unshifted": (_learner(LearnerUnshifted), "sigmas.flow-unshifted"),
    "learner_unshifted_T100_K28": (_learner(LearnerUnshifted, steps=28, T=100), "sigmas.flow-unshifted"),
    "learner_shift_inverted": (_learner(LearnerShiftInverted), "sigmas.flow-shift-inverted"),
    "learner_shift_inverted_K4": (_learner(LearnerShiftInverted, steps=4), "sigmas.flow-shift-inverted"),
    "learner_double_shift": (_learner(LearnerDoubleShift), "sigmas.flow-double-shift"),
}


class BrokenFlow(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}

    def test_the_step_mistakes_fail_the_steps_only(self):
        """A step mistake fails every step (σ′ ≠ σ at each) and nothing else: the levels
        were computed right."""
        for name, (_, diagnosis) in BROKEN.items():
            if not diagnosis.startswith("flow."):
                continue
            with self.subTest(name):
                data = self.load_trace(name)
                result = self.result(name)
                steps = {i for i, r in enumerate(data["records"]) if r["quantity"] == "step"}
                failing = result.failing_findings()
                self.assertEqual({f.get("quantity") for f in failing}, {"step.prev_sample"}, result.summary())
                self.assertEqual({f.get("record") for f in failing}, steps, result.summary())

    def test_the_level_mistakes_fail_the_levels_only(self):
        """A level mistake fails the sigmas (and the timesteps made from them), never a
        step: each step is checked against the levels the sampler held."""
        for name, (_, diagnosis) in BROKEN.items():
            if not diagnosis.startswith("sigmas."):
                continue
            with self.subTest(name):
                result = self.result(name)
                quantities = {f.get("quantity") for f in result.failing_findings()}
                self.assertIn("sigmas", quantities, result.summary())
                self.assertLessEqual(quantities, {"sigmas", "timesteps"}, result.summary())

    def test_the_two_step_mistakes_are_one_formula(self):
        """Why both step ids are expected on the same failing steps: x + (σ − σ′)·v and
        x − (σ′ − σ)·v record the same prev_sample, bit for bit."""
        a, b = self.load_trace("flow_dt_reversed"), self.load_trace("flow_velocity_sign")
        steps_a = [r for r in a["records"] if r["quantity"] == "step"]
        steps_b = [r for r in b["records"] if r["quantity"] == "step"]
        self.assertEqual([s["prev_sample"] for s in steps_a], [s["prev_sample"] for s in steps_b])


_support.attach_cases(BrokenFlow, {**CONTROLS, **BROKEN})

if torch is None:
    BrokenFlow = unittest.skip("diffusers/torch are not installed")(BrokenFlow)


if __name__ == "__main__":
    unittest.main()
