"""diffusers' own FlowMatchEulerDiscreteScheduler (SD3, Flux), recorded and checked.

The product of shift ∈ {1, 3} (3 is SD3's), T ∈ {1000, 100} training timesteps and
K ∈ {1, 4, 28} sampling steps (28 is SD3's default). Each case records a trace with
`difftrace.record` (fresh seeded inputs on the flow path at every level, one step call
per level) and the verifier must:

* pass every `step.prev_sample`: diffusers' step x + (σ′ − σ)·v is right, and every
  step is checked against the trace's own levels;
* with shift 1, pass the whole trace;
* with shift 3 and K ≥ 2, fail the `sigmas` record with the diagnosis
  `sigmas.flow-double-shift` and the `timesteps` record with `timesteps.flow-double-shift`
  and nothing else: diffusers 0.42.1 shifts its lowest level twice (issue 13243, open);
  `DoubleShift` says in float64 what diffusers computes and how it differs from the
  math, and who is right;
* with shift 3 and K = 1, pass: the one level is the first, shift(1) = 1 whichever way
  it is computed.

A learner's sampler written from the math (`_flow_math.LearnerFlowEuler`: levels
shifted once) passes entirely with shift 3. Independently of the verifier,
`test_steps_match_a_float64_recomputation` recomputes every step in float64.
"""

import json
import os
import tempfile
import unittest

import numpy as np

import _flow_math
import _support
import difftrace
from difftrace.record import check_flow_config, input_seed

try:
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler
except ImportError:  # pragma: no cover
    torch = None
    FlowMatchEulerDiscreteScheduler = None

SHIFTS = (1.0, 3.0)
TRAIN_STEPS = (1000, 100)
SAMPLING_STEPS = (1, 4, 28)


def _diffusers(shift, T, K):
    def write(path):
        scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=T, shift=shift)
        return difftrace.record(scheduler, path, steps=K)

    return write


def _learner(shift, T, K):
    def write(path):
        scheduler = _flow_math.LearnerFlowEuler(num_train_timesteps=T, shift=shift)
        return difftrace.record(scheduler, path, steps=K, kind="flow_euler")

    return write


def _name(prefix, shift, T, K):
    return "%s_s%d_T%d_K%d" % (prefix, shift, T, K)


#: name → (shift, T, K) of the diffusers cases.
DIFFUSERS = {
    _name("diffusers", s, T, K): (s, T, K) for s in SHIFTS for T in TRAIN_STEPS for K in SAMPLING_STEPS
}

#: name → (shift, T, K) of the learner's cases (levels from the math, shifted once).
LEARNER = {_name("learner", 3.0, T, K): (3.0, T, K) for T, K in ((1000, 28), (1000, 4), (100, 28))}


def _double_shifted(shift, K):
    """Whether diffusers' levels differ from the math's: a shift and two or more levels."""
    return shift != 1.0 and K >= 2


def _failing_diagnoses(result):
    """{quantity: set of diagnosis ids} of the failing findings."""
    out = {}
    for finding in result.failing_findings():
        ids = {d.get("id") for d in finding.get("diagnoses") or [] if isinstance(d, dict)}
        out.setdefault(finding.get("quantity"), set()).update(ids)
    return out


class DiffusersFlow(_support.VerifiedCases):
    CASES = dict(
        [(name, _diffusers(*case)) for name, case in DIFFUSERS.items()]
        + [(name, _learner(*case)) for name, case in LEARNER.items()]
    )

    def test_every_step_passes(self):
        """Every level's prev_sample is checked, and passes, in every case (diffusers' and
        the learner's, with either shift)."""
        for name in self.CASES:
            with self.subTest(name):
                data = self.load_trace(name)
                result = self.result(name)
                self.assertIsNotNone(result.report, result.summary())
                steps = [i for i, r in enumerate(data["records"]) if r["quantity"] == "step"]
                findings = [f for f in result.findings() if f.get("quantity") == "step.prev_sample"]
                self.assertEqual({f.get("record") for f in findings}, set(steps), result.summary())
                self.assertTrue(all(f.get("pass") is True for f in findings), result.summary())
                self.assertEqual(len(steps), data["records"][0]["num_inference_steps"])

    def test_shift_one_passes_entirely(self):
        """shift 1: diffusers' levels are the math's (no shift to apply twice)."""
        for name, (shift, T, K) in DIFFUSERS.items():
            if shift == 1.0:
                with self.subTest(name):
                    self.assertPasses(name)

    def test_a_single_level_passes_with_any_shift(self):
        """K = 1: the only level is the top one, shift(1) = 1 in the math and in diffusers
        (np.linspace(a, b, 1) is [a]), so even shift 3 passes."""
        for name, (shift, T, K) in DIFFUSERS.items():
            if shift != 1.0 and K == 1:
                with self.subTest(name):
                    self.assertPasses(name)
                    sigmas = [r for r in self.load_trace(name)["records"] if r["quantity"] == "sigmas"][0]
                    self.assertEqual(sigmas["values"], [1.0, 0.0])

    def test_shift_three_fails_the_levels_as_a_double_shift(self):
        """shift 3, K ≥ 2: exactly two findings fail, the sigmas record (diagnosed
        `sigmas.flow-double-shift`) and the timesteps record (`timesteps.flow-double-shift`),
        the documented disagreement of diffusers 0.42.1 with the math (issue 13243)."""
        for name, (shift, T, K) in DIFFUSERS.items():
            if not _double_shifted(shift, K):
                continue
            with self.subTest(name):
                result = self.result(name)
                self.assertIsNotNone(result.report, result.summary())
                self.assertEqual(result.code, 1, result.summary())
                self.assertEqual(result.failed(), 2, result.summary())
                self.assertEqual(
                    _failing_diagnoses(result),
                    {"sigmas": {"sigmas.flow-double-shift"}, "timesteps": {"timesteps.flow-double-shift"}},
                    result.summary(),
                )

    def test_the_learner_passes_with_shift_three(self):
        """The same levels computed from the math (shifted once) pass, schedule and steps."""
        for name in LEARNER:
            with self.subTest(name):
                self.assertPasses(name)
                quantities = {f.get("quantity") for f in self.result(name).findings()}
                self.assertTrue({"timesteps", "sigmas", "step.prev_sample"} <= quantities, quantities)

    def test_steps_match_a_float64_recomputation(self):
        """Every step of every case is x + (σ′ − σ)·v recomputed in float64 (`_flow_math`),
        to within 4 float32 units of the size of its terms."""
        for name in self.CASES:
            with self.subTest(name):
                worst, index = _flow_math.worst(self.load_trace(name))
                self.assertLess(worst, 4, "step %s is off by %.2f units" % (index, worst))

    def test_the_trace_holds_what_the_kind_needs(self):
        """A flow trace: kind flow_euler, sample space flow, float32, no β or ᾱ records, K
        timesteps and K + 1 levels as diffusers holds them, one step per level with fresh
        inputs on the flow path (|x| ≤ (1 − σ)|x₀| + σ|ε|, so no wider than N(0, 1)'s
        draws) and no noise."""
        data = self.load_trace("diffusers_s3_T1000_K4")
        self.assertEqual(
            (data["scheduler"], data["sample_space"], data["dtype"]), ("flow_euler", "flow", "float32")
        )
        self.assertEqual(list(data)[:6], ["format", "version", "producer", "dtype", "scheduler", "sample_space"])
        self.assertEqual(data["producer"]["class"], "FlowMatchEulerDiscreteScheduler")
        self.assertNotIn("notes", data["producer"])
        self.assertEqual((data["config"]["shift"], data["config"]["num_train_timesteps"]), (3.0, 1000))
        records = {r["quantity"]: r for r in data["records"] if r["quantity"] != "step"}
        self.assertEqual(set(records), {"timesteps", "sigmas"})
        scheduler = FlowMatchEulerDiscreteScheduler(shift=3.0)
        scheduler.set_timesteps(4)
        self.assertEqual(records["timesteps"]["num_inference_steps"], 4)
        self.assertEqual(records["timesteps"]["values"], scheduler.timesteps.tolist())
        self.assertEqual(records["sigmas"]["values"], scheduler.sigmas.tolist())
        self.assertEqual(records["sigmas"]["values"][-1], 0.0)
        steps = [r for r in data["records"] if r["quantity"] == "step"]
        self.assertEqual([s["index"] for s in steps], [0, 1, 2, 3])
        self.assertEqual([s["timestep"] for s in steps], records["timesteps"]["values"])
        for step in steps:
            self.assertIsNone(step["noise"])
            self.assertEqual(step["shape"], [1, 4, 8, 8])
            for key in ("sample", "model_output", "prev_sample"):
                self.assertEqual(len(step[key]), 256, key)
            self.assertNotIn("pred_original_sample", step)
        # The inputs differ from level to level (fresh draws, not the previous output).
        self.assertNotEqual(steps[1]["sample"], steps[0]["prev_sample"])
        self.assertEqual(len({tuple(s["model_output"]) for s in steps}), 4)

    def test_the_sample_lies_on_the_flow_path(self):
        """The recorded sample is (1 − σᵢ)·x₀ + σᵢ·ε of the level's seeded draws: at σ = 1
        it is ε itself, the first draw after x₀ of the level's generator."""
        data = self.load_trace("diffusers_s1_T1000_K4")
        first = [r for r in data["records"] if r["quantity"] == "step"][0]
        inputs = torch.Generator().manual_seed(input_seed(0, 0))
        torch.randn((1, 4, 8, 8), generator=inputs)  # x₀
        eps = torch.randn((1, 4, 8, 8), generator=inputs)
        velocity = torch.randn((1, 4, 8, 8), generator=inputs)
        self.assertEqual(first["sample"], eps.flatten().tolist())
        self.assertEqual(first["model_output"], velocity.flatten().tolist())

    def test_recording_is_deterministic(self):
        """The same scheduler and seed give the same trace, byte for byte."""
        with tempfile.TemporaryDirectory() as folder:
            texts = []
            for n in range(2):
                path = difftrace.record(
                    FlowMatchEulerDiscreteScheduler(shift=3.0), os.path.join(folder, "%d.json" % n), steps=3, seed=7
                )
                with open(path) as f:
                    texts.append(f.read())
            self.assertEqual(texts[0], texts[1])


@unittest.skipIf(FlowMatchEulerDiscreteScheduler is None, "diffusers is not installed")
class DoubleShift(unittest.TestCase):
    """What diffusers 0.42.1 computes for the flow levels, in float64, and who is right.

    SD3 (Esser et al. 2024, §5.3.2) samples on times t evenly spaced in [1/T, 1] and moves
    each one ONCE by the resolution shift t ↦ s·t/(1 + (s − 1)·t); so the lowest level is
    shift(1/T) (for s = 3, T = 1000: 0.002994). diffusers' FlowMatchEulerDiscreteScheduler
    keeps, in ``__init__``, the T training levels already shifted and takes σ_min =
    shift(1/T) from them; ``set_timesteps(K)`` then spaces K levels evenly from σ_max =
    shift(1) = 1 down to that σ_min and shifts them AGAIN. The top level is 1 either way,
    but every lower level is moved, and the lowest is shift(shift(1/T)) (0.008929: 2.98×
    the math's). diffusers issue 13243 reports this, and is open; several pull requests
    that store σ_min before the shift have been proposed, none merged in 0.42.1.

    Who is right: the math, for what the levels mean. The shift is a change of the time
    variable t, and applying it to levels that are already shifted gives a level that no
    training time t ∈ [1/T, 1] maps to once. Two cautions go with that verdict, and the
    verifier's diagnosis carries the second: (1) nothing here says diffusers' sampler
    makes worse images: it is a valid, slightly different decreasing schedule from 1 to a
    small σ, and a step on it is right (every step.prev_sample passes); (2) the same
    double shift is in the reference inference code published with SD3 (its
    ``get_sigmas`` spaces the timesteps from ``timestep(sigma_max)`` to
    ``timestep(sigma_min)``, where ``ModelSamplingDiscreteFlow.sigma_min`` is the shifted
    lowest training level, and then shifts each with ``sigma(ts)``), which diffusers
    reproduces; so "diffusers disagrees with SD3's formula", not "diffusers disagrees with
    SD3's released sampler". With s = 1 the shift is the identity and the two agree.
    """

    def _diffusers_levels(self, shift, T, K):
        scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=T, shift=shift)
        scheduler.set_timesteps(K)
        return np.array(scheduler.sigmas.tolist(), dtype=np.float64), np.array(scheduler.timesteps.tolist())

    def test_the_lowest_level_is_shifted_twice(self):
        """diffusers' lowest level (before the final 0) is shift(shift(1/T)) to float32
        rounding, and NOT shift(1/T), the math's; the two differ by a factor near s."""
        for T in TRAIN_STEPS:
            for K in (4, 28):
                with self.subTest(T=T, K=K):
                    sigmas, _ = self._diffusers_levels(3.0, T, K)
                    lowest = sigmas[-2]
                    once = float(_flow_math.shift(1.0 / T, 3.0))
                    twice = float(_flow_math.shift(once, 3.0))
                    self.assertLessEqual(abs(lowest - twice), 4 * _flow_math.U32 * twice, (lowest, twice))
                    self.assertGreater(abs(lowest - once), 1e3 * _flow_math.U32 * once, (lowest, once))
                    self.assertGreater(lowest / once, 2.8)

    def test_every_level_is_the_double_shift(self):
        """All K + 1 of diffusers' levels are `double_shift_levels` to float32 rounding
        (a few units: its σ_min passes through float32 before the second shift), and its
        timesteps are those levels times T; only the top level and the final 0 agree with
        the math's `sd3_levels`."""
        for T in TRAIN_STEPS:
            for K in (4, 28):
                with self.subTest(T=T, K=K):
                    sigmas, timesteps = self._diffusers_levels(3.0, T, K)
                    np.testing.assert_allclose(sigmas, _flow_math.double_shift_levels(T, K, 3.0), rtol=8 * _flow_math.U32)
                    np.testing.assert_allclose(timesteps, sigmas[:-1] * T, rtol=2 * _flow_math.U32)
                    math = _flow_math.sd3_levels(T, K, 3.0)
                    agree = np.abs(sigmas - math) <= 8 * _flow_math.U32 * np.abs(math)
                    self.assertEqual(np.flatnonzero(agree).tolist(), [0, K])

    def test_with_shift_one_the_levels_are_the_math(self):
        """s = 1: the shift is the identity, and diffusers' levels are linspace(1, 1/T, K), 0."""
        for T in TRAIN_STEPS:
            for K in SAMPLING_STEPS:
                with self.subTest(T=T, K=K):
                    sigmas, _ = self._diffusers_levels(1.0, T, K)
                    np.testing.assert_allclose(sigmas, _flow_math.sd3_levels(T, K, 1.0), rtol=4 * _flow_math.U32)

    def test_the_learner_has_the_math_levels(self):
        """The learner's levels are `sd3_levels` to float32 rounding (one shift)."""
        learner = _flow_math.LearnerFlowEuler(num_train_timesteps=1000, shift=3.0)
        learner.set_timesteps(28)
        np.testing.assert_allclose(learner.sigmas, _flow_math.sd3_levels(1000, 28, 3.0), rtol=_flow_math.U32)
        self.assertAlmostEqual(float(learner.sigmas[-2]), 3 * 0.001 / 1.002, places=9)


@unittest.skipIf(FlowMatchEulerDiscreteScheduler is None, "diffusers is not installed")
class FlowKind(unittest.TestCase):
    def test_the_kind_is_found_along_the_mro(self):
        class Mine(FlowMatchEulerDiscreteScheduler):
            pass

        self.assertEqual(difftrace.infer_kind(FlowMatchEulerDiscreteScheduler()), "flow_euler")
        self.assertEqual(difftrace.infer_kind(Mine()), "flow_euler")
        self.assertIn("flow_euler", difftrace.KINDS)
        self.assertIn("flow_euler", difftrace.SIGMA_KINDS)

    def test_a_learner_needs_kind(self):
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaisesRegex(ValueError, "LearnerFlowEuler.*kind="):
                difftrace.record(_flow_math.LearnerFlowEuler(), os.path.join(folder, "t.json"), steps=2)

    def test_unchecked_configs_are_refused(self):
        """A config the kind does not check is refused before anything is written, naming it."""
        refused = {
            "use_dynamic_shifting=True": dict(use_dynamic_shifting=True),
            "invert_sigmas=True": dict(invert_sigmas=True),
            "shift_terminal=0.1": dict(shift_terminal=0.1),
            "stochastic_sampling=True": dict(stochastic_sampling=True),
            "use_karras_sigmas=True": dict(use_karras_sigmas=True),
            "use_exponential_sigmas=True": dict(use_exponential_sigmas=True),
            "use_beta_sigmas=True": dict(use_beta_sigmas=True),
        }
        with tempfile.TemporaryDirectory() as folder:
            for said, config in refused.items():
                with self.subTest(said):
                    scheduler = FlowMatchEulerDiscreteScheduler(**config)
                    with self.assertRaisesRegex(ValueError, "flow_euler.*shift.*" + said):
                        difftrace.record(scheduler, os.path.join(folder, "t.json"), steps=3)
            self.assertEqual(os.listdir(folder), [])

    def test_the_check_reads_a_plain_config(self):
        """An absent key is diffusers' default; every problem is named at once."""
        check_flow_config({})
        check_flow_config({"shift": 3.0, "num_train_timesteps": 1000, "shift_terminal": None})
        with self.assertRaisesRegex(
            ValueError, "shift=0.0.*invert_sigmas=True.*stochastic_sampling=True.*use_beta_sigmas=True.*shift_terminal=0.5"
        ):
            check_flow_config(
                {"shift": 0.0, "invert_sigmas": True, "stochastic_sampling": True, "use_beta_sigmas": True,
                 "shift_terminal": 0.5}
            )
        with self.assertRaisesRegex(ValueError, "shift='3'"):
            check_flow_config({"shift": "3"})


class FlowTraceBuilder(unittest.TestCase):
    """The Trace builder's side of the kind and of its sample space (no verifier needed)."""

    def test_a_flow_trace_says_flow(self):
        trace = difftrace.Trace("float32", scheduler="flow_euler", config={"shift": 3.0})
        trace.add_sigmas([1.0, 0.0]).add_timesteps([1000.0], 1)
        trace.add_step(1000.0, [0.5], [1.0], [0.5], index=0)
        data = trace.to_dict()
        self.assertEqual(data["sample_space"], "flow")
        self.assertEqual(data["records"][1]["values"], [1000.0])
        self.assertEqual(data["records"][2]["index"], 0)
        self.assertEqual(
            difftrace.Trace("float32", scheduler="flow_euler", sample_space="flow").add_sigmas([1.0, 0.0])
            .to_dict()["sample_space"],
            "flow",
        )
        with self.assertRaisesRegex(ValueError, "index="):
            trace.add_step(1000.0, [0.5], [1.0], [0.5])

    def test_the_flow_space_belongs_to_flow_euler_alone(self):
        from difftrace.trace import FLOW_SAMPLE_SPACES

        self.assertEqual(FLOW_SAMPLE_SPACES, ("flow",))
        self.assertEqual(difftrace.SAMPLE_SPACES, ("vp", "scaled"))
        for other in ("vp", "scaled"):
            with self.assertRaisesRegex(ValueError, "'flow_euler'.*'flow'.*%r" % other):
                difftrace.Trace("float32", scheduler="flow_euler", sample_space=other)
        for kind in ("euler", "dpmpp_2m", None):
            with self.assertRaisesRegex(ValueError, "'flow'.*flow_euler.*%r" % kind):
                difftrace.Trace("float32", scheduler=kind, sample_space="flow")
        with self.assertRaisesRegex(ValueError, "sample_space 'x'.*'vp', 'scaled', 'flow'"):
            difftrace.Trace("float32", sample_space="x")


class FlowRefusedByTheVerifier(unittest.TestCase):
    """A hand-written flow trace the verifier must refuse (exit 4), naming the key: the
    sample space of another kind, and each config setting the kind does not check."""

    def _valid(self):
        levels = _flow_math.sd3_levels(100, 2, 3.0)
        trace = difftrace.Trace("float64", scheduler="flow_euler", config={"num_train_timesteps": 100, "shift": 3.0})
        trace.add_timesteps(levels[:-1] * 100, 2).add_sigmas(levels)
        rng = np.random.default_rng(0)
        for i in range(2):
            x, v = rng.standard_normal(4), rng.standard_normal(4)
            trace.add_step(levels[i] * 100, v, x, x + (levels[i + 1] - levels[i]) * v, index=i, shape=[1, 4])
        return trace.to_dict()

    def _run(self, folder, name, data):
        path = os.path.join(folder, name + ".json")
        with open(path, "w") as f:
            json.dump(data, f)
        return _support.run_verify(path)

    def test_refusals(self):
        _support.require_verify(self)
        cases = {
            "sample_space scaled": ("sample_space", "scaled", "sample_space"),
            "sample_space vp": ("sample_space", "vp", "sample_space"),
            "use_dynamic_shifting": ("config", {"use_dynamic_shifting": True}, "use_dynamic_shifting"),
            "invert_sigmas": ("config", {"invert_sigmas": True}, "invert_sigmas"),
            "shift_terminal": ("config", {"shift_terminal": 0.1}, "shift_terminal"),
            "stochastic_sampling": ("config", {"stochastic_sampling": True}, "stochastic_sampling"),
            "use_karras_sigmas": ("config", {"use_karras_sigmas": True}, "use_karras_sigmas"),
            "use_exponential_sigmas": ("config", {"use_exponential_sigmas": True}, "use_exponential_sigmas"),
            "use_beta_sigmas": ("config", {"use_beta_sigmas": True}, "use_beta_sigmas"),
            "shift 0": ("config", {"shift": 0.0}, "shift"),
        }
        with tempfile.TemporaryDirectory() as folder:
            control = self._run(folder, "control", self._valid())
            self.assertEqual((control.code, control.failed()), (0, 0), control.summary())
            for said, (where, value, key) in cases.items():
                with self.subTest(said):
                    data = self._valid()
                    if where == "config":
                        data["config"].update(value)
                    else:
                        data[where] = value
                    result = self._run(folder, said.replace(" ", "_"), data)
                    self.assertEqual(result.code, 4, result.summary())
                    self.assertIn(key, result.stderr, result.summary())


if FlowMatchEulerDiscreteScheduler is None:
    DiffusersFlow = unittest.skip("diffusers is not installed")(DiffusersFlow)


if __name__ == "__main__":
    unittest.main()
