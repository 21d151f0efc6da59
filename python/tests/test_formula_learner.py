"""A learner's formulas in numpy, right and wrong, recorded as formula records and verified.

Each formula of the trace format's formula records (q_sample, velocity, conversion,
posterior, snr, loss_weight, cfg) is written here as someone learning diffusion writes
it: plain numpy over a precomputed schedule (T = 1000, linear β from 10⁻⁴ to 0.02), in
float64 and in float32. The right versions must pass. Then every mistake id the verifier
knows for these records gets a version with that one slip, which must fail with the id
among the diagnoses of a failing finding of its quantity.

The float64 learner follows Ho et al.'s reference code (it keeps a `betas` array and uses
βτ from it for one-step quantities); the float32 learner follows diffusers (one-step
quantities from ratios of ᾱ). Every trace records the learner's own ᾱ (alphas_cumprod),
which the verifier checks against the config and then uses for the formulas.
"""

import unittest

import numpy as np

import _formula_support
import _support  # noqa: F401  (puts the source tree on sys.path)
import difftrace

T = 1000
CONFIG = dict(num_train_timesteps=T, beta_schedule="linear", beta_start=1e-4, beta_end=0.02)
N = 64  # values per array


# ---------------------------------------------------------------------------------------
# The learner's schedule and data.


class Schedule:
    """The arrays a learner precomputes, in one dtype."""

    def __init__(self, dtype, beta_source=None):
        self.dtype = np.dtype(dtype)
        #: Where one-step βτ comes from: "schedule" (the betas array, as Ho et al.'s code) or
        #: "ratio" (1 − ᾱτ/ᾱτ₋₁, as diffusers' DDPMScheduler); by default float64 → schedule.
        self.beta_source = beta_source or ("schedule" if self.dtype == np.float64 else "ratio")
        self.one = self.dtype.type(1.0)
        self.betas = np.linspace(1e-4, 0.02, T, dtype=self.dtype)
        self.alphas = self.one - self.betas
        self.alphas_cumprod = np.cumprod(self.alphas)

    def abar(self, t):
        """ᾱ at τ; 1 before the first step (τ = −1, the clean end)."""
        return self.alphas_cumprod[t] if t >= 0 else self.one

    def beta(self, t, prev=None):
        """β of the step from τ to prev (default τ − 1); for one step from `beta_source`."""
        prev = t - 1 if prev is None else prev
        if self.beta_source == "schedule" and prev == t - 1:
            return self.betas[t]
        return self.one - self.abar(t) / self.abar(prev)

    def draw(self, rng, *shape):
        return rng.standard_normal(shape or (N,)).astype(self.dtype)


def _writer(dtype, build, seed=0, beta_source=None, **config):
    """A writer of one trace: `build(trace, schedule, rng)` adds the formula records."""

    def write(path):
        sched = Schedule(dtype, beta_source)
        trace = difftrace.Trace(
            dtype, config=dict(CONFIG, **config), producer={"library": "numpy learner", "function": build.__name__}
        )
        trace.add_alphas_cumprod(sched.alphas_cumprod)
        build(trace, sched, np.random.default_rng(seed))
        trace.save(path)

    return write


# ---------------------------------------------------------------------------------------
# q_sample and velocity.


def q_sample(s, t, x0, eps):
    a = s.abar(t)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps


def q_sample_no_sqrt(s, t, x0, eps):
    a = s.abar(t)
    return a * x0 + (1 - a) * eps


def q_sample_sqrt_swapped(s, t, x0, eps):
    a = s.abar(t)
    return np.sqrt(1 - a) * x0 + np.sqrt(a) * eps


def q_sample_alpha_not_cumulative(s, t, x0, eps):
    a = s.alphas[t]  # α, not ᾱ
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps


def q_sample_index_minus_one(s, t, x0, eps):
    a = s.alphas_cumprod[t - 1]  # counting t from 1 in a 0-based array
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps


def q_sample_index_plus_one(s, t, x0, eps):
    a = s.alphas_cumprod[t + 1]
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps


def velocity(s, t, x0, eps):
    a = s.abar(t)
    return np.sqrt(a) * eps - np.sqrt(1 - a) * x0


def velocity_sign(s, t, x0, eps):
    a = s.abar(t)
    return np.sqrt(1 - a) * x0 - np.sqrt(a) * eps


def velocity_sqrt_swapped(s, t, x0, eps):
    a = s.abar(t)
    return np.sqrt(1 - a) * eps - np.sqrt(a) * x0


def velocity_no_sqrt(s, t, x0, eps):
    a = s.abar(t)
    return a * eps - (1 - a) * x0


def velocity_index_minus_one(s, t, x0, eps):
    a = s.alphas_cumprod[t - 1]
    return np.sqrt(a) * eps - np.sqrt(1 - a) * x0


def _noising(add, fn, taus):
    def build(trace, s, rng):
        for t in taus:
            x0, eps = s.draw(rng), s.draw(rng)
            add(trace)(t, x0, eps, fn(s, t, x0, eps))

    build.__name__ = fn.__name__
    return build


TAUS = (0, 1, 10, 300, 500, 998, 999)
MID_TAUS = (300, 500)  # where a mistake cannot hide (ᾱ well away from 0, ½ and 1)


def _q(fn, taus=TAUS):
    return _noising(lambda trace: trace.add_q_sample, fn, taus)


def _v(fn, taus=TAUS):
    return _noising(lambda trace: trace.add_velocity, fn, taus)


# ---------------------------------------------------------------------------------------
# Conversions: a learner's helpers to (x0, ε) and back.


def to_x0_eps(s, t, kind, x, pred, a=None):
    a = s.abar(t) if a is None else a
    if kind == "epsilon":
        eps = pred
        x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
    elif kind == "sample":
        x0 = pred
        eps = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
    else:  # v_prediction
        x0 = np.sqrt(a) * x - np.sqrt(1 - a) * pred
        eps = np.sqrt(1 - a) * x + np.sqrt(a) * pred
    return x0, eps


def from_x0_eps(s, t, kind, x0, eps, a=None):
    a = s.abar(t) if a is None else a
    if kind == "epsilon":
        return eps
    if kind == "sample":
        return x0
    if kind == "v_prediction":
        return np.sqrt(a) * eps - np.sqrt(1 - a) * x0
    return -eps / np.sqrt(1 - a)  # score


def convert(s, t, source, target, x, pred):
    x0, eps = to_x0_eps(s, t, source, x, pred)
    return from_x0_eps(s, t, target, x0, eps)


def convert_sqrt_swapped(s, t, source, target, x, pred):
    assert (source, target) == ("epsilon", "sample")
    a = s.abar(t)
    return (x - np.sqrt(a) * pred) / np.sqrt(1 - a)


def convert_no_sqrt(s, t, source, target, x, pred):
    assert (source, target) == ("epsilon", "sample")
    a = s.abar(t)
    return (x - (1 - a) * pred) / a


def convert_read_v_negated(s, t, source, target, x, pred):
    assert source == "v_prediction"
    x0, eps = to_x0_eps(s, t, source, x, -pred)  # v taken as √(1−ᾱ)x0 − √ᾱε
    return from_x0_eps(s, t, target, x0, eps)


def convert_write_v_negated(s, t, source, target, x, pred):
    assert target == "v_prediction"
    return -convert(s, t, source, target, x, pred)


def convert_score_sign(s, t, source, target, x, pred):
    assert target == "score"
    x0, eps = to_x0_eps(s, t, source, x, pred)
    return eps / np.sqrt(1 - s.abar(t))


def convert_score_variance(s, t, source, target, x, pred):
    assert target == "score"
    x0, eps = to_x0_eps(s, t, source, x, pred)
    return -eps / (1 - s.abar(t))


def convert_index_minus_one(s, t, source, target, x, pred):
    a = s.alphas_cumprod[t - 1]
    x0, eps = to_x0_eps(s, t, source, x, pred, a=a)
    return from_x0_eps(s, t, target, x0, eps, a=a)


PAIRS = [(f, g) for f in ("epsilon", "sample", "v_prediction") for g in ("epsilon", "sample", "v_prediction", "score")
         if f != g]


def _conversions(fn, pairs=PAIRS, taus=(10, 300, 700)):
    """For each pair and τ: a model's prediction (the true target plus an error) converted."""

    def build(trace, s, rng):
        for t in taus:
            for source, target in pairs:
                x0, eps = s.draw(rng), s.draw(rng)
                x = q_sample(s, t, x0, eps)
                truth = {"epsilon": eps, "sample": x0, "v_prediction": velocity(s, t, x0, eps)}[source]
                pred = (truth + s.dtype.type(0.1) * s.draw(rng)).astype(s.dtype)
                trace.add_conversion(t, source, target, x, pred, fn(s, t, source, target, x, pred))

    build.__name__ = fn.__name__
    return build


# ---------------------------------------------------------------------------------------
# The posterior q(x_s | xτ, x0).


def posterior(s, t, prev, x0, x):
    """DDPM eq. 6–7 between τ and prev (Ho et al.'s names)."""
    a_t, a_prev = s.abar(t), s.abar(prev)
    beta = s.beta(t, prev)
    alpha = s.one - beta
    coef1 = np.sqrt(a_prev) * beta / (1 - a_t)
    coef2 = np.sqrt(alpha) * (1 - a_prev) / (1 - a_t)
    mean = coef1 * x0 + coef2 * x
    variance = beta * (1 - a_prev) / (1 - a_t)
    return mean, variance


def posterior_variance_upside_down(s, t, prev, x0, x):
    mean, _ = posterior(s, t, prev, x0, x)
    a_t, a_prev = s.abar(t), s.abar(prev)
    return mean, s.beta(t, prev) * (1 - a_t) / (1 - a_prev)


def posterior_beta_for_variance(s, t, prev, x0, x):
    mean, _ = posterior(s, t, prev, x0, x)
    return mean, s.beta(t, prev)


def posterior_mean_coefficients_swapped(s, t, prev, x0, x):
    a_t, a_prev = s.abar(t), s.abar(prev)
    beta = s.beta(t, prev)
    coef1 = np.sqrt(a_prev) * beta / (1 - a_t)
    coef2 = np.sqrt(s.one - beta) * (1 - a_prev) / (1 - a_t)
    mean = coef2 * x0 + coef1 * x
    return mean, beta * (1 - a_prev) / (1 - a_t)


def posterior_alpha_bar_at_t_minus_one(s, t, prev, x0, x):
    a_t, a_prev = s.alphas_cumprod[t - 1], s.abar(prev)  # ᾱτ read one early
    beta = s.one - a_t / a_prev
    coef1 = np.sqrt(a_prev) * beta / (1 - a_t)
    coef2 = np.sqrt(s.one - beta) * (1 - a_prev) / (1 - a_t)
    return coef1 * x0 + coef2 * x, beta * (1 - a_prev) / (1 - a_t)


def posterior_beta_for_skip(s, t, prev, x0, x):
    a_t, a_prev = s.abar(t), s.abar(prev)
    beta = s.betas[t]  # the training schedule's βτ, though the step skips to prev
    alpha = s.alphas[t]
    coef1 = np.sqrt(a_prev) * beta / (1 - a_t)
    coef2 = np.sqrt(alpha) * (1 - a_prev) / (1 - a_t)
    return coef1 * x0 + coef2 * x, beta * (1 - a_prev) / (1 - a_t)


def _posterior(fn, steps, parts=("mean", "variance")):
    """steps: (τ, prev or None for the default τ − 1)."""

    def build(trace, s, rng):
        for t, prev in steps:
            x0, eps = s.draw(rng), s.draw(rng)
            x = q_sample(s, t, x0, eps)
            mean, variance = fn(s, t, t - 1 if prev is None else prev, x0, x)
            trace.add_posterior(
                t, x0, x,
                mean=mean if "mean" in parts else None,
                variance=variance if "variance" in parts else None,
                prev_timestep=prev,
            )

    build.__name__ = fn.__name__
    return build


POSTERIOR_STEPS = [
    (1, None), (500, None), (999, None),  # one step back
    (999, 899), (500, 250), (20, 1),      # skipped steps (prev_timestep < τ − 1)
    (0, None), (50, -1), (999, -1),       # to the clean end (ᾱ = 1): variance 0, mean x0
]


# ---------------------------------------------------------------------------------------
# SNR and loss weights.


def snr(s, ts):
    a = s.alphas_cumprod[ts]
    return a / (1 - a)


def snr_not_squared(s, ts):
    a = s.alphas_cumprod[ts]
    return np.sqrt(a) / np.sqrt(1 - a)


def snr_alpha_squared(s, ts):
    a = s.alphas_cumprod[ts]
    return a**2 / (1 - a)


def snr_inverted(s, ts):
    a = s.alphas_cumprod[ts]
    return (1 - a) / a


def snr_off_by_one(s, ts):
    a = s.alphas_cumprod[ts - 1]
    return a / (1 - a)


def _timesteps(rng, low=0):
    """A training batch's timesteps: small ones (SNR above γ = 5) and 60 drawn at random."""
    fixed = np.array([1, 2, 5, 20, 50, 100], dtype=np.int64)
    return np.concatenate([fixed[fixed >= low], [low, T - 1], rng.integers(max(low, 1), T, 60)])


def _snr(fn, low=0):
    def build(trace, s, rng):
        ts = _timesteps(rng, low)
        trace.add_snr(ts, fn(s, ts))

    build.__name__ = fn.__name__
    return build


GAMMA = 5.0


def min_snr(s, ts, kind, gamma=GAMMA):
    r = snr(s, ts)
    capped = np.minimum(r, s.dtype.type(gamma))
    if kind == "epsilon":
        return capped / r
    if kind == "sample":
        return capped
    return capped / (r + 1)


def min_snr_v_capped_snr_plus_one(s, ts, kind, gamma=GAMMA):
    assert kind == "v_prediction"
    r = snr(s, ts) + 1  # diffusers' scripts before #5654 was fixed
    return np.minimum(r, s.dtype.type(gamma)) / r


def min_snr_v_epsilon_plus_one(s, ts, kind, gamma=GAMMA):
    assert kind == "v_prediction"
    r = snr(s, ts)
    return np.minimum(r, s.dtype.type(gamma)) / r + 1


def min_snr_max(s, ts, kind, gamma=GAMMA):
    assert kind == "epsilon"
    r = snr(s, ts)
    return np.maximum(r, s.dtype.type(gamma)) / r


def vlb(s, ts, kind, variance_type="fixed_small"):
    """The weight of the squared error in L_{τ−1} (DDPM eq. 12 and its x0 and v forms)."""
    out = []
    for t in ts:
        a_t, a_prev = s.abar(t), s.abar(t - 1)
        beta = s.beta(t)
        alpha = s.one - beta
        sigma2 = beta * (1 - a_prev) / (1 - a_t) if variance_type == "fixed_small" else beta
        if kind == "epsilon":  # DDPM eq. 12: β²/(2σ²α(1 − ᾱ))
            w = beta**2 / (2 * sigma2 * alpha * (1 - a_t))
        else:
            coef1 = np.sqrt(a_prev) * beta / (1 - a_t)
            w = coef1**2 / (2 * sigma2)
            if kind == "v_prediction":
                w = w * (1 - a_t)
        out.append(w)
    return np.array(out, dtype=s.dtype)


def vlb_no_half(s, ts, kind, variance_type="fixed_small"):
    return vlb(s, ts, kind, variance_type) * 2


def vlb_other_variance(s, ts, kind, variance_type="fixed_small"):
    return vlb(s, ts, kind, "fixed_large" if variance_type == "fixed_small" else "fixed_small")


def _weights(weighting, fn, kind, claimed=None, low=0, **config):
    """A loss_weight record computed by fn for `kind`; the record claims `claimed` (default kind).

    `claimed` "config" leaves prediction_type out of the record (the config's is used)."""

    def build(trace, s, rng):
        ts = _timesteps(rng, low)
        values = fn(s, ts, kind, **config)
        prediction = kind if claimed is None else claimed
        trace.add_loss_weight(
            weighting, ts, values,
            gamma=GAMMA if weighting == "min_snr" else None,
            prediction_type=None if prediction == "config" else prediction,
        )

    build.__name__ = "%s_%s" % (fn.__name__, kind)
    return build


# ---------------------------------------------------------------------------------------
# Classifier-free guidance.


def guide(u, c, w, convention):
    if convention == "diffusers":
        return u + w * (c - u)
    return (1 + w) * c - w * u


def cfg(u, c, w, convention="diffusers", phi=0.0):
    g = guide(u, c, w, convention)
    if phi == 0:
        return g
    out = np.empty_like(g)
    for i in range(g.shape[0]):  # each batch item on its own
        r = g[i] * (np.std(c[i]) / np.std(g[i]))
        out[i] = phi * r + (1 - phi) * g[i]
    return out


def cfg_other_convention(u, c, w, convention="diffusers", phi=0.0):
    return guide(u, c, w, "ho_salimans" if convention == "diffusers" else "diffusers")


def cfg_swapped(u, c, w, convention="diffusers", phi=0.0):
    return c + w * (u - c)


def cfg_rescale_missing(u, c, w, convention="diffusers", phi=0.0):
    return guide(u, c, w, convention)


def cfg_rescale_not_mixed(u, c, w, convention="diffusers", phi=0.0):
    g = guide(u, c, w, convention)
    return np.stack([g[i] * (np.std(c[i]) / np.std(g[i])) for i in range(g.shape[0])])


def cfg_rescale_inverted(u, c, w, convention="diffusers", phi=0.0):
    g = guide(u, c, w, convention)
    out = np.empty_like(g)
    for i in range(g.shape[0]):
        r = g[i] * (np.std(g[i]) / np.std(c[i]))
        out[i] = phi * r + (1 - phi) * g[i]
    return out


def cfg_rescale_over_batch(u, c, w, convention="diffusers", phi=0.0):
    g = guide(u, c, w, convention)
    r = g * (np.std(c) / np.std(g))  # one std for the whole batch
    return phi * r + (1 - phi) * g


def _cfg(fn, settings, batch=2):
    """settings: (w, convention, φ). Items of the batch differ in scale (so per-item std matters)."""

    def build(trace, s, rng):
        for w, convention, phi in settings:
            scale = np.arange(1, batch + 1, dtype=s.dtype)[:, None]
            base = s.draw(rng, batch, N // batch) * scale
            u = (base + s.dtype.type(0.3) * s.draw(rng, batch, N // batch)).astype(s.dtype)
            c = (base + s.dtype.type(0.3) * s.draw(rng, batch, N // batch) * scale).astype(s.dtype)
            value = fn(u, c, s.dtype.type(w), convention, s.dtype.type(phi))
            trace.add_cfg(w, u, c, value, convention=convention, guidance_rescale=phi)

    build.__name__ = fn.__name__
    return build


CFG_SETTINGS = [
    (7.5, "diffusers", 0.0), (1.0, "diffusers", 0.0), (7.5, "diffusers", 0.7), (12.0, "diffusers", 1.0),
    (2.0, "ho_salimans", 0.0), (0.0, "ho_salimans", 0.0), (3.0, "ho_salimans", 0.5),
]


# ---------------------------------------------------------------------------------------
# The cases.


def _pass(*quantities):
    return ("pass", list(quantities))


def _fail(quantity, diagnosis):
    return ("fail", quantity, diagnosis)


RIGHT = {}
for _dtype in ("float64", "float32"):
    _d = _dtype[-2:]
    RIGHT.update({
        "q_sample_" + _d: (_writer(_dtype, _q(q_sample)), _pass("q_sample")),
        "velocity_" + _d: (_writer(_dtype, _v(velocity)), _pass("velocity")),
        "conversions_all_pairs_" + _d: (_writer(_dtype, _conversions(convert)), _pass("conversion")),
        "posterior_" + _d: (_writer(_dtype, _posterior(posterior, POSTERIOR_STEPS)), _pass("posterior")),
        "posterior_mean_only_" + _d: (
            _writer(_dtype, _posterior(posterior, POSTERIOR_STEPS[:6], parts=("mean",))), _pass("posterior")
        ),
        "posterior_variance_only_" + _d: (
            _writer(_dtype, _posterior(posterior, POSTERIOR_STEPS[:6], parts=("variance",))), _pass("posterior")
        ),
        "snr_" + _d: (_writer(_dtype, _snr(snr)), _pass("snr")),
        "cfg_" + _d: (_writer(_dtype, _cfg(cfg, CFG_SETTINGS)), _pass("cfg")),
        "cfg_batch_of_4_" + _d: (_writer(_dtype, _cfg(cfg, [(5.0, "diffusers", 0.7)], batch=4)), _pass("cfg")),
    })
    for _kind in ("epsilon", "sample", "v_prediction"):
        RIGHT["min_snr_%s_%s" % (_kind, _d)] = (
            _writer(_dtype, _weights("min_snr", min_snr, _kind)), _pass("loss_weight")
        )
        # One-step βτ from the schedule's betas array and from 1 − ᾱτ/ᾱτ₋₁: both are right.
        # (With the verifier of commit 257904a the "ratio" cases fail: it takes βτ of the bound's
        # weight from the config (or a betas record) and bounds only the formula's rounding,
        # while 1 − ᾱτ/ᾱτ₋₁ from the recorded ᾱ differs from it by ~u/βτ, e.g. 2·10⁻¹⁴
        # against a bound of 1.4·10⁻¹⁴ at τ = 100 in float64. The posterior check derives β
        # from ᾱ and passes both sources; see posterior_*_beta.)
        for _source in ("schedule", "ratio"):
            RIGHT["vlb_fixed_small_%s_%s_%s_beta" % (_kind, _d, _source)] = (
                _writer(_dtype, _weights("vlb", vlb, _kind, low=1), beta_source=_source), _pass("loss_weight")
            )
            RIGHT["vlb_fixed_large_%s_%s_%s_beta" % (_kind, _d, _source)] = (
                _writer(_dtype, _weights("vlb", vlb, _kind, variance_type="fixed_large"), beta_source=_source,
                        variance_type="fixed_large"),
                _pass("loss_weight"),
            )
    _other = "ratio" if _dtype == "float64" else "schedule"
    RIGHT["posterior_%s_%s_beta" % (_d, _other)] = (
        _writer(_dtype, _posterior(posterior, POSTERIOR_STEPS), beta_source=_other), _pass("posterior")
    )

RIGHT.update({
    # prediction_type left out of the record: the config's, else epsilon.
    "min_snr_v_from_config": (
        _writer("float32", _weights("min_snr", min_snr, "v_prediction", claimed="config"),
                prediction_type="v_prediction"),
        _pass("loss_weight"),
    ),
    "min_snr_epsilon_by_default": (
        _writer("float32", _weights("min_snr", min_snr, "epsilon", claimed="config")), _pass("loss_weight")
    ),
    "vlb_sample_from_config": (
        _writer("float64", _weights("vlb", vlb, "sample", claimed="config", low=1), prediction_type="sample"),
        _pass("loss_weight"),
    ),
})

F64, F32 = "float64", "float32"

BROKEN = {
    # q_sample
    "q_sample_no_sqrt": (_writer(F32, _q(q_sample_no_sqrt, MID_TAUS)), _fail("q_sample", "q_sample.no-sqrt")),
    "q_sample_sqrt_swapped": (
        _writer(F64, _q(q_sample_sqrt_swapped, MID_TAUS)), _fail("q_sample", "q_sample.sqrt-swapped")
    ),
    "q_sample_alpha_not_cumulative": (
        _writer(F32, _q(q_sample_alpha_not_cumulative, MID_TAUS)), _fail("q_sample", "q_sample.alpha-not-cumulative")
    ),
    "q_sample_index_minus_one": (
        _writer(F64, _q(q_sample_index_minus_one, MID_TAUS)), _fail("q_sample", "q_sample.alpha-bar-off-by-one")
    ),
    "q_sample_index_plus_one": (
        _writer(F32, _q(q_sample_index_plus_one, MID_TAUS)), _fail("q_sample", "q_sample.alpha-bar-off-by-one")
    ),
    # velocity
    "velocity_sign": (_writer(F32, _v(velocity_sign, MID_TAUS)), _fail("velocity", "velocity.sign")),
    "velocity_sqrt_swapped": (
        _writer(F64, _v(velocity_sqrt_swapped, MID_TAUS)), _fail("velocity", "velocity.sqrt-swapped")
    ),
    "velocity_no_sqrt": (_writer(F32, _v(velocity_no_sqrt, MID_TAUS)), _fail("velocity", "velocity.no-sqrt")),
    "velocity_index_minus_one": (
        _writer(F64, _v(velocity_index_minus_one, MID_TAUS)), _fail("velocity", "velocity.alpha-bar-off-by-one")
    ),
    # conversion
    "conversion_sqrt_swapped": (
        _writer(F32, _conversions(convert_sqrt_swapped, [("epsilon", "sample")])),
        _fail("conversion", "conversion.sqrt-swapped"),
    ),
    "conversion_no_sqrt": (
        _writer(F64, _conversions(convert_no_sqrt, [("epsilon", "sample")])),
        _fail("conversion", "conversion.no-sqrt"),
    ),
    "conversion_v_read_negated": (
        _writer(F32, _conversions(convert_read_v_negated, [("v_prediction", "sample")])),
        _fail("conversion", "conversion.v-sign"),
    ),
    "conversion_v_read_negated_to_epsilon": (
        _writer(F64, _conversions(convert_read_v_negated, [("v_prediction", "epsilon")])),
        _fail("conversion", "conversion.v-sign"),
    ),
    "conversion_v_written_negated": (
        _writer(F32, _conversions(convert_write_v_negated, [("epsilon", "v_prediction")])),
        _fail("conversion", "conversion.v-sign"),
    ),
    "conversion_score_sign": (
        _writer(F64, _conversions(convert_score_sign, [("epsilon", "score")])),
        _fail("conversion", "conversion.score-sign"),
    ),
    "conversion_score_sign_from_sample": (
        _writer(F32, _conversions(convert_score_sign, [("sample", "score")])),
        _fail("conversion", "conversion.score-sign"),
    ),
    "conversion_score_variance": (
        _writer(F32, _conversions(convert_score_variance, [("epsilon", "score")])),
        _fail("conversion", "conversion.score-variance"),
    ),
    "conversion_index_minus_one": (
        _writer(F64, _conversions(convert_index_minus_one, [("epsilon", "sample")])),
        _fail("conversion", "conversion.alpha-bar-off-by-one"),
    ),
    "conversion_index_minus_one_v": (
        _writer(F32, _conversions(convert_index_minus_one, [("v_prediction", "epsilon")])),
        _fail("conversion", "conversion.alpha-bar-off-by-one"),
    ),
    # posterior
    "posterior_variance_upside_down": (
        _writer(F64, _posterior(posterior_variance_upside_down, [(500, None), (300, None)])),
        _fail("posterior", "posterior.variance-upside-down"),
    ),
    "posterior_variance_upside_down_skip": (
        _writer(F32, _posterior(posterior_variance_upside_down, [(500, 400)], parts=("variance",))),
        _fail("posterior", "posterior.variance-upside-down"),
    ),
    "posterior_beta_for_variance": (
        _writer(F32, _posterior(posterior_beta_for_variance, [(500, None), (300, None)])),
        _fail("posterior", "posterior.beta-for-variance"),
    ),
    "posterior_mean_coefficients_swapped": (
        _writer(F64, _posterior(posterior_mean_coefficients_swapped, [(500, None), (300, 200)])),
        _fail("posterior", "posterior.mean-coefficients-swapped"),
    ),
    "posterior_alpha_bar_off_by_one": (
        _writer(F64, _posterior(posterior_alpha_bar_at_t_minus_one, [(500, 480), (300, 250)])),
        _fail("posterior", "posterior.alpha-bar-off-by-one"),
    ),
    # With the default prev (τ − 1), reading ᾱτ at τ − 1 makes β = 0: variance 0, mean = xτ.
    "posterior_alpha_bar_off_by_one_consecutive": (
        _writer(F32, _posterior(posterior_alpha_bar_at_t_minus_one, [(500, None), (300, None)])),
        _fail("posterior", "posterior.alpha-bar-off-by-one"),
    ),
    "posterior_beta_for_skip": (
        _writer(F64, _posterior(posterior_beta_for_skip, [(500, 400), (999, 899)])),
        _fail("posterior", "posterior.beta-for-skip"),
    ),
    "posterior_beta_for_skip_f32_variance": (
        _writer(F32, _posterior(posterior_beta_for_skip, [(500, 400), (300, 200)], parts=("variance",))),
        _fail("posterior", "posterior.beta-for-skip"),
    ),
    # snr
    "snr_not_squared": (_writer(F32, _snr(snr_not_squared)), _fail("snr", "snr.not-squared")),
    "snr_alpha_squared": (_writer(F64, _snr(snr_alpha_squared)), _fail("snr", "snr.alpha-squared")),
    "snr_inverted": (_writer(F32, _snr(snr_inverted)), _fail("snr", "snr.inverted")),
    "snr_off_by_one": (_writer(F64, _snr(snr_off_by_one, low=1)), _fail("snr", "snr.off-by-one")),
    # min-SNR-γ: another prediction type's weight under the claimed one
    "min_snr_weight_of_epsilon": (
        _writer(F32, _weights("min_snr", min_snr, "epsilon", claimed="v_prediction")),
        _fail("loss_weight", "min-snr.weight-of-epsilon"),
    ),
    "min_snr_weight_of_sample": (
        _writer(F64, _weights("min_snr", min_snr, "sample", claimed="epsilon")),
        _fail("loss_weight", "min-snr.weight-of-sample"),
    ),
    "min_snr_weight_of_v": (
        _writer(F32, _weights("min_snr", min_snr, "v_prediction", claimed="sample")),
        _fail("loss_weight", "min-snr.weight-of-v"),
    ),
    "min_snr_weight_of_v_claimed_by_config": (
        _writer(F64, _weights("min_snr", min_snr, "v_prediction", claimed="config"), prediction_type="epsilon"),
        _fail("loss_weight", "min-snr.weight-of-v"),
    ),
    "min_snr_v_capped_snr_plus_one": (
        _writer(F32, _weights("min_snr", min_snr_v_capped_snr_plus_one, "v_prediction")),
        _fail("loss_weight", "min-snr.v-capped-snr-plus-one"),
    ),
    "min_snr_v_epsilon_plus_one": (
        _writer(F64, _weights("min_snr", min_snr_v_epsilon_plus_one, "v_prediction")),
        _fail("loss_weight", "min-snr.v-epsilon-plus-one"),
    ),
    "min_snr_max": (
        _writer(F32, _weights("min_snr", min_snr_max, "epsilon")), _fail("loss_weight", "min-snr.max")
    ),
    # vlb
    "vlb_no_half": (
        _writer(F64, _weights("vlb", vlb_no_half, "epsilon", low=1)), _fail("loss_weight", "vlb.no-half")
    ),
    "vlb_no_half_v_f32": (
        _writer(F32, _weights("vlb", vlb_no_half, "v_prediction", low=1), beta_source="schedule"),
        _fail("loss_weight", "vlb.no-half")
    ),
    "vlb_large_for_small": (
        _writer(F64, _weights("vlb", vlb_other_variance, "epsilon", low=1)),
        _fail("loss_weight", "vlb.variance-swapped"),
    ),
    "vlb_small_for_large": (
        _writer(F32, _weights("vlb", vlb_other_variance, "sample", low=1, variance_type="fixed_large"), beta_source="schedule",
                variance_type="fixed_large"),
        _fail("loss_weight", "vlb.variance-swapped"),
    ),
    "vlb_weight_of_epsilon": (
        _writer(F64, _weights("vlb", vlb, "epsilon", claimed="sample", low=1)),
        _fail("loss_weight", "vlb.weight-of-epsilon"),
    ),
    "vlb_weight_of_sample": (
        _writer(F32, _weights("vlb", vlb, "sample", claimed="v_prediction", low=1), beta_source="schedule"),
        _fail("loss_weight", "vlb.weight-of-sample"),
    ),
    "vlb_weight_of_v": (
        _writer(F64, _weights("vlb", vlb, "v_prediction", claimed="epsilon", low=1)),
        _fail("loss_weight", "vlb.weight-of-v"),
    ),
    # cfg
    "cfg_ho_salimans_claimed_diffusers": (
        _writer(F32, _cfg(cfg_other_convention, [(7.5, "diffusers", 0.0)])),
        _fail("cfg", "cfg.other-convention"),
    ),
    "cfg_diffusers_claimed_ho_salimans": (
        _writer(F64, _cfg(cfg_other_convention, [(2.0, "ho_salimans", 0.0)])),
        _fail("cfg", "cfg.other-convention"),
    ),
    "cfg_swapped": (_writer(F32, _cfg(cfg_swapped, [(7.5, "diffusers", 0.0)])), _fail("cfg", "cfg.swapped")),
    "cfg_rescale_missing": (
        _writer(F32, _cfg(cfg_rescale_missing, [(7.5, "diffusers", 0.7)])), _fail("cfg", "cfg.rescale-missing")
    ),
    "cfg_rescale_not_mixed": (
        _writer(F64, _cfg(cfg_rescale_not_mixed, [(7.5, "diffusers", 0.7)])), _fail("cfg", "cfg.rescale-not-mixed")
    ),
    "cfg_rescale_inverted": (
        _writer(F32, _cfg(cfg_rescale_inverted, [(7.5, "diffusers", 0.7)])), _fail("cfg", "cfg.rescale-inverted")
    ),
    "cfg_rescale_over_batch": (
        _writer(F32, _cfg(cfg_rescale_over_batch, [(7.5, "diffusers", 0.7)])), _fail("cfg", "cfg.rescale-over-batch")
    ),
}

#: Every mistake id of the spec's formula records, each planted above at least once.
SPEC_IDS = {
    "q_sample.no-sqrt", "q_sample.sqrt-swapped", "q_sample.alpha-not-cumulative", "q_sample.alpha-bar-off-by-one",
    "velocity.sign", "velocity.sqrt-swapped", "velocity.no-sqrt", "velocity.alpha-bar-off-by-one",
    "conversion.sqrt-swapped", "conversion.no-sqrt", "conversion.v-sign", "conversion.score-sign",
    "conversion.score-variance", "conversion.alpha-bar-off-by-one",
    "posterior.variance-upside-down", "posterior.beta-for-variance", "posterior.mean-coefficients-swapped",
    "posterior.alpha-bar-off-by-one", "posterior.beta-for-skip",
    "snr.not-squared", "snr.alpha-squared", "snr.inverted", "snr.off-by-one",
    "min-snr.weight-of-epsilon", "min-snr.weight-of-sample", "min-snr.weight-of-v", "min-snr.v-capped-snr-plus-one",
    "min-snr.v-epsilon-plus-one", "min-snr.max",
    "vlb.no-half", "vlb.variance-swapped", "vlb.weight-of-epsilon", "vlb.weight-of-sample", "vlb.weight-of-v",
    "cfg.other-convention", "cfg.swapped", "cfg.rescale-missing", "cfg.rescale-not-mixed", "cfg.rescale-inverted",
    "cfg.rescale-over-batch",
}

ALL = {**RIGHT, **BROKEN}


class LearnerFormulas(_formula_support.FormulaCases):
    CASES = {name: writer for name, (writer, _) in ALL.items()}

    def test_every_spec_mistake_is_planted(self):
        planted = {expectation[2] for _, expectation in BROKEN.values()}
        self.assertEqual(planted, SPEC_IDS)


_formula_support.attach_formula_cases(LearnerFormulas, ALL)


if __name__ == "__main__":
    unittest.main()
