"""k-diffusion's own samplers, run as shipped, recorded and checked.

``sample_euler``, ``sample_euler_ancestral``, ``sample_heun`` and ``sample_dpmpp_2m`` from
the installed k-diffusion (loaded by `difftrace.kdiffusion.load_sampling` without the
package's ``__init__``, see that module), each on two schedules (Stable Diffusion's
scaled_linear 0.00085 … 0.012 and the DDPM paper's linear 1e−4 … 0.02) with K = 4 and 10
Karras levels from k-diffusion's own ``get_sigmas_karras`` between σ at τ = 0 and
τ = T − 1 (as its CompVisDenoiser has them). The denoiser returns a fresh seeded x̂₀ at
every call; the sampler carries x from level to level.

Each trace must pass the verifier (exit 0, no failed check), its sigmas record must be
one of the checks, and every level's prev_sample must be checked. Independently of the
verifier, every level is recomputed in float64 (`_sigma_math`). `KDiffusionLoading`
shows that what runs is k-diffusion's code as shipped: the loaded files match the
wheel's RECORD, and torchvision's stand-in is reachable only from the two image helpers
of utils.py.

If k-diffusion cannot be loaded, the tests skip saying why (scripts/setup installs it).
"""

import ast
import json
import os
import sys
import tempfile
import unittest
from unittest import mock

import _sigma_math
import _support

try:
    import torch
    from difftrace import kdiffusion

    SAMPLING = kdiffusion.load_sampling()
    WHY = ""
except ImportError as error:  # pragma: no cover
    torch = SAMPLING = None
    WHY = "k-diffusion cannot be loaded: %s" % error

SD = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
"""Stable Diffusion's schedule."""

DDPM = dict(num_train_timesteps=1000, beta_schedule="linear", beta_start=0.0001, beta_end=0.02)
"""The DDPM paper's schedule."""

SCHEDULES = {"sd": SD, "ddpm": DDPM}

SAMPLERS = ("sample_euler", "sample_euler_ancestral", "sample_heun", "sample_dpmpp_2m")


def _k(sampler, schedule, steps):
    def write(path):
        config = SCHEDULES[schedule]
        sigmas = kdiffusion.karras_sigmas(config, steps)
        return kdiffusion.record_k_sampler(
            sampler, path, kind=kdiffusion.SAMPLERS[sampler], sigmas=sigmas, config=config
        )

    return write


CASES = {
    "%s_%s_K%d" % (sampler[len("sample_"):], schedule, steps): (_k(sampler, schedule, steps), None)
    for sampler in SAMPLERS
    for schedule in SCHEDULES
    for steps in (4, 10)
}


class KDiffusionSamplers(_support.VerifiedCases):
    CASES = {name: writer for name, (writer, _) in CASES.items()}

    def test_the_sigmas_record_is_checked(self):
        """Each trace's K + 1 levels are a passing check against the Karras levels the
        config names, and every level's prev_sample is checked."""
        for name in CASES:
            with self.subTest(name):
                data = self.load_trace(name)
                result = self.result(name)
                self.assertIsNotNone(result.report, result.summary())
                levels = [r for r in data["records"] if r["quantity"] == "sigmas"][0]["values"]
                sigmas = [f for f in result.findings() if f.get("quantity") == "sigmas"]
                self.assertEqual(len(sigmas), 1, result.summary())
                self.assertIs(sigmas[0]["pass"], True, result.summary())
                self.assertEqual(sigmas[0]["checked"], len(levels))
                self.assertIn("Karras", sigmas[0]["reference"])
                steps = [i for i, r in enumerate(data["records"]) if r["quantity"] == "step"]
                checked = {f.get("record") for f in result.findings() if f.get("quantity") == "step.prev_sample"}
                self.assertEqual(checked, set(steps), result.summary())

    def test_steps_match_a_float64_recomputation(self):
        """Every level of every case recomputed in float64 (`_sigma_math`), to within 64
        float32 units of the size of its terms."""
        for name in CASES:
            with self.subTest(name):
                worst, index = _sigma_math.worst(self.load_trace(name))
                self.assertLess(worst, 64, "level %s is off by %.1f units" % (index, worst))

    def test_the_trace_holds_what_the_kind_needs(self):
        for sampler in SAMPLERS:
            kind = kdiffusion.SAMPLERS[sampler]
            with self.subTest(sampler):
                data = self.load_trace("%s_sd_K4" % sampler[len("sample_"):])
                self.assertEqual((data["scheduler"], data["dtype"]), (kind, "float32"))
                self.assertEqual(data.get("sample_space"), "scaled" if kind == "dpmpp_2m" else None)
                self.assertEqual(
                    data["config"],
                    dict(SD, prediction_type="sample", use_karras_sigmas=True, timestep_spacing="linspace"),
                )
                self.assertEqual(data["producer"]["library"], "k-diffusion %s" % kdiffusion.installed_version())
                self.assertEqual(data["producer"]["function"], sampler)
                records = {r["quantity"] for r in data["records"]}
                self.assertEqual(records, {"sigmas", "step"})  # no timesteps record needed
                levels = [r for r in data["records"] if r["quantity"] == "sigmas"][0]["values"]
                self.assertEqual(levels, kdiffusion.karras_sigmas(SD, 4).tolist())
                self.assertEqual(levels[-1], 0.0)
                steps = [r for r in data["records"] if r["quantity"] == "step"]
                self.assertEqual([s["index"] for s in steps], [0, 1, 2, 3])
                self.assertAlmostEqual(steps[0]["timestep"], 999, delta=1e-3)  # σ_max is σ at τ = T − 1
                for before, after in zip(steps, steps[1:]):
                    # The sampler's own chain: each level starts where the last one ended.
                    self.assertEqual(before["prev_sample"], after["sample"])
                    self.assertGreater(before["timestep"], after["timestep"])
                for step in steps:
                    last = step is steps[-1]
                    self.assertEqual("model_output_2" in step, kind == "heun" and not last)
                    self.assertEqual("predictor_sample" in step, kind == "heun" and not last)
                    self.assertEqual(step["noise"] is not None, kind == "euler_ancestral" and not last)
                    self.assertNotIn("pred_original_sample", step)

    def test_recording_is_deterministic(self):
        with tempfile.TemporaryDirectory() as folder:
            texts = []
            for n in range(2):
                path = _k("sample_euler_ancestral", "sd", 4)(os.path.join(folder, "%d.json" % n))
                with open(path) as f:
                    texts.append(f.read())
            self.assertEqual(texts[0], texts[1])


_support.attach_cases(KDiffusionSamplers, CASES)


class KDiffusionLoading(unittest.TestCase):
    """What runs is k-diffusion's code as shipped, and nothing else is touched."""

    def test_the_loaded_files_are_as_shipped(self):
        """sha256 of utils.py, sampling.py and external.py as the wheel's RECORD lists them."""
        self.assertEqual(
            kdiffusion.check_installed_files(), {"utils.py": True, "sampling.py": True, "external.py": True}
        )

    def test_loaded_from_the_installed_folder_without_the_package_init(self):
        folder = kdiffusion.installed_folder()
        self.assertEqual(SAMPLING.__name__, kdiffusion.PACKAGE + ".sampling")
        self.assertEqual(os.path.realpath(SAMPLING.__file__), os.path.realpath(os.path.join(folder, "sampling.py")))
        self.assertIs(kdiffusion.load_sampling(), SAMPLING)
        self.assertIs(SAMPLING.utils, sys.modules[kdiffusion.PACKAGE + ".utils"])
        self.assertNotIn("k_diffusion", sys.modules)  # the real package name is left alone
        for name in ("torchvision", "torchvision.transforms", "torchvision.transforms.functional"):
            module = sys.modules.get(name)
            self.assertFalse(module is not None and "stand-in" in (module.__doc__ or ""), name)
        # The package __init__ that is skipped only imports the submodules.
        with open(os.path.join(folder, "__init__.py")) as f:
            tree = ast.parse(f.read())
        self.assertTrue(all(isinstance(node, ast.ImportFrom) and node.level == 1 for node in tree.body))

    def test_the_stand_in_is_reachable_only_from_the_image_helpers(self):
        """In utils.py only from_pil_image and to_pil_image name TF; sampling.py and
        external.py never name torchvision."""
        folder = kdiffusion.installed_folder()
        with open(os.path.join(folder, "utils.py")) as f:
            tree = ast.parse(f.read())
        users = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if any(isinstance(n, ast.Name) and n.id == "TF" for n in ast.walk(node)):
                    users.add(node.name)
        self.assertEqual(users, {"from_pil_image", "to_pil_image"})
        top_level_uses = [
            n for statement in tree.body if not isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Import,
                                                                       ast.ImportFrom))
            for n in ast.walk(statement) if isinstance(n, ast.Name) and n.id == "TF"
        ]
        self.assertEqual(top_level_uses, [])
        for name in ("sampling.py", "external.py"):
            with open(os.path.join(folder, name)) as f:
                text = f.read()
            self.assertNotIn("torchvision", text, name)
            self.assertNotIn("TF.", text, name)
        with self.assertRaisesRegex(AttributeError, "stand-in for torchvision"):
            SAMPLING.utils.to_pil_image(torch.zeros(3, 2, 2))

    def test_sigma_range_is_compvis_denoisers(self):
        """σ_min and σ_max: √((1 − ᾱ)/ᾱ) in float32 at τ = 0 and T − 1 of diffusers' ᾱ."""
        from diffusers import DDPMScheduler

        ac = DDPMScheduler(**SD).alphas_cumprod
        sigmas = ((1 - ac) / ac) ** 0.5
        self.assertEqual(kdiffusion.sigma_range(SD), (sigmas[0].item(), sigmas[-1].item()))

    def test_what_is_missing_is_named(self):
        with mock.patch.object(kdiffusion.importlib.util, "find_spec", return_value=None):
            with self.assertRaisesRegex(ImportError, "pip install --no-deps k-diffusion"):
                kdiffusion.installed_folder()
        error = kdiffusion._missing_dependency(ModuleNotFoundError("No module named 'torchsde'", name="torchsde"))
        self.assertRegex(str(error), "needs the module 'torchsde'.*pip install torchsde")
        error = kdiffusion._missing_dependency(ModuleNotFoundError("No module named 'PIL'", name="PIL"))
        self.assertRegex(str(error), "pip install Pillow")

    def test_refusals(self):
        sigmas = kdiffusion.karras_sigmas(SD, 4)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "t.json")
            for said, call in (
                ("'euler' steps, not 'heun'", dict(sampler="sample_euler", kind="heun", sigmas=sigmas, config=SD)),
                ("one of euler, euler_ancestral, heun, dpmpp_2m", dict(sampler="sample_euler", kind="ddim",
                                                                       sigmas=sigmas, config=SD)),
                ("prediction_type='epsilon'", dict(sampler="sample_euler", kind="euler", sigmas=sigmas,
                                                   config=dict(SD, prediction_type="epsilon"))),
                ("clip_sample", dict(sampler="sample_euler", kind="euler", sigmas=sigmas,
                                     config=dict(SD, clip_sample=True))),
                ("ending at 0", dict(sampler="sample_euler", kind="euler", sigmas=sigmas[:-1], config=SD)),
                ("unknown k-diffusion sampler 'sample_lms'", dict(sampler="sample_lms", kind="euler",
                                                                   sigmas=sigmas, config=SD)),
                ("K = 1 cannot be described.*\\[σ_max, 0\\].*\\[σ\\(0\\), 0\\]",
                 dict(sampler="sample_heun", kind="heun", sigmas=kdiffusion.karras_sigmas(SD, 1), config=SD)),
            ):
                with self.subTest(said):
                    sampler = call.pop("sampler")
                    with self.assertRaisesRegex(ValueError, said):
                        kdiffusion.record_k_sampler(sampler, path, **call)
            self.assertEqual(os.listdir(folder), [])

    def test_one_level_is_refused_but_for_dpm(self):
        """K = 1: k-diffusion's level is σ_max, while the Euler kinds' linspace Karras level
        is σ(0) (the spacing's only timestep is τ = 0), as diffusers computes it; DPM's
        Karras levels span the whole schedule whatever the spacing, so "dpmpp_2m" records it."""
        from diffusers import EulerDiscreteScheduler

        scheduler = EulerDiscreteScheduler(use_karras_sigmas=True, **SD)
        scheduler.set_timesteps(1)
        low, high = kdiffusion.sigma_range(SD)
        self.assertAlmostEqual(scheduler.sigmas[0].item(), low, delta=1e-6 * low)
        self.assertAlmostEqual(kdiffusion.karras_sigmas(SD, 1)[0].item(), high, delta=1e-5 * high)
        with tempfile.TemporaryDirectory() as folder:
            path = kdiffusion.record_k_sampler(
                "sample_dpmpp_2m", os.path.join(folder, "t.json"), kind="dpmpp_2m",
                sigmas=kdiffusion.karras_sigmas(SD, 1), config=SD,
            )
            with open(path) as f:
                self.assertEqual(len([r for r in json.load(f)["records"] if r["quantity"] == "step"]), 1)

    def test_the_global_random_state_is_left_alone(self):
        """sample_euler and sample_heun draw churn noise from torch's global generator even
        when they add none; the recording restores it."""
        torch.manual_seed(123)
        expected = torch.randn(3)
        torch.manual_seed(123)
        with tempfile.TemporaryDirectory() as folder:
            _k("sample_heun", "sd", 4)(os.path.join(folder, "t.json"))
        self.assertTrue(torch.equal(torch.randn(3), expected))


if SAMPLING is None:  # pragma: no cover
    KDiffusionSamplers = unittest.skip(WHY)(KDiffusionSamplers)
    KDiffusionLoading = unittest.skip(WHY)(KDiffusionLoading)


if __name__ == "__main__":
    unittest.main()
