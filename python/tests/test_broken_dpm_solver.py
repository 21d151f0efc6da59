"""Singlestep DPM-Solver-2 and -3 with one planted mistake each: `lessons verify` must fail it and say why.

The singlestep counterpart of test_broken_dpm.py. `LearnerDPMSolver` is a learner's own
singlestep DPM-Solver (Lu et al. 2022, Algorithms 1–2, noise-prediction form), written
for this test in numpy float64 on the scaled sample x = x₀ + σ·ε, with no library: one
method per term, so that each variant below overrides exactly one of them. It runs a
seeded stand-in model (a fresh N(0, 1) output at every call) and writes each level with
`difftrace.Trace`: ``sample``, ``model_output``, the ``stages`` (the points u₁ (, u₂) it
evaluated the model at and the outputs there) and ``prev_sample``. It is first shown to
be right (the control cases must pass), so a failure of a variant is the planted
mistake's and nothing else's. The verifier must exit 1 and name the expected diagnosis
id on a FAILING finding.

One mistake is invisible with ε-prediction: converting a stage's output with σ instead of
its own level s (`StageAtSigma`) gives ε̂ = (u − (u − σ·ε̂))/σ = ε̂, the right value, so
that mistake is planted with the sample and v predictions, and its ε case is a control
that must pass.
"""

import math
import unittest

import numpy as np

import _support
import difftrace

SHAPE = (1, 4, 4, 4)


class LearnerDPMSolver:
    """Singlestep DPM-Solver of order 2 or 3 from σ to σ' on x = x₀ + σ·ε, in float64.

    With λ = −log σ and h = λ' − λ = log(σ/σ'), the stages sit at λ + r·h, i.e. s = σ·e^{−rh}
    (r = ½; or ⅓ and ⅔), and ε̂(u, s) = (u − x̂₀(u, s))/s:

    * order 2: u₁ = x − s₁(e^{h/2} − 1)ε̂₀;  x' = x − σ'(eʰ − 1)ε̂(u₁, s₁);
    * order 3: u₁ = x − s₁(e^{r₁h} − 1)ε̂₀;  D₁ = ε̂(u₁, s₁) − ε̂₀;
      u₂ = x − s₂(e^{r₂h} − 1)ε̂₀ − s₂(r₂/r₁)((e^{r₂h} − 1)/(r₂h) − 1)D₁;  D₂ = ε̂(u₂, s₂) − ε̂₀;
      x' = x − σ'(eʰ − 1)ε̂₀ − (σ'/r₂)((eʰ − 1)/h − 1)D₂;
    * to σ' = 0: Euler, x' = x − σ·ε̂₀ (= x̂₀).

    The levels: σ(τ) = √((1 − ᾱτ)/ᾱτ) at K linspace timesteps T − 1 … 0 (or the Karras
    levels between σ(0) and σ(T − 1), ρ = 7), then 0.
    """

    RATIOS = {2: (1 / 2,), 3: (1 / 3, 2 / 3)}

    def __init__(self, order, steps=10, prediction_type="epsilon", karras=False, beta_schedule="scaled_linear",
                 beta_start=0.00085, beta_end=0.012, num_train_timesteps=1000):
        self.order = order
        self.config = {
            "num_train_timesteps": num_train_timesteps,
            "beta_schedule": beta_schedule,
            "beta_start": beta_start,
            "beta_end": beta_end,
            "prediction_type": prediction_type,
            "timestep_spacing": "linspace",
            "steps_offset": 0,
            "use_karras_sigmas": karras,
        }
        T = num_train_timesteps
        if beta_schedule == "scaled_linear":
            betas = np.linspace(math.sqrt(beta_start), math.sqrt(beta_end), T) ** 2
        else:
            betas = np.linspace(beta_start, beta_end, T)
        alphas_cumprod = np.cumprod(1.0 - betas)
        self.table = np.sqrt((1.0 - alphas_cumprod) / alphas_cumprod)
        self.timesteps = np.linspace(T - 1, 0, steps)
        if karras:
            low, high, rho = self.table[0], self.table[-1], 7.0
            ramp = np.linspace(0, 1, steps)
            levels = (high ** (1 / rho) + ramp * (low ** (1 / rho) - high ** (1 / rho))) ** rho
        else:
            levels = np.interp(self.timesteps, np.arange(T), self.table)
        self.sigmas = np.append(levels, 0.0)

    # -- one method per term ---------------------------------------------------------------

    def to_x0(self, output, u, s):
        kind = self.config["prediction_type"]
        if kind == "epsilon":
            return u - s * output
        if kind == "v_prediction":
            return u / (s * s + 1) - s / math.sqrt(s * s + 1) * output
        return output

    def to_eps(self, output, u, s):
        if self.config["prediction_type"] == "epsilon":
            return output
        return (u - self.to_x0(output, u, s)) / s

    def log_step(self, sigma, sigma_next):
        """h = λ' − λ with λ = −log σ."""
        return math.log(sigma / sigma_next)

    def stage_level(self, sigma, sigma_next, h, r):
        """The level at λ + r·h."""
        return sigma * math.exp(-r * h)

    def stage_eps(self, output, u, sigma, s):
        """ε̂ of a stage's output, at the stage's own level s."""
        return self.to_eps(output, u, s)

    def second_point_correction(self, s2, h, d1):
        r1, r2 = self.RATIOS[3]
        return s2 * (r2 / r1) * (math.expm1(r2 * h) / (r2 * h) - 1) * d1

    def update(self, x, sigma_next, h, e0, stage_eps):
        if self.order == 2:
            return x - sigma_next * math.expm1(h) * stage_eps[0]
        r2 = self.RATIOS[3][1]
        return x - sigma_next * math.expm1(h) * e0 - (sigma_next / r2) * (math.expm1(h) / h - 1) * (stage_eps[1] - e0)

    def euler(self, x, sigma, e0):
        return x - sigma * e0

    # -- the sampler -----------------------------------------------------------------------

    def level(self, model, x, i):
        """(x', output at x, [(u_k, output at u_k)]) of level i."""
        sigma, sigma_next = float(self.sigmas[i]), float(self.sigmas[i + 1])
        output = model(x, sigma)
        e0 = self.to_eps(output, x, sigma)
        if sigma_next == 0:
            return self.euler(x, sigma, e0), output, []
        h = self.log_step(sigma, sigma_next)
        stages, epsilons = [], []
        for k, r in enumerate(self.RATIOS[self.order]):
            s = self.stage_level(sigma, sigma_next, h, r)
            u = x - s * math.expm1(r * h) * e0
            if k == 1:
                u = u - self.second_point_correction(s, h, epsilons[0] - e0)
            stage_output = model(u, s)
            stages.append((u, stage_output))
            epsilons.append(self.stage_eps(stage_output, u, sigma, s))
        return self.update(x, sigma_next, h, e0, epsilons), output, stages

    def record(self, path, seed=0):
        model = SeededModel(seed)
        x = np.random.default_rng([seed, 0]).standard_normal(SHAPE) * self.sigmas[0]
        trace = difftrace.Trace(
            "float64",
            scheduler="dpm_solver_%d" % self.order,
            config=self.config,
            producer={"library": "test_broken_dpm_solver", "class": type(self).__name__},
        )
        trace.add_sigmas(self.sigmas)
        for i in range(len(self.sigmas) - 1):
            prev, output, stages = self.level(model, x, i)
            trace.add_step(
                float(self.timesteps[i]), output, x, prev, index=i, shape=SHAPE,
                stages=[{"model_output": out, "sample": u} for u, out in stages] or None,
            )
            x = prev
        return trace.save(path)


class SeededModel:
    """A stand-in network: a fresh N(0, 1) output at every call (the n-th from seed [seed, n])."""

    def __init__(self, seed):
        self.seed, self.calls = seed, 0

    def __call__(self, x, sigma):
        self.calls += 1
        return np.random.default_rng([self.seed, self.calls]).standard_normal(x.shape)


class LinearStageLevels(LearnerDPMSolver):
    """The stage levels spaced linearly in σ, σ + r(σ' − σ), instead of evenly in λ."""

    def stage_level(self, sigma, sigma_next, h, r):
        return sigma + r * (sigma_next - sigma)


class FirstOrderOnly(LearnerDPMSolver):
    """The stages are evaluated, then the update uses ε̂₀ alone: DPM-Solver-1 (DDIM)."""

    def update(self, x, sigma_next, h, e0, stage_eps):
        return x - sigma_next * math.expm1(h) * e0


class StageAtSigma(LearnerDPMSolver):
    """A stage's output converted to ε̂ at the step's σ instead of the stage's own level s."""

    def stage_eps(self, output, u, sigma, s):
        return self.to_eps(output, u, sigma)


class ThirdWithoutCorrection(LearnerDPMSolver):
    """Order 3: u₂ without its D₁ term."""

    def second_point_correction(self, s2, h, d1):
        return 0 * d1


class DtReversed(LearnerDPMSolver):
    """h = λ − λ' = log(σ'/σ): the step taken the wrong way in λ (σ and σ' swapped)."""

    def log_step(self, sigma, sigma_next):
        return math.log(sigma_next / sigma)


class ReadAsEpsilon(LearnerDPMSolver):
    """Whatever the configured prediction, every output is read as ε."""

    def to_eps(self, output, u, s):
        return output


class ReadAsSample(LearnerDPMSolver):
    """Whatever the configured prediction, every output is read as x̂₀."""

    def to_eps(self, output, u, s):
        return (u - output) / s


def _case(cls, order, **options):
    def write(path):
        return cls(order, **options).record(path)

    return write


# name → (writer, expected diagnosis or None for "passes")
CONTROLS = {
    "control_order2_epsilon": (_case(LearnerDPMSolver, 2), None),
    "control_order2_sample_karras_K5": (_case(LearnerDPMSolver, 2, steps=5, prediction_type="sample", karras=True), None),
    "control_order3_v_linear": (
        _case(LearnerDPMSolver, 3, prediction_type="v_prediction", beta_schedule="linear", beta_start=1e-4,
              beta_end=0.02), None
    ),
    "control_order3_sample_karras": (_case(LearnerDPMSolver, 3, prediction_type="sample", karras=True), None),
    # ε: the stage-at-σ mistake cancels (module docstring), so the trace is right.
    "control_stage_at_sigma_cancels_with_epsilon": (_case(StageAtSigma, 3), None),
}

BROKEN = {
    "linear_stage_levels_order2": (_case(LinearStageLevels, 2), "dpm-solver.linear-stage-levels"),
    "linear_stage_levels_order3_sample_karras": (
        _case(LinearStageLevels, 3, prediction_type="sample", karras=True), "dpm-solver.linear-stage-levels"
    ),
    "first_order_only_order2": (_case(FirstOrderOnly, 2), "dpm-solver.first-order-only"),
    "first_order_only_order3_v": (_case(FirstOrderOnly, 3, prediction_type="v_prediction"),
                                  "dpm-solver.first-order-only"),
    "stage_at_sigma_order2_sample": (_case(StageAtSigma, 2, prediction_type="sample"), "dpm-solver.stage-at-sigma"),
    "stage_at_sigma_order3_v_K5": (_case(StageAtSigma, 3, steps=5, prediction_type="v_prediction"),
                                   "dpm-solver.stage-at-sigma"),
    "third_without_correction": (_case(ThirdWithoutCorrection, 3), "dpm-solver.third-without-correction"),
    "third_without_correction_sample_karras": (
        _case(ThirdWithoutCorrection, 3, prediction_type="sample", karras=True), "dpm-solver.third-without-correction"
    ),
    "dt_reversed_order2": (_case(DtReversed, 2), "euler.dt-reversed"),
    "dt_reversed_order3_sample": (_case(DtReversed, 3, prediction_type="sample"), "euler.dt-reversed"),
    "prediction_read_as_epsilon": (
        _case(ReadAsEpsilon, 2, prediction_type="v_prediction"), "prediction.read-as-epsilon"
    ),
    "prediction_read_as_sample": (_case(ReadAsSample, 3), "prediction.read-as-sample"),
}


class BrokenDPMSolver(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in {**CONTROLS, **BROKEN}.items()}

    def test_the_learner_is_the_papers_rule(self):
        """The learner's order-2 step is the midpoint form x' = x + (σ' − σ)·ε̂(u₁, s₁) with
        s₁ = √(σσ'), and its levels are the trace's (to float64 rounding)."""
        solver = LearnerDPMSolver(2, prediction_type="sample")
        model = SeededModel(3)
        x = np.random.default_rng(5).standard_normal(SHAPE) * solver.sigmas[2]
        prev, output, [(u1, output_1)] = solver.level(model, x, 2)
        sigma, sigma_next = solver.sigmas[2], solver.sigmas[3]
        mid = math.sqrt(sigma * sigma_next)
        self.assertTrue(np.allclose(u1, x + (mid - sigma) * (x - output) / sigma, rtol=1e-13, atol=1e-13))
        self.assertTrue(np.allclose(prev, x + (sigma_next - sigma) * (u1 - output_1) / mid, rtol=1e-12, atol=1e-12))


_support.attach_cases(BrokenDPMSolver, {**CONTROLS, **BROKEN})


if __name__ == "__main__":
    unittest.main()
