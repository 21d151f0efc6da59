"""The committed latent model exported by `lessons export-model --format diffusers` and run
by diffusers' own StableDiffusionPipeline (python -m diffusers_parity pipeline DIR).

diffusers loads the exported U-Net and DDIM scheduler as they are; with the project's text
encoder and decoder rebuilt from diffusers' blocks, the pipeline must give the Swift sampler's
images from the same initial noise. Tolerance: images in [0, 1]; two Float32 implementations of
one U-Net differ by ~10⁻⁶ relative per evaluation (docs/diffusers-parity.md), the converted
U-Net by ~2·10⁻⁵ (its Float32 sinusoid, the transformers' GroupNorm ε); classifier-free guidance
with w = 3 amplifies an ε error at most 2w + 1 = 7 times, and 10 DDIM steps at most add them:
≤ 10 · 7 · 2·10⁻⁵ ≈ 1.4·10⁻³ relative on the latents in the worst case, far less in practice
(measured 5·10⁻⁶ in pixels). A pixel tolerance of 10⁻³ sits between the two, and the
mutations below move pixels by more than 10⁻².
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

from diffusers_parity import pipeline, runner  # noqa: E402

TOLERANCE = 1e-3


class LatentExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = Path(tempfile.mkdtemp(prefix="latent-export-"))
        cls.folder = cls.scratch / "fashion"
        done = subprocess.run([runner.lessons_binary(), "export-model", "--format", "diffusers", "--out", str(cls.folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def mutated(self, part, key, value):
        """A copy of the exported folder with one config value changed."""
        copy = Path(tempfile.mkdtemp(dir=self.scratch)) / "model"
        shutil.copytree(self.folder, copy)
        path = copy / part
        config = json.loads(path.read_text())
        config[key] = value
        path.write_text(json.dumps(config))
        return copy

    def test_diffusers_pipeline_gives_the_swift_images(self):
        result = pipeline.compare(self.folder, prompt="ankle boot", n=4, guidance=3.0, steps=10)
        print("\nexported model, diffusers StableDiffusionPipeline against Swift:", result)
        self.assertGreater(result["pixel_spread"], 0.1)  # real images, not a blank
        self.assertLessEqual(result["swift_folder_vs_files"], TOLERANCE)
        self.assertLessEqual(result["diffusers_vs_swift"], TOLERANCE)

    def test_it_can_fail(self):
        """Leading timesteps instead of trailing, or another scale factor, change the images."""
        for part, key, value in [("scheduler/scheduler_config.json", "timestep_spacing", "leading"),
                                 ("vae/config.json", "scaling_factor", 0.5)]:
            with self.subTest(key=key):
                result = pipeline.compare(self.mutated(part, key, value), prompt="ankle boot", n=4, guidance=3.0, steps=10)
                self.assertGreater(result["diffusers_vs_swift"], 10 * TOLERANCE, result)

    def test_unknown_word_is_refused(self):
        encoder = pipeline.project_parts.load_text_encoder(self.folder)
        with self.assertRaisesRegex(ValueError, "unknown word 'cat'"):
            encoder(["cat"])


if __name__ == "__main__":
    unittest.main()
