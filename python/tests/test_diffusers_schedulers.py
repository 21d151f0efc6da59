"""diffusers' own DDPMScheduler and DDIMScheduler, recorded and checked by `lessons verify`.

A covering set of configurations rather than the full product: every value of every
option appears at least once. Each case writes one trace (10 sampling steps out of
T = 1000 unless it says otherwise) and expects the verifier to pass it: exit 0, no failed
check, and a non-empty list of findings.

Where diffusers genuinely computes something other than the math, the case expects the
verifier to FAIL (exit 1) and to name the diagnosis, with a comment saying what diffusers
does. Nothing is relaxed to make a library pass.
"""

import unittest

import _support
import difftrace

try:
    import torch
    from diffusers import DDIMScheduler, DDPMScheduler
except ImportError:  # pragma: no cover
    DDIMScheduler = DDPMScheduler = None

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

SD_DDIM = dict(SD, steps_offset=1, set_alpha_to_one=False, clip_sample=False)
"""Stable Diffusion's DDIM configuration."""


def _ddpm(steps=10, eta=0.0, shape=(1, 4, 8, 8), dtype=None, **config):
    def write(path):
        return difftrace.record(DDPMScheduler(**config), path, steps=steps, shape=shape, dtype=dtype)

    return write


def _in_float64(scheduler):
    """`scheduler` with its linear schedule rebuilt in float64, as one would to sample in float64.

    diffusers builds betas in float32 whatever the samples' dtype, and its step reads its
    coefficients from alphas_cumprod, so float64 samples alone give a float32-coefficient
    computation (see the case ddpm_float32_schedule_claimed_float64).
    """
    c = scheduler.config
    assert c.beta_schedule == "linear" and not c.rescale_betas_zero_snr
    scheduler.betas = torch.linspace(c.beta_start, c.beta_end, c.num_train_timesteps, dtype=torch.float64)
    scheduler.alphas = 1.0 - scheduler.betas
    scheduler.alphas_cumprod = torch.cumprod(scheduler.alphas, dim=0)
    scheduler.one = torch.tensor(1.0, dtype=torch.float64)
    if hasattr(scheduler, "final_alpha_cumprod"):
        scheduler.final_alpha_cumprod = (
            torch.tensor(1.0, dtype=torch.float64) if c.set_alpha_to_one else scheduler.alphas_cumprod[0]
        )
    return scheduler


def _ddpm64(steps=10, **config):
    def write(path):
        return difftrace.record(_in_float64(DDPMScheduler(**config)), path, steps=steps)

    return write


def _ddim64(steps=10, eta=0.0, **config):
    def write(path):
        return difftrace.record(_in_float64(DDIMScheduler(**config)), path, steps=steps, eta=eta)

    return write


def _accurate_zero_snr(scheduler):
    """`scheduler`'s zero-terminal-SNR betas recomputed in float64, then rounded to float32.

    Algorithm 1 of Lin et al. (2024) as diffusers runs it, but in float64 and with the
    last line as βₜ = (ᾱ′ₜ₋₁ − ᾱ′ₜ)/ᾱ′ₜ₋₁, so that the small βₜ keep their digits; ᾱ is
    then the float32 cumulative product, as diffusers forms it.
    """
    c = scheduler.config
    betas = torch.linspace(c.beta_start, c.beta_end, c.num_train_timesteps, dtype=torch.float64)
    root = torch.cumprod(1 - betas, dim=0).sqrt()
    first, last = root[0].clone(), root[-1].clone()
    alpha_bar = ((root - last) * first / (first - last)) ** 2
    betas = torch.cat([1 - alpha_bar[:1], (alpha_bar[:-1] - alpha_bar[1:]) / alpha_bar[:-1]])
    scheduler.betas = betas.float()
    scheduler.alphas = 1.0 - scheduler.betas
    scheduler.alphas_cumprod = torch.cumprod(scheduler.alphas, dim=0)
    return scheduler


def _ddim(steps=10, eta=0.0, shape=(1, 4, 8, 8), dtype=None, **config):
    def write(path):
        return difftrace.record(DDIMScheduler(**config), path, steps=steps, eta=eta, shape=shape, dtype=dtype)

    return write


# name → (writer, expected): expected is None for "passes", else the diagnosis id that
# the verifier must name when it fails the trace.
DDPM_CASES = {
    "ddpm_defaults": (_ddpm(), None),  # linear, epsilon, fixed_small, leading, clip
    "ddpm_linear_epsilon_noclip": (_ddpm(clip_sample=False), None),
    "ddpm_scaled_linear_fixed_large": (_ddpm(clip_sample=False, variance_type="fixed_large", **SD), None),
    "ddpm_cosine_v_linspace_clip": (
        _ddpm(beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction", timestep_spacing="linspace"),
        None,
    ),
    "ddpm_sigmoid_sample_small_log_trailing": (
        _ddpm(beta_schedule="sigmoid", prediction_type="sample", variance_type="fixed_small_log",
              timestep_spacing="trailing", clip_sample=False),
        None,
    ),
    "ddpm_linear_v_learned_range": (
        _ddpm(prediction_type="v_prediction", variance_type="learned_range", clip_sample=False), None
    ),
    "ddpm_cosine_epsilon_learned_range_linspace": (
        _ddpm(beta_schedule="squaredcos_cap_v2", variance_type="learned_range", timestep_spacing="linspace"),
        None,
    ),
    "ddpm_scaled_linear_sample_fixed_large_linspace_clip": (
        _ddpm(prediction_type="sample", variance_type="fixed_large", timestep_spacing="linspace",
              clip_sample_range=0.5, **SD),
        None,
    ),
    "ddpm_sigmoid_thresholding": (
        _ddpm(beta_schedule="sigmoid", thresholding=True, dynamic_thresholding_ratio=0.9,
              sample_max_value=1.5, clip_sample=False, shape=(2, 4, 8, 8)),
        None,
    ),
    "ddpm_cosine_v_fixed_large_thresholding": (
        _ddpm(beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction", variance_type="fixed_large",
              thresholding=True, dynamic_thresholding_ratio=0.8, sample_max_value=3.0, shape=(3, 2, 4, 4)),
        None,
    ),
    "ddpm_sample_trailing_small": (
        _ddpm(prediction_type="sample", timestep_spacing="trailing", clip_sample=False), None
    ),
    # Zero terminal SNR with the rescale's small betas kept accurate (compare
    # ddpm_zero_snr_trailing_v below, diffusers' own float32 rescale).
    "ddpm_zero_snr_accurate_trailing_v": (
        lambda path: difftrace.record(
            _accurate_zero_snr(DDPMScheduler(rescale_betas_zero_snr=True, timestep_spacing="trailing",
                                             prediction_type="v_prediction", clip_sample=False)),
            path, steps=10),
        None,
    ),
    "ddpm_steps_offset_leading": (_ddpm(steps_offset=1, clip_sample=False, **SD), None),
    "ddpm_full_chain_1000": (_ddpm(steps=1000, shape=(1, 2, 2, 2), clip_sample=False), None),
    "ddpm_full_chain_1000_fixed_large_clip": (
        _ddpm(steps=1000, shape=(1, 1, 2, 2), variance_type="fixed_large"), None
    ),
    "ddpm_T100_K7_trailing": (
        _ddpm(num_train_timesteps=100, steps=7, timestep_spacing="trailing", clip_sample=False), None
    ),
    "ddpm_T100_K7_linspace_learned_range": (
        _ddpm(num_train_timesteps=100, steps=7, timestep_spacing="linspace", variance_type="learned_range",
              clip_sample=False),
        None,
    ),
    "ddpm_trained_betas": (
        _ddpm(num_train_timesteps=50, trained_betas=[0.001 + 0.004 * i for i in range(50)], steps=10), None
    ),
    "ddpm_float64_schedule": (_ddpm64(clip_sample=False, variance_type="fixed_large"), None),
    "ddpm_float64_schedule_learned_range_v": (
        _ddpm64(variance_type="learned_range", prediction_type="v_prediction", timestep_spacing="linspace"), None
    ),
    "ddpm_float16_inputs": (_ddpm(dtype="float16", clip_sample=False), None),
    "ddpm_bfloat16_inputs": (_ddpm(dtype="bfloat16", prediction_type="v_prediction"), None),
    "ddpm_single_step": (_ddpm(steps=1, clip_sample=False), None),
    "ddpm_learned": (_ddpm(variance_type="learned", clip_sample=False), None),
    # --- where diffusers disagrees with the math ---
    # variance_type="fixed_large_log": DDPMScheduler._get_variance returns log βₜ and
    # step() then scales the noise by (log βₜ) ** 0.5, the square root of a negative
    # number: prev_sample is NaN at every step that adds noise.
    "ddpm_fixed_large_log": (
        _ddpm(variance_type="fixed_large_log", clip_sample=False), "ddpm.sqrt-of-log-variance"
    ),
    # Not diffusers' fault but a wrong claim: float64 samples with diffusers' float32
    # schedule. The betas are float32 values and every coefficient is a float32 number,
    # so the trace is not float64-accurate; the verifier must say so.
    "ddpm_float32_schedule_claimed_float64": (
        _ddpm(dtype="float64", clip_sample=False), "schedule.float32-cumprod"
    ),
    # rescale_betas_zero_snr=True: diffusers' rescale_zero_terminal_snr follows Algorithm 1
    # of Lin et al. (2024) literally in float32, βₜ = 1 − ᾱ′ₜ/ᾱ′ₜ₋₁ by subtraction; where
    # βₜ is small that loses most digits (β₀ comes out 1.000166e−4 instead of 1e−4,
    # relative error 1.7e−4 against float32's 6e−8). The math gives β′₀ = β₀ exactly;
    # the verifier bounds the cancellation-free form and names the literal one.
    "ddpm_zero_snr_trailing_v": (
        _ddpm(rescale_betas_zero_snr=True, timestep_spacing="trailing", prediction_type="v_prediction",
              clip_sample=False),
        "schedule.naive-zero-snr",
    ),
    # DDPMScheduler.step adds noise when t > 0, not when the step has a previous timestep.
    # With trailing spacing the last timestep is τ = 99 (T = 1000, K = 10), so the step
    # to the clean end adds √βₜ·z with βₜ = 1 − ᾱ₉₉ for fixed_large (Algorithm 2 sets
    # z = 0 there). fixed_small hides it: its variance there is 0, clamped to 1e−20.
    "ddpm_fixed_large_trailing": (
        _ddpm(variance_type="fixed_large", timestep_spacing="trailing", clip_sample=False),
        "ddpm.noise-at-last-step",
    ),
    # The same for learned_range (where diffusers' β̃ = 0 at that step is clamped to 1e−20
    # before its logarithm is taken, so σ² = exp(v′ log β + (1 − v′) log 1e−20)).
    "ddpm_learned_range_trailing": (
        _ddpm(variance_type="learned_range", timestep_spacing="trailing", clip_sample=False),
        "ddpm.noise-at-last-step",
    ),
    # The same through steps_offset=1: the last timestep is τ = 1 > 0.
    "ddpm_fixed_large_steps_offset": (
        _ddpm(variance_type="fixed_large", steps_offset=1, clip_sample=False), "ddpm.noise-at-last-step"
    ),
}

DDIM_CASES = {
    "ddim_defaults_eta0": (_ddim(), None),  # linear, clip, set_alpha_to_one, leading
    "ddim_sd_eta0": (_ddim(**SD_DDIM), None),
    "ddim_sd_eta1": (_ddim(eta=1.0, **SD_DDIM), None),
    "ddim_sd_eta05_K50": (_ddim(steps=50, eta=0.5, **SD_DDIM), None),
    "ddim_cosine_v_trailing_eta05": (
        _ddim(eta=0.5, beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction",
              timestep_spacing="trailing", clip_sample=False),
        None,
    ),
    "ddim_sample_eta1_alpha_not_one": (
        _ddim(eta=1.0, prediction_type="sample", set_alpha_to_one=False, clip_sample=False), None
    ),
    "ddim_epsilon_clip_eta1": (_ddim(eta=1.0), None),
    "ddim_thresholding_eta05": (
        _ddim(eta=0.5, thresholding=True, dynamic_thresholding_ratio=0.9, sample_max_value=2.0,
              clip_sample=False, shape=(2, 4, 4, 4)),
        None,
    ),
    "ddim_leading_K7": (_ddim(steps=7, clip_sample=False), None),
    "ddim_float64_schedule": (_ddim64(eta=0.5, set_alpha_to_one=False, clip_sample=False), None),
    # --- where diffusers disagrees with the math ---
    # DDIMScheduler.step moves from τ to τ − ⌊T/K⌋, not to the next entry of its own
    # timesteps list. For linspace spacing the list is round(linspace(0, 999, 10)) =
    # 999, 888, …, 0, but the step from 999 goes to 899.
    "ddim_linspace_K10": (_ddim(timestep_spacing="linspace", clip_sample=False), "ddim.prev-by-stride"),
    # The zero-terminal-SNR rescale in float32, as for ddpm_zero_snr_trailing_v.
    "ddim_zero_snr_trailing_v": (
        _ddim(rescale_betas_zero_snr=True, timestep_spacing="trailing", prediction_type="v_prediction",
              clip_sample=False),
        "schedule.naive-zero-snr",
    ),
    # Trailing with T = 1000, K = 7: the list is 999, 856, 713, …; the step from 999 goes to
    # 999 − 142 = 857.
    "ddim_trailing_K7": (
        _ddim(steps=7, timestep_spacing="trailing", clip_sample=False), "ddim.prev-by-stride"
    ),
}


class DiffusersSchedulers(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**DDPM_CASES, **DDIM_CASES}.items()}


_support.attach_cases(DiffusersSchedulers, {**DDPM_CASES, **DDIM_CASES})

if DDPMScheduler is None:
    DiffusersSchedulers = unittest.skip("diffusers is not installed")(DiffusersSchedulers)


if __name__ == "__main__":
    unittest.main()
