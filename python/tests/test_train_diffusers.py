"""scripts/train-diffusers.py: the latent model trained with diffusers and accelerate on two
CPU processes (gloo), and the folder it writes read back by Swift.

A few steps only: what is tested is the round trip and the distributed run (both processes
end with the same weights, so their gradients were averaged), not the quality, which the
committed model's figures in docs/latent-model.md describe.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

from diffusers_parity import runner  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

SCRIPT = Path(PYTHON_DIR).parent / "scripts" / "train-diffusers.py"
ACCELERATE = Path(sys.executable).parent / "accelerate"


def lessons(*arguments):
    return subprocess.run([runner.lessons_binary(), *map(str, arguments)], capture_output=True, text=True)


class TrainDiffusersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = Path(tempfile.mkdtemp(prefix="train-diffusers-"))
        cls.init = cls.scratch / "fashion"
        done = lessons("export-model", "--format", "diffusers", "--out", cls.init)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def train(self, out, *extra):
        command = [str(ACCELERATE), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision", "no",
                   "--dynamo_backend", "no", str(SCRIPT), "--init", str(self.init), "--out", str(out), *extra]
        environment = dict(os.environ, OMP_NUM_THREADS="1")
        return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)

    def test_two_processes_train_and_swift_reads_the_result(self):
        out = self.scratch / "trained"
        done = self.train(out, "--examples", "128", "--steps", "3", "--batch", "8", "--ema", "0")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("2 process(es) (DistributedType.MULTI_CPU)", done.stdout)
        # Found anywhere in the output: the two processes share one stdout.
        found = dict(re.findall(r"process (\d+): weight checksum (-?\d\.\d+e[+-]\d+)", done.stdout))
        self.assertEqual(sorted(found), ["0", "1"], done.stdout)
        checksums = [found["0"], found["1"]]
        self.assertEqual(checksums[0], checksums[1], "the processes ended with different weights: gradients were not averaged")
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["scheduler", "text_encoder", "unet", "vae"])
        before = load_file(str(self.init / "unet" / "diffusion_pytorch_model.safetensors"))
        after = load_file(str(out / "unet" / "diffusion_pytorch_model.safetensors"))
        self.assertEqual(sorted(before), sorted(after))
        self.assertGreater(max(abs(after[k] - before[k]).max() for k in before), 0, "three Adam steps left every weight as it was")

        images = self.scratch / "images.npy"
        generated = lessons("generate", "sneaker", "--n", "2", "--steps", "3", "--model", out, "--out", images)
        self.assertEqual(generated.returncode, 0, generated.stderr)
        evaluated = lessons("eval", "latent", "--model", out, "--per-class", "1", "--steps", "2", "--test-images", "100", "--json")
        self.assertEqual(evaluated.returncode, 0, evaluated.stderr)
        self.assertIn("conditionalAccuracy", evaluated.stdout)
        verified = lessons("verify", "--config", out / "scheduler" / "scheduler_config.json")
        self.assertEqual(verified.returncode, 0, verified.stderr)
        self.assertIn("scaled_linear(0.00085, 0.012)", verified.stdout)

    def test_bad_input(self):
        existing = self.scratch / "exists"
        existing.mkdir()
        done = subprocess.run([sys.executable, str(SCRIPT), "--init", str(self.scratch), "--out", str(existing)], capture_output=True, text=True)
        self.assertEqual(done.returncode, 2)
        self.assertIn("has no unet/config.json", done.stderr)
        self.assertIn("exists; choose a new folder", done.stderr)
        self.assertEqual(list(existing.iterdir()), [])


if __name__ == "__main__":
    unittest.main()
