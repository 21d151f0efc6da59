"""Heun schedulers with one planted mistake each: `lessons verify` must fail them and say why.

The second-order counterpart of test_broken_euler.py. Each class below is a diffusers
HeunDiscreteScheduler with ONE thing computed wrong, honestly, in torch: the kind of slip
a person makes when writing Heun's method from Karras et al. (2022, Algorithm 1). The
verifier must exit 1 and name the expected diagnosis id in some finding.

The mistakes are planted in `StepByStepHeun`: diffusers' two-call step written out term
by term (one method per term), so that a variant overrides exactly one term. It keeps
diffusers' bookkeeping: ``step_index`` counts the calls (two per level, one at the last),
the first call of a level keeps the slope, the step and the sample and returns Euler's
predictor x̃, and the second call, handed the model's output at x̃, returns the corrected
sample. It is first shown to be right (the control cases must pass), so a failure of a
variant is the planted mistake's and nothing else's.

One mistake is invisible with ε-prediction: converting x̂₀′ with σᵢ and dividing by σᵢ
(`SlopeAtCurrentLevel`) gives d′ = (x̃ − (x̃ − σᵢ·ε̂′))/σᵢ = ε̂′, the right slope, so
that case uses v-prediction (and one the sample prediction).
"""

import unittest

import _support
import difftrace

try:
    import torch
    from diffusers import HeunDiscreteScheduler
    from diffusers.schedulers.scheduling_heun_discrete import HeunDiscreteSchedulerOutput
except ImportError:  # pragma: no cover
    torch = None
    HeunDiscreteScheduler = object


class StepByStepHeun(HeunDiscreteScheduler):
    """Heun's method on the probability-flow ODE from σ to σ′, in diffusers' two calls.

    On the scaled sample x = xτ/√ᾱτ = x₀ + σ·ε: x̂₀ = x − σ·ε̂ (ε), x/(σ² + 1) −
    σ/√(σ² + 1)·v̂ (v), or the output itself (sample); slope d = (x − x̂₀)/σ; predictor
    x̃ = x + (σ′ − σ)·d; slope at the predictor d′ = (x̃ − x̂₀′)/σ′ with x̂₀′ converted at
    σ′; result x + (σ′ − σ)·(d + d′)/2.
    """

    def predict_x0(self, model_output, sample, sigma):
        kind = self.config.prediction_type
        if kind == "epsilon":
            return sample - sigma * model_output
        if kind == "v_prediction":
            return sample / (sigma**2 + 1) - sigma / (sigma**2 + 1).sqrt() * model_output
        if kind == "sample":
            return model_output
        raise ValueError(kind)

    def slope(self, sample, x0, sigma):
        return (sample - x0) / sigma

    def step_size(self, sigma, sigma_next):
        """dt = σ′ − σ (a method of another name than diffusers' kept attribute ``dt``)."""
        return sigma_next - sigma

    def second_level(self, sigma, sigma_next):
        """The level the predictor x̃ sits at: σ′."""
        return sigma_next

    def corrected(self, sample, predictor, d, d_2, dt):
        return sample + dt * (d + d_2) / 2

    def step(self, model_output, timestep, sample, return_dict=True):
        if self.step_index is None:
            self._init_step_index(timestep)
        if self.state_in_first_order:
            sigma, sigma_next = self.sigmas[self.step_index], self.sigmas[self.step_index + 1]
            x0 = self.predict_x0(model_output, sample, sigma)
            d = self.slope(sample, x0, sigma)
            dt = self.step_size(sigma, sigma_next)
            prev_sample = sample + d * dt
            # Kept for the corrector; a kept dt is also diffusers' sign that the next call is it.
            self.prev_derivative, self.dt, self.sample = d, dt, sample
        else:
            sigma, sigma_next = self.sigmas[self.step_index - 1], self.sigmas[self.step_index]
            level = self.second_level(sigma, sigma_next)
            x0 = self.predict_x0(model_output, sample, level)
            d_2 = self.slope(sample, x0, level)
            prev_sample = self.corrected(self.sample, sample, self.prev_derivative, d_2, self.dt)
            self.prev_derivative = self.dt = self.sample = None
        self._step_index += 1
        return HeunDiscreteSchedulerOutput(prev_sample=prev_sample, pred_original_sample=x0)


class NoCorrection(StepByStepHeun):
    """The corrector returns the predictor: Euler's method with twice the model calls."""

    def corrected(self, sample, predictor, d, d_2, dt):
        return predictor


class SlopeAtCurrentLevel(StepByStepHeun):
    """The predictor's x̂₀′ and slope taken at σ (the level the step started from), not σ′."""

    def second_level(self, sigma, sigma_next):
        return sigma


class RestartFromPredictor(StepByStepHeun):
    """The averaged slope applied from the predictor x̃ instead of from x."""

    def corrected(self, sample, predictor, d, d_2, dt):
        return predictor + dt * (d + d_2) / 2


class SecondSlopeOnly(StepByStepHeun):
    """The step taken with the predictor's slope alone, not the average of both."""

    def corrected(self, sample, predictor, d, d_2, dt):
        return sample + dt * d_2


class DtReversed(StepByStepHeun):
    """dt = σ − σ′ in both calls: the step walks up in noise."""

    def step_size(self, sigma, sigma_next):
        return sigma - sigma_next


class ReadAsEpsilon(StepByStepHeun):
    """Config v_prediction; the output is read as ε in both calls."""

    def predict_x0(self, model_output, sample, sigma):
        return sample - sigma * model_output


class ReadAsV(StepByStepHeun):
    """Config epsilon; the output is read as v in both calls."""

    def predict_x0(self, model_output, sample, sigma):
        return sample / (sigma**2 + 1) - sigma / (sigma**2 + 1).sqrt() * model_output


class ReadAsSample(StepByStepHeun):
    """Config epsilon; the output is taken as x̂₀ itself in both calls."""

    def predict_x0(self, model_output, sample, sigma):
        return model_output


SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)


def _case(cls, steps=10, **config):
    def write(path):
        return difftrace.record(cls(**config), path, steps=steps)

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_stepbystep_heun": (_case(StepByStepHeun), None),
    "control_stepbystep_heun_sd_v_karras": (
        _case(StepByStepHeun, prediction_type="v_prediction", use_karras_sigmas=True, **SD), None
    ),
    "control_stepbystep_heun_sample_trailing_K5": (
        _case(StepByStepHeun, steps=5, prediction_type="sample", timestep_spacing="trailing"), None
    ),
    "control_stepbystep_heun_cosine_leading": (
        _case(StepByStepHeun, beta_schedule="squaredcos_cap_v2", timestep_spacing="leading", steps_offset=1), None
    ),
}

BROKEN = {
    "heun_no_correction": (_case(NoCorrection, **SD), "heun.no-correction"),
    "heun_no_correction_v_karras": (
        _case(NoCorrection, prediction_type="v_prediction", use_karras_sigmas=True, **SD), "heun.no-correction"
    ),
    # v and sample only: with ε the mistake cancels (module docstring).
    "heun_slope_at_current_level_v": (
        _case(SlopeAtCurrentLevel, prediction_type="v_prediction", **SD), "heun.slope-at-current-level"
    ),
    "heun_slope_at_current_level_sample_K5": (
        _case(SlopeAtCurrentLevel, steps=5, prediction_type="sample"), "heun.slope-at-current-level"
    ),
    "heun_restart_from_predictor": (_case(RestartFromPredictor, **SD), "heun.restart-from-predictor"),
    "heun_second_slope_only": (_case(SecondSlopeOnly, **SD), "heun.second-slope-only"),
    "heun_second_slope_only_karras_v": (
        _case(SecondSlopeOnly, prediction_type="v_prediction", use_karras_sigmas=True), "heun.second-slope-only"
    ),
    "heun_dt_reversed": (_case(DtReversed, **SD), "euler.dt-reversed"),
    "prediction_read_as_epsilon": (
        _case(ReadAsEpsilon, prediction_type="v_prediction", **SD), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_v": (_case(ReadAsV, **SD), "prediction.read-as-v"),
    "prediction_read_as_sample": (_case(ReadAsSample, **SD), "prediction.read-as-sample"),
}


class BrokenHeun(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}

    def test_the_slope_mistake_cancels_with_epsilon(self):
        """Why `SlopeAtCurrentLevel` is planted with v and sample only: with ε it records
        the right steps (to rounding), so no check could tell it from the right rule."""
        import json
        import os

        import _sigma_math

        path = os.path.join(self.traces.path, "slope_epsilon.json")
        with open(difftrace.record(SlopeAtCurrentLevel(**SD), path, steps=10)) as f:
            data = json.load(f)
        worst, index = _sigma_math.worst(data)
        self.assertLess(worst, 64, "level %s is off by %.1f units" % (index, worst))



_support.attach_cases(BrokenHeun, {**CONTROLS, **BROKEN})

if torch is None:
    BrokenHeun = unittest.skip("diffusers/torch are not installed")(BrokenHeun)


if __name__ == "__main__":
    unittest.main()
