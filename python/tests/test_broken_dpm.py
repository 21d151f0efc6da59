"""DPM-Solver++(2M) with one planted mistake each: `lessons verify` must fail it and say why.

The multistep counterpart of test_broken_euler.py. Each class below is a diffusers
DPMSolverMultistepScheduler (``algorithm_type="dpmsolver++"``, ``solver_type="midpoint"``)
with ONE thing computed wrong, honestly, in torch: the kind of slip a person makes when
writing the sampler from Lu et al. (2022), "DPM-Solver++", Algorithm 2. The verifier
must exit 1 and name the expected diagnosis id in some finding.

Two mistakes are planted in diffusers' own code path, by overriding one of its methods:
`FirstOrderOnly` (the second-order update replaced by the first-order one) and the
prediction mistakes (`convert_model_output`). The others are planted in `StepByStepDPM`:
the step written out term by term in torch (one method per term), so that a variant
overrides exactly one term. It keeps diffusers' bookkeeping (the step index starts from
the timestep on the first call and goes up by one per step) and keeps the previous
step's x̂₀ and λ itself. It is first shown to be right (the control cases must pass), so a
failure of a variant is the planted mistake's and nothing else's.
"""

import unittest

import _support
import difftrace

try:
    import torch
    from diffusers import DPMSolverMultistepScheduler
    from diffusers.schedulers.scheduling_utils import SchedulerOutput
except ImportError:  # pragma: no cover
    torch = None
    DPMSolverMultistepScheduler = object


# ---------------------------------------------------------------------------------------
# Mistakes in diffusers' own code path.


class FirstOrderOnly(DPMSolverMultistepScheduler):
    """The "second-order" update is the first-order one: x̂₀ alone, no D₁ correction."""

    def multistep_dpm_solver_second_order_update(self, model_output_list, *args, sample=None, noise=None, **kwargs):
        return self.dpm_solver_first_order_update(model_output_list[-1], sample=sample, noise=noise)


def _vp_levels(scheduler):
    """(α, s) = (1/√(σ² + 1), σ/√(σ² + 1)) at the current step's level."""
    sigma = scheduler.sigmas[scheduler.step_index]
    alpha = 1 / (sigma**2 + 1).sqrt()
    return alpha, sigma * alpha


class ReadAsEpsilon(DPMSolverMultistepScheduler):
    """Whatever the configured prediction, the output is read as ε: x̂₀ = (xτ − s·output)/α."""

    def convert_model_output(self, model_output, *args, sample=None, **kwargs):
        alpha, s = _vp_levels(self)
        return (sample - s * model_output) / alpha


class ReadAsV(DPMSolverMultistepScheduler):
    """Whatever the configured prediction, the output is read as v: x̂₀ = α·xτ − s·output."""

    def convert_model_output(self, model_output, *args, sample=None, **kwargs):
        alpha, s = _vp_levels(self)
        return alpha * sample - s * model_output


# ---------------------------------------------------------------------------------------
# The step written out term by term (right), for the variants to change one term of.


class StepByStepDPM(DPMSolverMultistepScheduler):
    """DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2), midpoint form, in torch.

    At level σ the VP sample is xτ = α·x₀ + s·ε with α = 1/√(σ² + 1), s = σ·α, and the
    log-SNR is λ = log α − log s. From σ to σ_next, with h = λ_next − λ:

    first order    x' = (s_next/s)·xτ − α_next·(e^{−h} − 1)·x̂₀
    second order   x' = (first order) − ½·α_next·(e^{−h} − 1)·D₁,
                   D₁ = (x̂₀ − x̂₀_prev)/r, r = h_prev/h, h_prev = λ − λ_prev.

    The first step is first order (nothing to look back to), and so is the last one when
    the config says so (`first_order`).
    """

    def set_timesteps(self, *args, **kwargs):
        super().set_timesteps(*args, **kwargs)
        self.previous = None  # (what was kept of the step before, its λ)

    def levels(self, timestep):
        """(σ, σ_next) of this step: sigmas[i] and sigmas[i + 1] at the step's position i."""
        if self.step_index is None:
            self._init_step_index(timestep)
        return self.sigmas[self.step_index], self.sigmas[self.step_index + 1]

    def vp(self, sigma):
        """(α, s) of the VP sample at level σ."""
        alpha = 1 / (sigma**2 + 1).sqrt()
        return alpha, sigma * alpha

    def log_snr(self, sigma):
        alpha, s = self.vp(sigma)
        return alpha.log() - s.log()

    def step_size(self, lambda_from, lambda_to):
        """h of a step from λ_from to λ_to (also h_prev, from λ_prev to λ)."""
        return lambda_to - lambda_from

    def predict_x0(self, model_output, sample, sigma):
        alpha, s = self.vp(sigma)
        kind = self.config.prediction_type
        if kind == "epsilon":
            x0 = (sample - s * model_output) / alpha
        elif kind == "v_prediction":
            x0 = alpha * sample - s * model_output
        elif kind == "sample":
            x0 = model_output
        else:
            raise ValueError(kind)
        if self.config.thresholding:
            x0 = self._threshold_sample(x0)
        return x0

    def keep(self, model_output, x0):
        """What the next step's second-order term uses as this step's value: x̂₀."""
        return x0

    def first_order(self):
        """Whether this step is first order: the first step, order 1, or a lowered last step."""
        if self.previous is None or self.config.solver_order == 1:
            return True
        last = self.step_index == len(self.timesteps) - 1
        return last and (
            self.config.euler_at_final
            or self.config.final_sigmas_type == "zero"
            or (self.config.lower_order_final and len(self.timesteps) < 15)
        )

    def d1(self, x0, x0_prev, r):
        return (1 / r) * (x0 - x0_prev)

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        sigma, sigma_next = self.levels(timestep)
        x0 = self.predict_x0(model_output, sample, sigma)
        _, s = self.vp(sigma)
        alpha_next, s_next = self.vp(sigma_next)
        lam, lam_next = self.log_snr(sigma), self.log_snr(sigma_next)
        h = self.step_size(lam, lam_next)
        decay = alpha_next * (torch.exp(-h) - 1)
        prev_sample = (s_next / s) * sample - decay * x0
        if not self.first_order():
            kept, lam_prev = self.previous
            r = self.step_size(lam_prev, lam) / h
            prev_sample = prev_sample - 0.5 * decay * self.d1(x0, kept, r)
        self.previous = (self.keep(model_output, x0), lam)
        self._step_index += 1
        return SchedulerOutput(prev_sample=prev_sample)


class RInverted(StepByStepDPM):
    """D₁ = r·(x̂₀ − x̂₀_prev): multiplied by the step ratio r = h_prev/h instead of divided."""

    def d1(self, x0, x0_prev, r):
        return r * (x0 - x0_prev)


class HReversed(StepByStepDPM):
    """h = λ_from − λ_to: the step size with its sign reversed (consistently, so r is right
    and e^{−h} becomes e^{|h|})."""

    def step_size(self, lambda_from, lambda_to):
        return lambda_from - lambda_to


class PreviousEpsilon(StepByStepDPM):
    """The history keeps the raw model output, not x̂₀: with ε-prediction the second-order
    term then mixes this step's x̂₀ with the previous step's ε̂."""

    def keep(self, model_output, x0):
        return model_output


class NoLowerOrderFinal(StepByStepDPM):
    """lower_order_final is ignored: with K < 15 and a final level σ(0) > 0 the last step
    is taken at second order (only euler_at_final and the final level 0 lower it)."""

    def first_order(self):
        if self.previous is None or self.config.solver_order == 1:
            return True
        last = self.step_index == len(self.timesteps) - 1
        return last and (self.config.euler_at_final or self.config.final_sigmas_type == "zero")


# ---------------------------------------------------------------------------------------

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)


def _case(cls, steps=10, shape=(1, 4, 8, 8), **config):
    def write(path):
        return difftrace.record(cls(**config), path, steps=steps, shape=shape)

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_stepbystep_dpm": (_case(StepByStepDPM), None),
    "control_stepbystep_dpm_sd_v_karras_sigma_min": (
        _case(StepByStepDPM, prediction_type="v_prediction", use_karras_sigmas=True, final_sigmas_type="sigma_min",
              **SD),
        None,
    ),
    "control_stepbystep_dpm_sample_thresholding_trailing_K7": (
        _case(StepByStepDPM, steps=7, shape=(2, 3, 8, 8), prediction_type="sample", thresholding=True,
              dynamic_thresholding_ratio=0.9, sample_max_value=2.0, timestep_spacing="trailing"),
        None,
    ),
    # K = 20 and sigma_min: the last step is second order.
    "control_stepbystep_dpm_sd_sigma_min_leading_K20": (
        _case(StepByStepDPM, steps=20, final_sigmas_type="sigma_min", timestep_spacing="leading", steps_offset=1,
              **SD),
        None,
    ),
    # The rule no-lower-order-final breaks, taken right: K = 10, sigma_min, lower_order_final.
    "control_stepbystep_dpm_sigma_min": (_case(StepByStepDPM, final_sigmas_type="sigma_min"), None),
}

BROKEN = {
    "dpm_first_order_only": (_case(FirstOrderOnly, **SD), "dpm.first-order-only"),
    "dpm_r_inverted": (_case(RInverted, **SD), "dpm.r-inverted"),
    "dpm_h_reversed": (_case(HReversed, final_sigmas_type="sigma_min", **SD), "dpm.h-reversed"),
    "dpm_previous_epsilon": (_case(PreviousEpsilon, **SD), "dpm.previous-epsilon"),
    "dpm_no_lower_order_final": (
        _case(NoLowerOrderFinal, final_sigmas_type="sigma_min", lower_order_final=True), "dpm.no-lower-order-final"
    ),
    # prediction type, in diffusers' own convert_model_output
    "prediction_read_as_epsilon_v": (
        _case(ReadAsEpsilon, prediction_type="v_prediction", **SD), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_epsilon_sample": (
        _case(ReadAsEpsilon, prediction_type="sample"), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_v_epsilon": (_case(ReadAsV, **SD), "prediction.read-as-v"),
    "prediction_read_as_v_sample": (_case(ReadAsV, prediction_type="sample", timestep_spacing="trailing"),
                                    "prediction.read-as-v"),
}


class BrokenDPM(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}


_support.attach_cases(BrokenDPM, {**CONTROLS, **BROKEN})

if torch is None:
    BrokenDPM = unittest.skip("diffusers/torch are not installed")(BrokenDPM)


if __name__ == "__main__":
    unittest.main()
