"""The Swift U-Net and autoencoder against diffusers' UNet2DConditionModel and AutoencoderKL
(python -m diffusers_parity).

Each preset is built by diffusers with seeded random weights and saved in diffusers' layout;
`lessons forward --blocks` runs it in Swift, and every module's output must be within
compare.TOLERANCE (relative RMS) of diffusers' Float64 evaluation. Mutations (a config the
Swift side reads differently from the one the weights were made with) must fail the same
comparison, and bad model folders and inputs must be exit 4 with a message naming the key,
tensor or file.
"""
import json
import math
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

from diffusers_parity import compare, reference, runner  # noqa: E402

try:
    BINARY, NO_BINARY = runner.lessons_binary(), ""
except runner.BinaryMissing as missing:
    BINARY, NO_BINARY = None, str(missing)

_prepared = {}


def prepared(preset):
    """(folder, exact, None) of a preset, built once per test run: the verdicts compare with
    diffusers' Float64 evaluation alone (PyTorch's Float32 error, the report's context column,
    is left to `python -m diffusers_parity run`)."""
    if preset not in _prepared:
        folder = Path(tempfile.mkdtemp(prefix="parity-%s-" % preset))
        exact, float32, _ = runner.prepare(preset, folder, float32=False)
        _prepared[preset] = (folder, exact, float32)
    return _prepared[preset]


def tearDownModule():
    for folder, _, _ in _prepared.values():
        shutil.rmtree(folder, ignore_errors=True)


def mutant(folder, name, **changes):
    """A copy of the saved model whose config.json has `changes` (weights unchanged)."""
    target = folder / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder / "unet", target)
    config = json.loads((target / "config.json").read_text())
    config.update(changes)
    (target / "config.json").write_text(json.dumps(config))
    return target


def forward(model, inputs, out):
    return subprocess.run([BINARY, "forward", "--model", str(model), "--inputs", str(inputs), "--out", str(out)],
                          capture_output=True, text=True)


@unittest.skipUnless(BINARY, NO_BINARY)
class ParityTests(unittest.TestCase):
    def check_preset(self, preset, expected_modules):
        folder, exact, float32 = prepared(preset)
        runner.swift(folder)
        rows = compare.compare(folder / "swift.safetensors", exact, float32)
        self.assertEqual(len(rows), expected_modules, [r[0] for r in rows])
        names = {r[0] for r in rows}
        self.assertIn("sample", names)
        if not preset.startswith("vae"):
            self.assertTrue({"time_embedding", "conv_in", "mid_block", "conv_out"} <= names)
        failed = [r for r in rows if not r[4]]
        self.assertEqual(failed, [], compare.report(rows))
        return rows

    def test_project_config(self):
        self.check_preset("project", 30)

    def test_every_block_type(self):
        rows = self.check_preset("every-block", 43)
        names = {r[0] for r in rows}
        # DownBlock2D / UpBlock2D at the middle level: ResNets without attentions.
        self.assertIn("down_blocks.1.resnets.1", names)
        self.assertNotIn("down_blocks.1.attentions.0", names)
        self.assertIn("down_blocks.2.attentions.0", names)
        self.assertIn("down_blocks.2.attentions.0.transformer_blocks.1", names)  # two BasicTransformerBlocks

    def test_sdxl_features_at_reduced_width(self):
        rows = self.check_preset("sdxl-small", 69)
        names = {r[0] for r in rows}
        self.assertIn("add_embedding", names)
        self.assertIn("down_blocks.2.attentions.1.transformer_blocks.2", names)
        self.assertNotIn("down_blocks.0.attentions.0", names)

    def test_stable_diffusion_1x_at_64x64(self):
        # 859,520,964 parameters: SD 1.x's U-Net as published, one pass at a 64×64 latent.
        folder = Path(tempfile.mkdtemp(prefix="parity-sd15-"))
        try:
            exact, float32, _ = runner.prepare("sd15", folder, float32=False)
            output = runner.swift(folder)
            self.assertIn("859520964 parameters", output)
            rows = compare.compare(folder / "swift.safetensors", exact, float32)
            del exact, float32
            self.assertEqual(len(rows), 70, [r[0] for r in rows])
            self.assertEqual([r for r in rows if not r[4]], [], compare.report(rows))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def test_autoencoder_small(self):
        rows = self.check_preset("vae-small", 16)
        names = {r[0] for r in rows}
        self.assertTrue({"moments", "encoder.mid_block", "decoder.up_blocks.2", "quant_conv", "post_quant_conv"} <= names)

    def test_project_autoencoder(self):
        # The project's own config (Swift's AutoencoderConfig.fashion): 1 channel, 16/32/64, 8 groups.
        rows = self.check_preset("vae-fashion", 16)
        self.assertTrue({"moments", "encoder.mid_block", "decoder.up_blocks.2", "sample"} <= {r[0] for r in rows})

    def test_stable_diffusion_autoencoder(self):
        # Stable Diffusion's AutoencoderKL as published: 83,653,863 parameters.
        folder, exact, float32 = prepared("vae-sd")
        self.assertIn("83653863 parameters", runner.swift(folder))
        rows = compare.compare(folder / "swift.safetensors", exact, float32)
        self.assertEqual(len(rows), 18, [r[0] for r in rows])
        self.assertEqual([r for r in rows if not r[4]], [], compare.report(rows))

    def test_report_without_torch_float32(self):
        # The tests' comparisons leave out diffusers' Float32 pass: the report says so, and
        # the verdict column is Swift's error against Float64 alone.
        folder, exact, _ = prepared("project")
        runner.swift(folder)
        rows = compare.compare(folder / "swift.safetensors", exact)
        self.assertTrue(rows)
        self.assertTrue(all(math.isnan(r[3]) for r in rows))
        text = compare.report(rows)
        self.assertIn("%d modules, 0 failed" % len(rows), text)
        self.assertIn("torch f32 not evaluated here", text)

    def test_mutation_autoencoder_groups(self):
        # GroupNorm over 8 groups instead of the weights' 16: same tensors, other statistics.
        self.assert_mutation_fails("vae-small", norm_num_groups=8)

    def assert_mutation_fails(self, preset, **changes):
        folder, exact, float32 = prepared(preset)
        model = mutant(folder, "mutant", **changes)
        runner.swift(folder, model=model)
        rows = compare.compare(folder / "swift.safetensors", exact, float32)
        self.assertTrue(rows)
        sample = [r for r in rows if r[0] == "sample"][0]
        self.assertFalse(sample[4], "the mutation %s survived: output error %.2e" % (changes, sample[2]))
        self.assertGreater(sample[2], 10 * compare.TOLERANCE)

    def test_mutation_sinusoid_unflipped(self):
        self.assert_mutation_fails("project", flip_sin_to_cos=False)

    def test_mutation_head_count(self):
        self.assert_mutation_fails("project", attention_head_dim=2)

    def test_mutation_frequency_shift(self):
        self.assert_mutation_fails("every-block", freq_shift=0)

    def test_mutation_normalization_epsilon(self):
        self.assert_mutation_fails("every-block", norm_eps=0.1)

    def test_mutation_sdxl_size_embedding_unflipped(self):
        # flip_sin_to_cos also orders the six size/crop embeddings of text_time.
        self.assert_mutation_fails("sdxl-small", flip_sin_to_cos=False)


@unittest.skipUnless(BINARY, NO_BINARY)
class BadModelTests(unittest.TestCase):
    def assert_config_refused(self, preset, changes, *fragments):
        """The preset's weights under a config with `changes`: exit 4 naming what is wrong."""
        folder, _, _ = prepared(preset)
        model = mutant(folder, "refused", **changes)
        self.assert_refused(forward(model, folder / "inputs.safetensors", folder / "o.safetensors"), *fragments)

    def assert_refused(self, done, *fragments):
        self.assertEqual(done.returncode, 4, done.stderr)
        for fragment in fragments:
            self.assertIn(fragment, done.stderr)
        self.assertNotIn("Fatal error", done.stderr)

    def test_unsupported_block_type(self):
        self.assert_config_refused("project", dict(down_block_types=["AttnDownBlock2D", "CrossAttnDownBlock2D"]),
                                   "down_block_types \"AttnDownBlock2D\" is not supported", "CrossAttnDownBlock2D, DownBlock2D")

    def test_unknown_key(self):
        self.assert_config_refused("project", dict(use_magic=True), "unknown config key \"use_magic\"")

    def test_unsupported_value(self):
        self.assert_config_refused("project", dict(resnet_time_scale_shift="scale_shift"),
                                   "resnet_time_scale_shift \"scale_shift\" is not supported", "\"default\"")

    def test_wrong_shape(self):
        self.assert_config_refused("project", dict(cross_attention_dim=32), "attn2.to_k.weight", "has shape")

    def test_missing_weights(self):
        folder, _, _ = prepared("project")
        model = mutant(folder, "no-weights")
        (model / "diffusion_pytorch_model.safetensors").unlink()
        self.assert_refused(forward(model, folder / "inputs.safetensors", folder / "o.safetensors"), "diffusion_pytorch_model.safetensors is missing")

    def test_missing_config(self):
        folder, _, _ = prepared("project")
        model = mutant(folder, "no-config")
        (model / "config.json").unlink()
        self.assert_refused(forward(model, folder / "inputs.safetensors", folder / "o.safetensors"), "config.json")

    def test_missing_input(self):
        import torch
        from safetensors.torch import save_file
        folder, _, _ = prepared("project")
        save_file({"sample": torch.zeros(1, 4, 8, 8), "timestep": torch.tensor([1.0])}, str(folder / "partial.safetensors"))
        self.assert_refused(forward(folder / "unet", folder / "partial.safetensors", folder / "o.safetensors"),
                            "no tensor \"encoder_hidden_states\"")

    def test_sdxl_without_added_conditioning(self):
        import torch
        from safetensors.torch import save_file
        folder, _, _ = prepared("sdxl-small")
        save_file({"sample": torch.zeros(1, 4, 16, 16), "timestep": torch.tensor([1.0]), "encoder_hidden_states": torch.zeros(1, 3, 2048)},
                  str(folder / "plain.safetensors"))
        self.assert_refused(forward(folder / "unet", folder / "plain.safetensors", folder / "o.safetensors"),
                            "text_time", "text_embeds [B, 1280] and time_ids [B, 6]")

    def test_autoencoder_without_quant_conv(self):
        self.assert_config_refused("vae-small", dict(use_quant_conv=False), "tensors the config does not explain", "quant_conv")

    def test_unsupported_model_class(self):
        self.assert_config_refused("project", dict(_class_name="UNet2DModel"), "_class_name \"UNet2DModel\" is not supported", "AutoencoderKL")

    def test_odd_latent_size(self):
        import torch
        from safetensors.torch import save_file
        folder, _, _ = prepared("project")
        save_file({"sample": torch.zeros(1, 4, 7, 8), "timestep": torch.tensor([1.0]), "encoder_hidden_states": torch.zeros(1, 3, 64)},
                  str(folder / "odd.safetensors"))
        self.assert_refused(forward(folder / "unet", folder / "odd.safetensors", folder / "o.safetensors"), "multiples of 2")


if __name__ == "__main__":
    unittest.main()


class BinaryLookupTests(unittest.TestCase):
    """Where the parity runs find `lessons`, and a clear refusal, before any of diffusers' work,
    when there is none."""

    def python(self, code_or_module, cwd, environment):
        return subprocess.run([sys.executable, *code_or_module], capture_output=True, text=True, timeout=120, cwd=cwd, env=environment)

    @unittest.skipUnless(BINARY, NO_BINARY)
    def test_the_installed_package_finds_the_checkouts_binary(self):
        """Run from anywhere, the package installed in the checkout's .venv (scripts/setup) finds
        that checkout's .build/release/lessons (it once looked beside site-packages)."""
        environment = {key: value for key, value in os.environ.items() if key not in ("LESSONS", "PYTHONPATH")}
        checkout = Path(PYTHON_DIR).parent
        if Path(sys.prefix).resolve().parent != checkout.resolve():
            self.skipTest("the tests do not run in this checkout's .venv")
        with tempfile.TemporaryDirectory() as elsewhere:
            done = self.python(["-c", "import diffusers_parity.runner as r; print(r.__file__); print(r.lessons_binary())"], elsewhere, environment)
        self.assertEqual(done.returncode, 0, done.stderr)
        source, found = done.stdout.split()
        self.assertIn("site-packages", source, "the installed copy, not the source tree, was imported")
        self.assertEqual(Path(found).resolve(), (checkout / ".build" / "release" / "lessons").resolve())

    def test_a_missing_binary_is_refused_first(self):
        """Exit 4 with what is missing and how to build it, before diffusers builds a model (an
        SD 1.x run would otherwise spend half a minute before failing)."""
        import contextlib
        import io
        from unittest import mock
        from diffusers_parity.__main__ import main
        for command in (["run", "sd15"], ["bench", "sd15"], ["pipeline", "fashion"]):
            with self.subTest(command=command[0]):
                stderr = io.StringIO()
                began = AssertionError("diffusers' work began")
                with mock.patch.dict(os.environ, {"LESSONS": "/nonexistent/lessons"}), contextlib.redirect_stderr(stderr), \
                        mock.patch.object(runner, "prepare", side_effect=began), mock.patch.object(reference, "build", side_effect=began):
                    status = main(command)
                self.assertEqual(status, 4, stderr.getvalue())
                self.assertIn("error: LESSONS=/nonexistent/lessons is not an executable file", stderr.getvalue())
                self.assertIn("swift build -c release", stderr.getvalue())
