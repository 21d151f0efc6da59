"""A learner's DDPM sampler in numpy, with one mistake, traced for `lessons verify`.

Run from the project root:  .venv/bin/python python/examples/learner_ddpm.py [--fixed] OUT.json
The page docs/verify.md walks through it.
"""
import sys

import numpy as np

import difftrace

T = 1000
betas = np.linspace(1e-4, 0.02, T)
alphas = 1.0 - betas
alphas_cumprod = np.cumprod(alphas)
alphas_cumprod_prev = np.append(1.0, alphas_cumprod[:-1])

FIXED = "--fixed" in sys.argv
if FIXED:
    posterior_variance = betas * (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod)
else:
    # The mistake: the ratio is upside down.
    posterior_variance = betas * (1.0 - alphas_cumprod) / (1.0 - alphas_cumprod_prev)


def p_sample(eps, x, t, z):
    """One reverse step from t to t - 1 (0-based t, as the arrays are indexed)."""
    x0_hat = (x - np.sqrt(1.0 - alphas_cumprod[t]) * eps) / np.sqrt(alphas_cumprod[t])
    coef1 = np.sqrt(alphas_cumprod_prev[t]) * betas[t] / (1.0 - alphas_cumprod[t])
    coef2 = np.sqrt(alphas[t]) * (1.0 - alphas_cumprod_prev[t]) / (1.0 - alphas_cumprod[t])
    mean = coef1 * x0_hat + coef2 * x
    noise = z if t > 0 else np.zeros_like(z)
    return mean + np.sqrt(posterior_variance[t]) * noise, x0_hat


trace = difftrace.Trace("float64", scheduler="ddpm",
                        config={"num_train_timesteps": T, "beta_schedule": "linear",
                                "beta_start": 1e-4, "beta_end": 0.02, "clip_sample": False})
trace.add_betas(betas).add_alphas_cumprod(alphas_cumprod)
rng = np.random.default_rng(0)
for t in (999, 500, 10, 1, 0):
    eps, x, z = rng.standard_normal((3, 16))
    x_prev, x0_hat = p_sample(eps, x, t, z)
    trace.add_step(timestep=t, model_output=eps, sample=x, prev_sample=x_prev,
                   noise=z if t > 0 else None, pred_original_sample=x0_hat)
trace.save(sys.argv[-1])
