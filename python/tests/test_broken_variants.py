"""Schedulers with one planted mistake each: `lessons verify` must fail them and say why.

Each class below is a diffusers DDPMScheduler or DDIMScheduler with ONE thing computed
wrong, honestly, in torch: the kind of slip a person makes when writing a scheduler from
the papers. The verifier must exit 1 and name the expected diagnosis id in some finding.

Most step mistakes are planted in `StepByStepDDPM` / `StepByStepDDIM`: the step written out
term by term (one method per term), so that a variant overrides exactly one term. Both
are first shown to be right (the control cases must pass), so a failure of a variant is
the planted mistake's and nothing else's.

Step mistakes use 10 sampling steps out of T = 1000, so steps are skipped (which several
mistakes need to show), and clip_sample=False unless clipping is the point: clipping x̂₀
to [−1, 1] can hide a wrong x̂₀.
"""

import math
import unittest

import numpy as np

import _support
import difftrace

try:
    import torch
    from diffusers import DDIMScheduler, DDPMScheduler
    from diffusers.schedulers.scheduling_ddim import DDIMSchedulerOutput
    from diffusers.schedulers.scheduling_ddpm import DDPMSchedulerOutput
except ImportError:  # pragma: no cover
    torch = None
    DDPMScheduler = DDIMScheduler = object


# ---------------------------------------------------------------------------------------
# The step written out term by term (right), for the variants to change one term of.


class StepByStepDDPM(DDPMScheduler):
    """DDPM's step (Ho et al. 2020, eq. 6–7 and Algorithm 2), one method per term."""

    def alpha_bars(self, t, prev_t):
        """ᾱ at τ and at the previous timestep (1 past the clean end)."""
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else torch.tensor(1.0)
        return a_t, a_prev

    def step_beta(self, t, a_t, a_prev):
        """The β of this (possibly skipping) step: 1 − ᾱτ/ᾱprev."""
        return 1 - a_t / a_prev

    def predict_x0(self, model_output, sample, a_t):
        kind = self.config.prediction_type
        if kind == "epsilon":
            return (sample - (1 - a_t).sqrt() * model_output) / a_t.sqrt()
        if kind == "sample":
            return model_output
        if kind == "v_prediction":
            return a_t.sqrt() * sample - (1 - a_t).sqrt() * model_output
        raise ValueError(kind)

    def limit_x0(self, x0):
        if self.config.thresholding:
            return self._threshold_sample(x0)
        if self.config.clip_sample:
            return x0.clamp(-self.config.clip_sample_range, self.config.clip_sample_range)
        return x0

    def mean_coefficients(self, a_t, a_prev, beta):
        """(coefficient of x̂₀, coefficient of xτ) in the posterior mean (eq. 7)."""
        c_x0 = a_prev.sqrt() * beta / (1 - a_t)
        c_xt = (1 - beta).sqrt() * (1 - a_prev) / (1 - a_t)
        return c_x0, c_xt

    def adds_noise(self, t, prev_t):
        """Algorithm 2: z = 0 on the step to the clean end."""
        return prev_t >= 0

    def noise_std(self, a_t, a_prev, beta, predicted_variance):
        small = (1 - a_prev) / (1 - a_t) * beta
        kind = self.config.variance_type
        if kind in ("fixed_small", "fixed_small_log"):
            return small.sqrt()
        if kind == "fixed_large":
            return beta.sqrt()
        if kind == "learned_range":
            frac = (predicted_variance + 1) / 2
            return (0.5 * (frac * beta.log() + (1 - frac) * small.log())).exp()
        raise ValueError(kind)

    def noise_term(self, std, noise):
        return std * noise

    def step(self, model_output, timestep, sample, generator=None, return_dict=True):
        t = int(timestep)
        prev_t = int(self.previous_timestep(timestep))
        predicted_variance = None
        if self.config.variance_type in ("learned", "learned_range"):
            model_output, predicted_variance = torch.split(model_output, sample.shape[1], dim=1)
        a_t, a_prev = self.alpha_bars(t, prev_t)
        beta = self.step_beta(t, a_t, a_prev)
        x0 = self.limit_x0(self.predict_x0(model_output, sample, a_t))
        c_x0, c_xt = self.mean_coefficients(a_t, a_prev, beta)
        prev_sample = c_x0 * x0 + c_xt * sample
        if self.adds_noise(t, prev_t):
            noise = torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
            std = self.noise_std(a_t, a_prev, beta, predicted_variance)
            prev_sample = prev_sample + self.noise_term(std, noise)
        return DDPMSchedulerOutput(prev_sample=prev_sample, pred_original_sample=x0)


class StepByStepDDIM(DDIMScheduler):
    """DDIM's step (Song et al. 2021, eq. 12 and 16), one method per term."""

    def prev_alpha_bar(self, prev_t):
        return self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod

    def sigma(self, eta, a_t, a_prev):
        return eta * ((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)).sqrt()

    def direction(self, a_prev, sigma, eps):
        return (1 - a_prev - sigma**2).sqrt() * eps

    def step(self, model_output, timestep, sample, eta=0.0, generator=None, return_dict=True):
        t = int(timestep)
        prev_t = t - self.config.num_train_timesteps // self.num_inference_steps
        a_t = self.alphas_cumprod[t]
        a_prev = self.prev_alpha_bar(prev_t)
        kind = self.config.prediction_type
        if kind == "epsilon":
            eps = model_output
            x0 = (sample - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        elif kind == "sample":
            x0 = model_output
            eps = (sample - a_t.sqrt() * x0) / (1 - a_t).sqrt()
        else:
            x0 = a_t.sqrt() * sample - (1 - a_t).sqrt() * model_output
            eps = a_t.sqrt() * model_output + (1 - a_t).sqrt() * sample
        if self.config.clip_sample:
            x0 = x0.clamp(-self.config.clip_sample_range, self.config.clip_sample_range)
        sigma = self.sigma(eta, torch.as_tensor(a_t), torch.as_tensor(a_prev))
        prev_sample = a_prev.sqrt() * x0 + self.direction(a_prev, sigma, eps)
        if eta > 0:
            noise = torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
            prev_sample = prev_sample + sigma * noise
        return DDIMSchedulerOutput(prev_sample=prev_sample, pred_original_sample=x0)


# ---------------------------------------------------------------------------------------
# Schedule mistakes (the arrays held after __init__).


class ScheduleOffByOne(DDPMScheduler):
    """ᾱ shifted by one: [1, ᾱ₀, …, ᾱ_{T−2}] (the lessons' ᾱ₀ = 1 kept at index 0)."""

    def __init__(self, **config):
        super().__init__(**config)
        self.alphas_cumprod = torch.cat([torch.ones(1), self.alphas_cumprod[:-1]])


class CosineUnclipped(DDPMScheduler):
    """squaredcos_cap_v2 with β = 1 − ᾱ(t₂)/ᾱ(t₁) not capped at 0.999."""

    def __init__(self, **config):
        super().__init__(**config)
        T = self.config.num_train_timesteps

        def alpha_bar(u):
            return math.cos((u + 0.008) / 1.008 * math.pi / 2) ** 2

        self.betas = torch.tensor([1 - alpha_bar((i + 1) / T) / alpha_bar(i / T) for i in range(T)],
                                  dtype=torch.float32)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)


class AlphaNotCumulative(DDPMScheduler):
    """alphas_cumprod holds αₜ = 1 − βₜ instead of their running product."""

    def __init__(self, **config):
        super().__init__(**config)
        self.alphas_cumprod = self.alphas.clone()


class ZeroSnrMissing(DDPMScheduler):
    """Configured with rescale_betas_zero_snr=True, but keeps the linear betas unrescaled."""

    def __init__(self, **config):
        super().__init__(rescale_betas_zero_snr=True, **config)
        c = self.config
        self.betas = torch.linspace(c.beta_start, c.beta_end, c.num_train_timesteps, dtype=torch.float32)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)


# ---------------------------------------------------------------------------------------
# Timestep mistakes (set_timesteps).


class _OwnTimesteps(DDPMScheduler):
    def timestep_list(self, T, K):
        raise NotImplementedError

    def set_timesteps(self, num_inference_steps=None, device=None, timesteps=None):
        self.num_inference_steps = num_inference_steps
        self.custom_timesteps = False
        values = self.timestep_list(self.config.num_train_timesteps, num_inference_steps)
        self.timesteps = torch.from_numpy(np.array(values, dtype=np.int64))


class LeadingForTrailing(_OwnTimesteps):
    """Config says trailing; computes leading (k·⌊T/K⌋)."""

    def timestep_list(self, T, K):
        return (np.arange(K) * (T // K))[::-1] + self.config.steps_offset


class TrailingForLeading(_OwnTimesteps):
    """Config says leading; computes trailing (round(T − k·T/K) − 1)."""

    def timestep_list(self, T, K):
        return np.round(np.arange(T, 0, -T / K)) - 1


class LinspaceForLeading(_OwnTimesteps):
    """Config says leading; computes linspace (round(linspace(0, T−1, K)), reversed)."""

    def timestep_list(self, T, K):
        return np.linspace(0, T - 1, K).round()[::-1]


class StepsOffsetIgnored(_OwnTimesteps):
    """Config says leading with steps_offset=1; leaves the offset out."""

    def timestep_list(self, T, K):
        return (np.arange(K) * (T // K))[::-1]


class TimestepsAscending(_OwnTimesteps):
    """Leading spacing, but not reversed: the sampler would walk from clean to noisy."""

    def timestep_list(self, T, K):
        return np.arange(K) * (T // K) + self.config.steps_offset


# ---------------------------------------------------------------------------------------
# DDPM step mistakes.


class VarianceUpsideDown(DDPMScheduler):
    """fixed_small variance as β(1−ᾱₜ)/(1−ᾱ_prev): the ratio turned over."""

    def _get_variance(self, t, predicted_variance=None, variance_type=None):
        prev_t = self.previous_timestep(t)
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.one
        beta = 1 - a_t / a_prev
        return beta * (1 - a_t) / (1 - a_prev)


class VarianceAsStd(StepByStepDDPM):
    """Adds variance·z where √variance·z belongs."""

    def noise_term(self, std, noise):
        return std**2 * noise


class LargeForSmall(DDPMScheduler):
    """Config fixed_small (β̃ₜ), but the variance used is βₜ."""

    def _get_variance(self, t, predicted_variance=None, variance_type=None):
        prev_t = self.previous_timestep(t)
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.one
        return 1 - self.alphas_cumprod[t] / a_prev


class SmallForLarge(DDPMScheduler):
    """Config fixed_large (βₜ), but the variance used is β̃ₜ."""

    def _get_variance(self, t, predicted_variance=None, variance_type=None):
        prev_t = self.previous_timestep(t)
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.one
        return (1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)


class AlphaBarOffByOne(StepByStepDDPM):
    """Reads ᾱₜ at τ − 1 (the lessons' t − 1), keeping ᾱ_prev right."""

    def alpha_bars(self, t, prev_t):
        a_t = self.alphas_cumprod[t - 1]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else torch.tensor(1.0)
        return a_t, a_prev


class ConsecutivePrev(DDPMScheduler):
    """Takes τ − 1 as the previous timestep although 100 steps are skipped."""

    def previous_timestep(self, timestep):
        return timestep - 1


class BetaForSkip(StepByStepDDPM):
    """Uses βτ of the training schedule as the step's β, not 1 − ᾱτ/ᾱprev."""

    def step_beta(self, t, a_t, a_prev):
        return self.betas[t]


class NoiseAtLastStep(StepByStepDDPM):
    """Adds noise on the step to the clean end too."""

    def adds_noise(self, t, prev_t):
        return True


class NoNoise(StepByStepDDPM):
    """Never adds noise: the mean alone at every step."""

    def adds_noise(self, t, prev_t):
        return False


class X0SqrtSwapped(StepByStepDDPM):
    """x̂₀ = (x − √ᾱ ε)/√(1−ᾱ): the two square roots exchanged."""

    def predict_x0(self, model_output, sample, a_t):
        return (sample - a_t.sqrt() * model_output) / (1 - a_t).sqrt()


class X0NoSqrt(StepByStepDDPM):
    """x̂₀ = (x − (1−ᾱ) ε)/ᾱ: the square roots forgotten."""

    def predict_x0(self, model_output, sample, a_t):
        return (sample - (1 - a_t) * model_output) / a_t


class MeanCoefficientsSwapped(StepByStepDDPM):
    """The coefficients of x̂₀ and of xτ in the posterior mean exchanged."""

    def mean_coefficients(self, a_t, a_prev, beta):
        c_x0, c_xt = super().mean_coefficients(a_t, a_prev, beta)
        return c_xt, c_x0


class ClipMissing(StepByStepDDPM):
    """Config clip_sample=True, but x̂₀ is not clipped."""

    def limit_x0(self, x0):
        return x0


class LearnedRangeLinear(StepByStepDDPM):
    """learned_range interpolated linearly between β̃ and β, not between their logs."""

    def noise_std(self, a_t, a_prev, beta, predicted_variance):
        small = (1 - a_prev) / (1 - a_t) * beta
        frac = (predicted_variance + 1) / 2
        return (frac * beta + (1 - frac) * small).sqrt()


# ---------------------------------------------------------------------------------------
# Prediction-type mistakes.


class ReadAsEpsilon(StepByStepDDPM):
    """Config v_prediction; the output is read as ε."""

    def predict_x0(self, model_output, sample, a_t):
        return (sample - (1 - a_t).sqrt() * model_output) / a_t.sqrt()


class ReadAsSample(StepByStepDDPM):
    """Config epsilon; the output is taken as x̂₀ itself."""

    def predict_x0(self, model_output, sample, a_t):
        return model_output


class ReadAsV(StepByStepDDPM):
    """Config epsilon; the output is read as v."""

    def predict_x0(self, model_output, sample, a_t):
        return a_t.sqrt() * sample - (1 - a_t).sqrt() * model_output


# ---------------------------------------------------------------------------------------
# DDIM mistakes.


class SigmaMissingRatio(StepByStepDDIM):
    """σ = η √(1 − ᾱₜ/ᾱ_prev), without √((1−ᾱ_prev)/(1−ᾱₜ))."""

    def sigma(self, eta, a_t, a_prev):
        return eta * (1 - a_t / a_prev).sqrt()


class DirectionIgnoresSigma(StepByStepDDIM):
    """Direction √(1−ᾱ_prev)·ε, without taking σ² out."""

    def direction(self, a_prev, sigma, eps):
        return (1 - a_prev).sqrt() * eps


class EtaAsSigma(StepByStepDDIM):
    """σ = η itself."""

    def sigma(self, eta, a_t, a_prev):
        return torch.as_tensor(eta, dtype=a_t.dtype)


class FinalAlphaFlipped(DDIMScheduler):
    """Config set_alpha_to_one=False, but the last step moves to ᾱ = 1."""

    def __init__(self, **config):
        super().__init__(**config)
        self.final_alpha_cumprod = torch.tensor(1.0)


# ---------------------------------------------------------------------------------------

NO_CLIP = dict(clip_sample=False)


def _case(cls, steps=10, eta=0.0, shape=(1, 4, 8, 8), **config):
    def write(path):
        return difftrace.record(cls(**config), path, steps=steps, eta=eta, shape=shape)

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_stepbystep_ddpm_small": (_case(StepByStepDDPM, **NO_CLIP), None),
    "control_stepbystep_ddpm_large_clip": (_case(StepByStepDDPM, variance_type="fixed_large"), None),
    "control_stepbystep_ddpm_learned_range_v": (
        _case(StepByStepDDPM, variance_type="learned_range", prediction_type="v_prediction", **NO_CLIP), None
    ),
    "control_stepbystep_ddpm_sample": (_case(StepByStepDDPM, prediction_type="sample", **NO_CLIP), None),
    "control_stepbystep_ddim_eta05": (_case(StepByStepDDIM, eta=0.5, set_alpha_to_one=False, **NO_CLIP), None),
    "control_stepbystep_ddim_eta1_v": (
        _case(StepByStepDDIM, eta=1.0, prediction_type="v_prediction", **NO_CLIP), None
    ),
}

BROKEN = {
    # schedule
    "schedule_off_by_one": (_case(ScheduleOffByOne, **NO_CLIP), "schedule.off-by-one"),
    "schedule_cosine_unclipped": (
        _case(CosineUnclipped, beta_schedule="squaredcos_cap_v2", **NO_CLIP), "schedule.cosine-unclipped"
    ),
    "schedule_alpha_not_cumulative": (_case(AlphaNotCumulative, **NO_CLIP), "schedule.alpha-not-cumulative"),
    "schedule_zero_snr_missing": (
        _case(ZeroSnrMissing, prediction_type="v_prediction", timestep_spacing="trailing", **NO_CLIP),
        "schedule.zero-snr-missing",
    ),
    # timesteps
    "timesteps_leading_for_trailing": (
        _case(LeadingForTrailing, timestep_spacing="trailing", **NO_CLIP), "timesteps.spacing-leading"
    ),
    "timesteps_trailing_for_leading": (_case(TrailingForLeading, **NO_CLIP), "timesteps.spacing-trailing"),
    "timesteps_linspace_for_leading": (_case(LinspaceForLeading, **NO_CLIP), "timesteps.spacing-linspace"),
    "timesteps_steps_offset_ignored": (
        _case(StepsOffsetIgnored, steps_offset=1, **NO_CLIP), "timesteps.steps-offset-ignored"
    ),
    "timesteps_ascending": (_case(TimestepsAscending, **NO_CLIP), "timesteps.ascending"),
    # DDPM step
    "ddpm_variance_upside_down": (_case(VarianceUpsideDown, **NO_CLIP), "ddpm.variance-upside-down"),
    "ddpm_variance_as_std": (_case(VarianceAsStd, **NO_CLIP), "ddpm.variance-as-std"),
    "ddpm_large_for_small": (_case(LargeForSmall, **NO_CLIP), "ddpm.large-for-small"),
    "ddpm_small_for_large": (_case(SmallForLarge, variance_type="fixed_large", **NO_CLIP), "ddpm.small-for-large"),
    "ddpm_alpha_bar_off_by_one": (_case(AlphaBarOffByOne, **NO_CLIP), "ddpm.alpha-bar-off-by-one"),
    "ddpm_consecutive_prev": (_case(ConsecutivePrev, **NO_CLIP), "ddpm.consecutive-prev"),
    "ddpm_beta_for_skip": (_case(BetaForSkip, **NO_CLIP), "ddpm.beta-for-skip"),
    # With fixed_small the last step's variance is 0 and extra noise would not show.
    "ddpm_noise_at_last_step": (
        _case(NoiseAtLastStep, variance_type="fixed_large", **NO_CLIP), "ddpm.noise-at-last-step"
    ),
    "ddpm_no_noise": (_case(NoNoise, **NO_CLIP), "ddpm.no-noise"),
    "ddpm_x0_sqrt_swapped": (_case(X0SqrtSwapped, **NO_CLIP), "ddpm.x0-sqrt-swapped"),
    "ddpm_x0_no_sqrt": (_case(X0NoSqrt, **NO_CLIP), "ddpm.x0-no-sqrt"),
    "ddpm_mean_coefficients_swapped": (
        _case(MeanCoefficientsSwapped, **NO_CLIP), "ddpm.mean-coefficients-swapped"
    ),
    "ddpm_clip_missing": (_case(ClipMissing, clip_sample=True), "ddpm.clip-missing"),
    "ddpm_learned_range_linear": (
        _case(LearnedRangeLinear, variance_type="learned_range", **NO_CLIP), "ddpm.learned-range-linear"
    ),
    # prediction type
    "prediction_read_as_epsilon": (
        _case(ReadAsEpsilon, prediction_type="v_prediction", **NO_CLIP), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_sample": (_case(ReadAsSample, **NO_CLIP), "prediction.read-as-sample"),
    "prediction_read_as_v": (_case(ReadAsV, **NO_CLIP), "prediction.read-as-v"),
    # DDIM step
    "ddim_sigma_missing_ratio": (_case(SigmaMissingRatio, eta=1.0, **NO_CLIP), "ddim.sigma-missing-ratio"),
    "ddim_direction_ignores_sigma": (
        _case(DirectionIgnoresSigma, eta=1.0, **NO_CLIP), "ddim.direction-ignores-sigma"
    ),
    "ddim_eta_as_sigma": (_case(EtaAsSigma, eta=0.5, **NO_CLIP), "ddim.eta-as-sigma"),
    "ddim_final_alpha_flipped": (
        _case(FinalAlphaFlipped, set_alpha_to_one=False, **NO_CLIP), "ddim.final-alpha-flipped"
    ),
}


class BrokenVariants(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}


_support.attach_cases(BrokenVariants, {**CONTROLS, **BROKEN})

if torch is None:
    BrokenVariants = unittest.skip("diffusers/torch are not installed")(BrokenVariants)


if __name__ == "__main__":
    unittest.main()
