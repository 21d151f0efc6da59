"""k-diffusion's singlestep DPM-Solver-2 and -3, run as shipped, recorded and checked.

Three pieces of k-diffusion's ``sampling.py`` (loaded by `difftrace.kdiffusion.load_sampling`
without the package ``__init__``):

* ``sample_dpm_2(model, x, sigmas)`` (no churn), recorded by `record_k_sampler` as kind
  "dpm_solver_2": its σ_mid = exp(lerp(log σ, log σ', ½)) is DPM-Solver-2's s₁ and its
  x_2 = x + d·(σ_mid − σ) the stage point u₁; the last level (σ' = 0) is Euler;
* ``DPMSolver(model).dpm_solver_2_step(x, t, t_next)`` and ``dpm_solver_3_step``, with
  t = ``DPMSolver.t(σ)`` = −log σ, one call per level with σ' > 0, recorded by
  `record_k_dpm_solver` (the last level is ``sample_dpm_2``'s Euler branch).

Each on two schedules (Stable Diffusion's scaled_linear 0.00085 … 0.012 and the DDPM
paper's linear 1e−4 … 0.02) with K = 4 and 10 Karras levels from k-diffusion's own
``get_sigmas_karras`` (`kdiffusion.karras_sigmas`). Each trace must pass the verifier
(exit 0, no failed check); its sigmas record, every level's prev_sample and every stage's
sample must be checked. Independently of the verifier, every level is recomputed in float64
from Lu et al. (2022, Algorithms 1–2) written out below (`recompute`), and the two
k-diffusion implementations of DPM-Solver-2 are shown to be one rule (in float64 they
agree to rounding).

If k-diffusion cannot be loaded, the tests skip saying why (scripts/setup installs it).
"""

import json
import math
import os
import tempfile
import unittest

import numpy as np

import _support
import difftrace

try:
    import torch
    from difftrace import kdiffusion

    SAMPLING = kdiffusion.load_sampling()
    WHY = ""
except ImportError as error:  # pragma: no cover
    torch = SAMPLING = kdiffusion = None
    WHY = "k-diffusion cannot be loaded: %s" % error

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

DDPM = dict(num_train_timesteps=1000, beta_schedule="linear", beta_start=0.0001, beta_end=0.02)
"""The DDPM paper's schedule."""

SCHEDULES = {"sd": SD, "ddpm": DDPM}

#: case prefix → (how it is recorded, the trace kind, the producer's function)
RUNS = {
    "sample_dpm_2": ("sampler", "dpm_solver_2", "sample_dpm_2"),
    "solver_2": (2, "dpm_solver_2", "DPMSolver.dpm_solver_2_step"),
    "solver_3": (3, "dpm_solver_3", "DPMSolver.dpm_solver_3_step"),
}

#: float32's unit roundoff.
U32 = 2.0**-24


def _write(run, schedule, steps, dtype="float32"):
    def write(path):
        config = SCHEDULES[schedule]
        sigmas = kdiffusion.karras_sigmas(config, steps)
        how = RUNS[run][0]
        if how == "sampler":
            return kdiffusion.record_k_sampler(
                "sample_dpm_2", path, kind="dpm_solver_2", sigmas=sigmas, config=config, dtype=dtype
            )
        return kdiffusion.record_k_dpm_solver(path, order=how, sigmas=sigmas, config=config, dtype=dtype)

    return write


CASES = {
    "%s_%s_K%d" % (run, schedule, steps): (_write(run, schedule, steps), None)
    for run in RUNS
    for schedule in SCHEDULES
    for steps in (4, 10)
}


# ---------------------------------------------------------------------------------------
# Lu et al. (2022), Algorithms 1–2, on the scaled sample, in float64.


def _x0(prediction_type, output, u, s):
    """x̂₀ of the scaled sample u at level s."""
    if prediction_type == "epsilon":
        return u - s * output
    if prediction_type == "v_prediction":
        return u / (s * s + 1) - s / math.sqrt(s * s + 1) * output
    return output


def _eps(prediction_type, output, u, s):
    """ε̂(u, s) = (u − x̂₀)/s, and the size of the terms it is made of (over s)."""
    size = (np.abs(u) + max(s, 1.0) * np.abs(output) + np.abs(u)) / s
    return (u - _x0(prediction_type, output, u, s)) / s, size


def recompute(data, record):
    """[(name, expected, size of its terms)] of one step record: "prev_sample" and each
    stage's point "u1" (, "u2") (a stage's ε̂ read at the recorded point when there is one)."""
    pt = data["config"].get("prediction_type", "epsilon")
    sigmas = [r for r in data["records"] if r["quantity"] == "sigmas"][0]["values"]
    i = record["index"]
    sigma, nxt = float(sigmas[i]), float(sigmas[i + 1])
    x = np.array(record["sample"], dtype=np.float64)
    e0, e0_size = _eps(pt, np.array(record["model_output"], dtype=np.float64), x, sigma)
    if nxt == 0:
        return [("prev_sample", x - sigma * e0, np.abs(x) + sigma * e0_size)]
    h = math.log(sigma / nxt)
    ratios = (0.5,) if data["scheduler"] == "dpm_solver_2" else (1 / 3, 2 / 3)
    out, epsilons = [], []
    for k, r in enumerate(ratios):
        s = sigma * math.exp(-r * h)
        u = x - s * math.expm1(r * h) * e0
        size = np.abs(x) + s * math.expm1(r * h) * e0_size
        if k == 1:
            weight = s * (ratios[1] / ratios[0]) * (math.expm1(r * h) / (r * h) - 1)
            u = u - weight * (epsilons[0][0] - e0)
            size = size + abs(weight) * (epsilons[0][1] + e0_size)
        out.append(("u%d" % (k + 1), u, size))
        stage = record["stages"][k]
        seen = np.array(stage["sample"], dtype=np.float64) if "sample" in stage else u
        epsilons.append(_eps(pt, np.array(stage["model_output"], dtype=np.float64), seen, s))
    if len(ratios) == 1:
        e1, e1_size = epsilons[0]
        prev = x - nxt * math.expm1(h) * e1
        size = np.abs(x) + nxt * math.expm1(h) * e1_size
    else:
        e2, e2_size = epsilons[1]
        weight = (nxt / ratios[1]) * (math.expm1(h) / h - 1)
        prev = x - nxt * math.expm1(h) * e0 - weight * (e2 - e0)
        size = np.abs(x) + nxt * math.expm1(h) * e0_size + abs(weight) * (e2_size + e0_size)
    return out + [("prev_sample", prev, size)]


def worst(data):
    """(largest error in float32 units of the terms' size, where) over every step's
    prev_sample and recorded stage samples."""
    largest, where = 0.0, None
    for record in data["records"]:
        if record["quantity"] != "step":
            continue
        stages = record.get("stages") or []
        for name, want, size in recompute(data, record):
            if name == "prev_sample":
                got = record["prev_sample"]
            else:
                got = stages[int(name[1:]) - 1].get("sample")
                if got is None:
                    continue
            error = float(np.max(np.abs(np.array(got, dtype=np.float64) - want) / (size * U32)))
            if error > largest:
                largest, where = error, (record["index"], name)
    return largest, where


# ---------------------------------------------------------------------------------------


class KDiffusionDPMSolver(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in CASES.items()}

    def test_every_level_and_stage_is_checked(self):
        """The sigmas record is a passing check against the config's Karras levels; every
        step's prev_sample is checked; every recorded stage sample is checked (a finding
        whose quantity names the stage, on that step's record)."""
        for name in CASES:
            with self.subTest(name):
                data = self.load_trace(name)
                result = self.result(name)
                self.assertIsNotNone(result.report, result.summary())
                sigmas = [f for f in result.findings() if f.get("quantity") == "sigmas"]
                self.assertEqual(len(sigmas), 1, result.summary())
                self.assertIs(sigmas[0]["pass"], True, result.summary())
                self.assertIn("Karras", sigmas[0]["reference"])
                steps = [i for i, r in enumerate(data["records"]) if r["quantity"] == "step"]
                findings = result.findings()
                checked = {f.get("record") for f in findings if f.get("quantity") == "step.prev_sample"}
                self.assertEqual(checked, set(steps), result.summary())
                with_stages = {i for i in steps if data["records"][i].get("stages")}
                self.assertEqual(len(with_stages), len(steps) - 1)  # all but the last level
                stages_per_step = 2 if data["scheduler"] == "dpm_solver_3" else 1
                staged = [f for f in findings if "stage" in str(f.get("quantity", ""))]
                self.assertEqual(
                    sorted((f.get("record"), f.get("quantity")) for f in staged),
                    sorted((i, "step.stage_sample[%d]" % k) for i in with_stages for k in range(stages_per_step)),
                    result.summary(),
                )
                self.assertTrue(all(f.get("pass") is True for f in staged), result.summary())

    def test_steps_match_a_float64_recomputation(self):
        """Every level and stage of every case recomputed in float64 from Lu et al. (2022)
        (`recompute`), to within 64 float32 units of the size of its terms."""
        for name in CASES:
            with self.subTest(name):
                largest, where = worst(self.load_trace(name))
                self.assertLess(largest, 64, "%s is off by %.1f units" % (where, largest))

    def test_the_trace_holds_what_the_kind_needs(self):
        for run, (_, kind, function) in RUNS.items():
            with self.subTest(run):
                data = self.load_trace("%s_sd_K4" % run)
                self.assertEqual((data["scheduler"], data["dtype"]), (kind, "float32"))
                self.assertNotIn("sample_space", data)  # always the scaled sample
                self.assertEqual(
                    data["config"],
                    dict(SD, prediction_type="sample", use_karras_sigmas=True, timestep_spacing="linspace"),
                )
                self.assertEqual(data["producer"]["library"], "k-diffusion %s" % kdiffusion.installed_version())
                self.assertEqual(data["producer"]["function"], function)
                self.assertEqual({r["quantity"] for r in data["records"]}, {"sigmas", "step"})
                levels = [r for r in data["records"] if r["quantity"] == "sigmas"][0]["values"]
                self.assertEqual(levels, kdiffusion.karras_sigmas(SD, 4).tolist())
                steps = [r for r in data["records"] if r["quantity"] == "step"]
                self.assertEqual([s["index"] for s in steps], [0, 1, 2, 3])
                for before, after in zip(steps, steps[1:]):
                    self.assertEqual(before["prev_sample"], after["sample"])  # the solver's own chain
                for step in steps:
                    count = 0 if step is steps[-1] else (2 if kind == "dpm_solver_3" else 1)
                    self.assertEqual(len(step.get("stages") or []), count)
                    for stage in step.get("stages") or []:
                        self.assertEqual(set(stage), {"model_output", "sample"})
                        self.assertEqual(len(stage["sample"]), len(step["sample"]))
                        self.assertNotEqual(stage["sample"], step["sample"])
                    for key in ("model_output_2", "predictor_sample", "pred_original_sample"):
                        self.assertNotIn(key, step)
                    self.assertIsNone(step["noise"])

    def test_the_two_dpm_solver_2_codes_are_one_rule(self):
        """In float64, sample_dpm_2 (x + d·(σ_mid − σ), then x + d₂·(σ' − σ)) and
        DPMSolver.dpm_solver_2_step (the exponential-integrator form) see the same model
        outputs (same seed, same calls) and return the same samples, to rounding."""
        with tempfile.TemporaryDirectory() as folder:
            found = []
            for run in ("sample_dpm_2", "solver_2"):
                path = _write(run, "sd", 10, dtype="float64")(os.path.join(folder, run + ".json"))
                with open(path) as f:
                    data = json.load(f)
                found.append([r for r in data["records"] if r["quantity"] == "step"])
        for a, b in zip(*found):
            self.assertEqual(a["model_output"], b["model_output"])
            self.assertEqual(a["stages"][0]["model_output"] if "stages" in a else None,
                             b["stages"][0]["model_output"] if "stages" in b else None)
            for key in ("sample", "prev_sample"):
                got, want = np.array(a[key]), np.array(b[key])
                self.assertLess(float(np.max(np.abs(got - want))), 1e-10 * (1 + float(np.max(np.abs(want)))))
            if "stages" in a:
                got, want = np.array(a["stages"][0]["sample"]), np.array(b["stages"][0]["sample"])
                self.assertLess(float(np.max(np.abs(got - want))), 1e-10 * (1 + float(np.max(np.abs(want)))))

    def test_recording_is_deterministic(self):
        with tempfile.TemporaryDirectory() as folder:
            texts = []
            for n in range(2):
                path = _write("solver_3", "sd", 4)(os.path.join(folder, "%d.json" % n))
                with open(path) as f:
                    texts.append(f.read())
            self.assertEqual(texts[0], texts[1])

    def test_refusals(self):
        sigmas = kdiffusion.karras_sigmas(SD, 4)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "t.json")
            for said, call in (
                ("order is 2 or 3", dict(order=1, sigmas=sigmas, config=SD)),
                ("ending at 0", dict(order=2, sigmas=sigmas[:-1], config=SD)),
                ("K = 1 cannot be described", dict(order=3, sigmas=kdiffusion.karras_sigmas(SD, 1), config=SD)),
                ("prediction_type='epsilon'", dict(order=2, sigmas=sigmas, config=dict(SD, prediction_type="epsilon"))),
            ):
                with self.subTest(said):
                    with self.assertRaisesRegex(ValueError, said):
                        kdiffusion.record_k_dpm_solver(path, **call)
            with self.assertRaisesRegex(ValueError, "'dpm_solver_2' steps, not 'heun'"):
                kdiffusion.record_k_sampler("sample_dpm_2", path, kind="heun", sigmas=sigmas, config=SD)
            with self.assertRaisesRegex(ValueError, "got 'dpm_solver_3'.*recorded by record_k_dpm_solver"):
                kdiffusion.record_k_sampler("sample_dpm_2", path, kind="dpm_solver_3", sigmas=sigmas, config=SD)
            self.assertEqual(os.listdir(folder), [])


_support.attach_cases(KDiffusionDPMSolver, CASES)

if kdiffusion is None:  # pragma: no cover
    KDiffusionDPMSolver = unittest.skip(WHY)(KDiffusionDPMSolver)


class TraceStages(unittest.TestCase):
    """`Trace.add_step(stages=...)`: written for the singlestep DPM-Solver kinds only."""

    def _trace(self, kind):
        return difftrace.Trace("float64", scheduler=kind, config={}).add_sigmas([2.0, 1.0, 0.0])

    def test_written_as_the_format_says(self):
        trace = self._trace("dpm_solver_3")
        trace.add_step(999.0, [1.0, 2.0], [3.0, 4.0], [5.0, 6.0], index=0,
                       stages=[{"model_output": np.array([0.5, 0.25]), "sample": [7.0, 8.0]},
                               {"model_output": [9.0, 10.0], "sample": None}])
        trace.add_step(0.0, [1.0, 2.0], [5.0, 6.0], [1.0, 2.0], index=1)
        steps = [r for r in json.loads(trace.to_json())["records"] if r["quantity"] == "step"]
        self.assertEqual(steps[0]["stages"], [{"model_output": [0.5, 0.25], "sample": [7.0, 8.0]},
                                              {"model_output": [9.0, 10.0]}])
        self.assertNotIn("stages", steps[1])
        self.assertIn("dpm_solver_2", difftrace.KINDS)
        self.assertIn("dpm_solver_3", difftrace.SIGMA_KINDS)

    def test_refused(self):
        good = [{"model_output": [1.0], "sample": [1.0]}]
        for kind, stages, said in (
            ("heun", good, "stages= is for the singlestep DPM-Solver kinds"),
            ("dpm_solver_2", good * 2, "has 1 stage"),
            ("dpm_solver_3", good, "has 2 stage"),
            ("dpm_solver_2", [{"sample": [1.0]}], "no model_output"),
            ("dpm_solver_2", [{"model_output": [1.0], "noise": [1.0]}], "unknown key"),
            ("dpm_solver_2", [{"model_output": [1.0], "sample": [1.0, 2.0]}], "sample has 2 values"),
            ("dpm_solver_2", {"model_output": [1.0]}, "must be a list"),
        ):
            with self.subTest(said):
                with self.assertRaisesRegex(ValueError, said):
                    self._trace(kind).add_step(1.0, [1.0], [1.0], [1.0], index=0, model_output_2=[1.0] if kind == "heun" else None, stages=stages)

    def test_record_refuses_the_singlestep_kinds(self):
        """difftrace.record sees one step() call per step, never the stages."""
        with self.assertRaisesRegex(ValueError, "record_k_dpm_solver"):
            difftrace.record(object(), os.devnull, kind="dpm_solver_2")


if __name__ == "__main__":
    unittest.main()
