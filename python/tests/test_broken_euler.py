"""Euler schedulers with one planted mistake each: `lessons verify` must fail them and say why.

The σ-space counterpart of test_broken_variants.py. Each class below is a diffusers
EulerDiscreteScheduler or EulerAncestralDiscreteScheduler with ONE thing computed wrong,
honestly, in torch: the kind of slip a person makes when writing an Euler sampler from
Karras et al. (2022). The verifier must exit 1 and name the expected diagnosis id in some
finding.

Step mistakes are planted in `StepByStepEuler` / `StepByStepEulerAncestral`: the step
written out term by term (one method per term), so that a variant overrides exactly one
term. Each keeps diffusers' bookkeeping (the step index starts from the timestep on the
first call and goes up by one per step), so a mistake at one step leaves the next step's
σ right. Both are first shown to be right (the control cases must pass), so a failure of
a variant is the planted mistake's and nothing else's.

Level mistakes (`sigmas.*`) change the levels `set_timesteps` leaves in ``self.sigmas``
and keep diffusers' own step, so only the sigmas record is wrong; the steps, made with
those levels, are then right for them.
"""

import unittest

import numpy as np

import _support
import difftrace

try:
    import torch
    from diffusers import EulerAncestralDiscreteScheduler, EulerDiscreteScheduler
    from diffusers.schedulers.scheduling_euler_ancestral_discrete import EulerAncestralDiscreteSchedulerOutput
    from diffusers.schedulers.scheduling_euler_discrete import EulerDiscreteSchedulerOutput
except ImportError:  # pragma: no cover
    torch = None
    EulerDiscreteScheduler = EulerAncestralDiscreteScheduler = object


# ---------------------------------------------------------------------------------------
# The steps written out term by term (right), for the variants to change one term of.


class _StepByStep:
    """What both Euler steps share: the step's two levels, and x̂₀ from the model output.

    The sample x is the σ-space sample x = xτ/√ᾱτ = x₀ + σ·ε, so for ε-prediction
    x̂₀ = x − σ·ε̂, and for v-prediction (v = √ᾱ ε − √(1−ᾱ) x₀ in the VP sample's terms)
    x̂₀ = x/(σ² + 1) − σ/√(σ² + 1) · v̂.
    """

    def levels(self, timestep):
        """(σ, σ_next) of this step: sigmas[i] and sigmas[i + 1] at the step's position i."""
        if self.step_index is None:
            self._init_step_index(timestep)
        return self.sigmas[self.step_index], self.sigmas[self.step_index + 1]

    def predict_x0(self, model_output, sample, sigma):
        kind = self.config.prediction_type
        if kind == "epsilon":
            return sample - sigma * model_output
        if kind == "v_prediction":
            return sample / (sigma**2 + 1) - sigma / (sigma**2 + 1).sqrt() * model_output
        raise ValueError(kind)

    def derivative(self, sample, x0, sigma, sigma_next):
        """dx/dσ = (x − x̂₀)/σ, the probability-flow ODE's slope at σ (Karras et al. 2022, eq. 3)."""
        return (sample - x0) / sigma


class StepByStepEuler(_StepByStep, EulerDiscreteScheduler):
    """One Euler step of the probability-flow ODE from σ to σ_next (Karras et al. 2022, Alg. 1, no churn)."""

    def dt(self, sigma, sigma_next):
        return sigma_next - sigma

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        sigma, sigma_next = self.levels(timestep)
        x0 = self.predict_x0(model_output, sample, sigma)
        d = self.derivative(sample, x0, sigma, sigma_next)
        prev_sample = sample + d * self.dt(sigma, sigma_next)
        self._step_index += 1
        return EulerDiscreteSchedulerOutput(prev_sample=prev_sample, pred_original_sample=x0)


class StepByStepEulerAncestral(_StepByStep, EulerAncestralDiscreteScheduler):
    """The ancestral Euler step: deterministic to σ_down, then fresh noise of σ_up.

    σ_up² = σ_next²(σ² − σ_next²)/σ² and σ_down² = σ_next² − σ_up², so that the step's
    marginal spread is σ_next again: σ_down² + σ_up² = σ_next².
    """

    def split(self, sigma, sigma_next):
        """(σ_up, σ_down)."""
        up = (sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2).sqrt()
        down = (sigma_next**2 - up**2).sqrt()
        return up, down

    def deterministic_part(self, sample, d, sigma, sigma_next, down):
        return sample + d * (down - sigma)

    def adds_noise(self, sigma_next):
        """Whether the step draws and adds σ_up·z (diffusers: always, also where σ_up = 0)."""
        return True

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        sigma, sigma_next = self.levels(timestep)
        x0 = self.predict_x0(model_output, sample, sigma)
        d = self.derivative(sample, x0, sigma, sigma_next)
        up, down = self.split(sigma, sigma_next)
        prev_sample = self.deterministic_part(sample, d, sigma, sigma_next, down)
        if self.adds_noise(sigma_next):
            noise = torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
            prev_sample = prev_sample + up * noise
        self._step_index += 1
        return EulerAncestralDiscreteSchedulerOutput(prev_sample=prev_sample, pred_original_sample=x0)


# ---------------------------------------------------------------------------------------
# Euler step mistakes.


class DerivativeAtNext(StepByStepEuler):
    """d = (x − x̂₀)/σ_next: the slope divided by the level the step goes to.

    At the last step σ_next = 0, so that step's slope is infinite (prev_sample inf/NaN);
    the earlier steps show the mistake.
    """

    def derivative(self, sample, x0, sigma, sigma_next):
        return (sample - x0) / sigma_next


class DtReversed(StepByStepEuler):
    """dt = σ − σ_next: the step walks up in noise instead of down."""

    def dt(self, sigma, sigma_next):
        return sigma - sigma_next


class UnscaledSample(StepByStepEuler):
    """x̂₀ as if the sample were the VP sample xτ = x/√(σ² + 1): x̂₀ = x·√(σ² + 1) − σ·ε̂."""

    def predict_x0(self, model_output, sample, sigma):
        return sample * (sigma**2 + 1).sqrt() - sigma * model_output


class ReadAsEpsilon(StepByStepEuler):
    """Config v_prediction; the output is read as ε (x̂₀ = x − σ·output)."""

    def predict_x0(self, model_output, sample, sigma):
        return sample - sigma * model_output


class ReadAsV(StepByStepEuler):
    """Config epsilon; the output is read as v."""

    def predict_x0(self, model_output, sample, sigma):
        return sample / (sigma**2 + 1) - sigma / (sigma**2 + 1).sqrt() * model_output


# ---------------------------------------------------------------------------------------
# Ancestral step mistakes.


class SigmaUpUnscaled(StepByStepEulerAncestral):
    """σ_up = √(σ² − σ_next²), without the factor σ_next²/σ².

    Then σ_next² − σ_up² = 2σ_next² − σ² is negative whenever σ_next < σ/√2, which is most
    steps; the code guards the square root by clamping at 0 (σ_down = 0 there), as one
    would on seeing NaN, rather than leaving NaN, which no check could tell apart.
    """

    def split(self, sigma, sigma_next):
        up = (sigma**2 - sigma_next**2).sqrt()
        down = (sigma_next**2 - up**2).clamp(min=0).sqrt()
        return up, down


class NoSplit(StepByStepEulerAncestral):
    """A full Euler step to σ_next, then the noise σ_up·z on top (no step to σ_down first)."""

    def deterministic_part(self, sample, d, sigma, sigma_next, down):
        return sample + d * (sigma_next - sigma)


class NoNoise(StepByStepEulerAncestral):
    """The step to σ_down without the noise term (and so no noise drawn: the trace says none)."""

    def adds_noise(self, sigma_next):
        return False


class NoDrawAtZero(StepByStepEulerAncestral):
    """RIGHT, not a mistake: no noise drawn on the step to σ_next = 0, where σ_up = 0.

    k-diffusion's sample_euler_ancestral adds noise only `if sigmas[i + 1] > 0`, so its
    last step records no noise; that step is the plain Euler step to σ_down = 0 and must
    pass without one.
    """

    def adds_noise(self, sigma_next):
        return bool(sigma_next > 0)


# ---------------------------------------------------------------------------------------
# Level mistakes (set_timesteps).


def _plain_levels(scheduler, num_inference_steps):
    """(timesteps, levels) of the config's spacing: σ = √((1 − ᾱ)/ᾱ) linearly interpolated at τ."""
    c = scheduler.config
    T, K = c.num_train_timesteps, num_inference_steps
    if c.timestep_spacing == "linspace":
        timesteps = np.linspace(0, T - 1, K)[::-1]
    elif c.timestep_spacing == "leading":
        timesteps = (np.arange(K) * (T // K))[::-1] + c.steps_offset
    else:
        timesteps = np.round(np.arange(T, 0, -T / K)) - 1
    ac = scheduler.alphas_cumprod.double().numpy()
    levels = np.interp(timesteps, np.arange(T), np.sqrt((1 - ac) / ac))
    return timesteps, levels


def _karras(levels, rho=7.0):
    """Karras et al. (2022, eq. 5): K levels between the largest and smallest of `levels`."""
    hi, lo = levels[0] ** (1 / rho), levels[-1] ** (1 / rho)
    return (hi + np.linspace(0, 1, len(levels)) * (lo - hi)) ** rho


def _set_levels(scheduler, timesteps, levels, final):
    scheduler.timesteps = torch.from_numpy(np.asarray(timesteps, dtype=np.float32))
    scheduler.sigmas = torch.from_numpy(np.append(levels, final).astype(np.float32))


class VpStd(EulerDiscreteScheduler):
    """Levels √(1 − ᾱ) (the VP noise's std) instead of √((1 − ᾱ)/ᾱ); the final level kept."""

    def set_timesteps(self, num_inference_steps=None, device=None, timesteps=None, sigmas=None):
        super().set_timesteps(num_inference_steps)
        ac = self.alphas_cumprod.double().numpy()
        levels = np.interp(self.timesteps.double().numpy(), np.arange(len(ac)), np.sqrt(1 - ac))
        self.sigmas = torch.cat([torch.from_numpy(levels.astype(np.float32)), self.sigmas[-1:]])


class FinalFlipped(EulerDiscreteScheduler):
    """The final level the other way round from the config: σ(0) for "zero", 0 for "sigma_min"."""

    def set_timesteps(self, num_inference_steps=None, device=None, timesteps=None, sigmas=None):
        super().set_timesteps(num_inference_steps)
        ac = self.alphas_cumprod[0]
        sigma_min = ((1 - ac) / ac) ** 0.5
        final = sigma_min if self.config.final_sigmas_type == "zero" else torch.tensor(0.0)
        self.sigmas = torch.cat([self.sigmas[:-1], final.reshape(1).to(self.sigmas.dtype)])


class KarrasMissing(EulerDiscreteScheduler):
    """Config use_karras_sigmas=True, but the levels are the plain interpolated ones."""

    def set_timesteps(self, num_inference_steps=None, device=None, timesteps=None, sigmas=None):
        super().set_timesteps(num_inference_steps)
        steps, levels = _plain_levels(self, num_inference_steps)
        _set_levels(self, steps, levels, self.sigmas[-1].item())


class KarrasUnasked(EulerDiscreteScheduler):
    """Config use_karras_sigmas=False, but the levels are Karras levels (the timesteps kept)."""

    def set_timesteps(self, num_inference_steps=None, device=None, timesteps=None, sigmas=None):
        super().set_timesteps(num_inference_steps)
        steps, levels = _plain_levels(self, num_inference_steps)
        _set_levels(self, steps, _karras(levels), self.sigmas[-1].item())


# ---------------------------------------------------------------------------------------

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)


def _case(cls, steps=10, **config):
    def write(path):
        return difftrace.record(cls(**config), path, steps=steps)

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_stepbystep_euler": (_case(StepByStepEuler), None),
    "control_stepbystep_euler_sd_v_karras": (
        _case(StepByStepEuler, prediction_type="v_prediction", use_karras_sigmas=True, **SD), None
    ),
    "control_stepbystep_euler_sigma_min_trailing_K7": (
        _case(StepByStepEuler, steps=7, final_sigmas_type="sigma_min", timestep_spacing="trailing"), None
    ),
    "control_stepbystep_euler_a": (_case(StepByStepEulerAncestral), None),
    "control_euler_a_no_draw_at_zero": (_case(NoDrawAtZero), None),
    "control_stepbystep_euler_a_sd_v_leading_K25": (
        _case(StepByStepEulerAncestral, steps=25, prediction_type="v_prediction", timestep_spacing="leading",
              steps_offset=1, **SD),
        None,
    ),
}

BROKEN = {
    # Euler step
    "euler_derivative_at_next": (_case(DerivativeAtNext), "euler.derivative-at-next"),
    "euler_dt_reversed": (_case(DtReversed), "euler.dt-reversed"),
    "euler_unscaled_sample": (_case(UnscaledSample, **SD), "euler.unscaled-sample"),
    # ancestral step (K = 25 of SD: levels close enough that σ_next > σ/√2 at some steps)
    "euler_a_sigma_up_unscaled": (_case(SigmaUpUnscaled, steps=25, **SD), "euler-a.sigma-up-unscaled"),
    "euler_a_no_split": (_case(NoSplit), "euler-a.no-split"),
    "euler_a_no_noise": (_case(NoNoise), "euler-a.no-noise"),
    # levels
    "sigmas_vp_std": (_case(VpStd, **SD), "sigmas.vp-std"),
    "sigmas_final_flipped_zero": (_case(FinalFlipped), "sigmas.final-flipped"),
    "sigmas_final_flipped_sigma_min": (
        _case(FinalFlipped, final_sigmas_type="sigma_min", timestep_spacing="trailing"), "sigmas.final-flipped"
    ),
    "sigmas_karras_missing": (_case(KarrasMissing, use_karras_sigmas=True, **SD), "sigmas.karras-missing"),
    "sigmas_karras_unasked": (_case(KarrasUnasked, **SD), "sigmas.karras-unasked"),
    # prediction type
    "prediction_read_as_epsilon": (
        _case(ReadAsEpsilon, prediction_type="v_prediction", **SD), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_v": (_case(ReadAsV, **SD), "prediction.read-as-v"),
}


class BrokenEuler(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}


_support.attach_cases(BrokenEuler, {**CONTROLS, **BROKEN})

if torch is None:
    BrokenEuler = unittest.skip("diffusers/torch are not installed")(BrokenEuler)


if __name__ == "__main__":
    unittest.main()
