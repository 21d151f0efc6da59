"""Every lesson exported as a notebook in the kernel's language (`lessons export all --format
ipynb`) and executed by nbclient under the `lessons` kernel, as "Restart and run all" does:
each code cell's outputs and execution count equal the exported ones byte for byte, and every
notebook's rows equal the terminal's JSON (`lessons run NAME --json`). The gaussian notebook
itself runs in the terminal (`lessons run gaussian.ipynb`) with the lesson's rows.

Takes two to four minutes: the export, nbclient and the terminal each run every lesson
once, two lessons at a time (the machine's two cores), and `lessons run gaussian.ipynb` the
gaussian lesson once more."""

import json
import os
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from _kernel_support import KERNEL_NAME, TestKernelSpec
from _support import LESSONS

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError:  # pragma: no cover - the venv has them (scripts/setup)
    NotebookClient = None

LESSON_NAMES = ("elbo", "flow", "forward", "gaussian", "latent", "notes", "posterior", "samplers", "score", "swissroll")


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def canonical(outputs):
    """The outputs as one string, keys sorted: equal strings are byte-equal outputs."""
    return json.dumps(outputs, sort_keys=True, ensure_ascii=False)


@unittest.skipIf(NotebookClient is None, "nbclient is not installed (scripts/setup installs it in .venv)")
@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class ExportedNotebookTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = TestKernelSpec()
        cls.folder = tempfile.TemporaryDirectory()

        def export(name):
            return name, subprocess.run([LESSONS, "export", name, "--format", "ipynb", "--out", cls.folder.name],
                                        capture_output=True, text=True, timeout=1200)
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, done in pool.map(export, LESSON_NAMES):
                if done.returncode != 0:
                    raise AssertionError(f"lessons export {name} --format ipynb: exit {done.returncode}: {done.stderr[-2000:]}")

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()
        cls.spec.close()

    def path(self, name):
        return os.path.join(self.folder.name, name + ".ipynb")

    def test_every_lesson_was_exported(self):
        listed = subprocess.run([LESSONS, "list"], capture_output=True, text=True, timeout=60).stdout
        lessons = sorted(line.split()[0] for line in listed.splitlines() if line and not line.startswith(" "))
        self.assertEqual(lessons, sorted(LESSON_NAMES), "LESSON_NAMES is every lesson `lessons list` names")
        self.assertEqual(sorted(f[:-len(".ipynb")] for f in os.listdir(self.folder.name)), sorted(LESSON_NAMES))

    def test_restart_and_run_all_reproduces_every_output(self):
        def rerun(name):
            notebook = nbformat.read(self.path(name), as_version=4)
            for cell in code_cells(notebook):
                cell.outputs, cell.execution_count = [], None
            NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=600).execute()
            return notebook
        with ThreadPoolExecutor(max_workers=2) as pool:
            reruns = dict(zip(LESSON_NAMES, pool.map(rerun, LESSON_NAMES)))
        for name in LESSON_NAMES:
            with self.subTest(lesson=name):
                exported = nbformat.read(self.path(name), as_version=4)
                self.assertEqual(exported.metadata.kernelspec.name, "lessons")
                before, after = code_cells(exported), code_cells(reruns[name])
                self.assertTrue(before, f"{name} has no code cells")
                self.assertEqual(len(before), len(after))
                for number, (old, new) in enumerate(zip(before, after), start=1):
                    self.assertTrue(old.outputs, f"{name} code cell {number} was exported without outputs")
                    self.assertEqual(new.execution_count, old.execution_count, f"{name} code cell {number}")
                    self.assertEqual(canonical(new.outputs), canonical(old.outputs), f"{name} code cell {number}: {old.source}")

    @classmethod
    def terminals(cls):
        """`lessons run NAME --json` of every lesson (its checks), run once for the tests that
        compare with the terminal, two lessons at a time."""
        if not hasattr(cls, "_terminals"):
            def terminal(name):
                done = subprocess.run([LESSONS, "run", name, "--json"], capture_output=True, text=True, timeout=1200)
                if done.returncode != 0:
                    raise AssertionError(f"lessons run {name} --json: exit {done.returncode}: {done.stderr[-2000:]}")
                return json.loads(done.stdout)["checks"]
            with ThreadPoolExecutor(max_workers=2) as pool:
                cls._terminals = dict(zip(LESSON_NAMES, pool.map(terminal, LESSON_NAMES)))
        return cls._terminals

    def test_rows_are_the_terminals(self):
        """Every notebook's rows (which the re-run above reproduces byte for byte) are the
        terminal's: `lessons run NAME --json` with the same (default) seed, check by check."""
        terminals = self.terminals()
        for name in LESSON_NAMES:
            with self.subTest(lesson=name):
                notebook = nbformat.read(self.path(name), as_version=4)
                outputs = [cell.outputs[0]["data"]["application/vnd.lessons.check+json"] for cell in code_cells(notebook)
                           if cell.outputs and "application/vnd.lessons.check+json" in cell.outputs[0].get("data", {})]
                self.assertTrue(outputs, f"{name} has no check cells")
                self.assertEqual([o["id"] for o in outputs], [c["id"] for c in terminals[name]])
                for exported, check in zip(outputs, terminals[name]):
                    self.assertEqual(exported["rows"], check["rows"], f"{name}: {check['id']}")
                    self.assertEqual(exported["pass"], check["pass"])

    def test_a_notebook_runs_in_the_terminal(self):
        """`lessons run FILE.ipynb` reads the exported notebook as a lesson: its rows are the
        lesson's (`lessons run gaussian --json`, the terminal's run above)."""
        notebook = subprocess.run([LESSONS, "run", self.path("gaussian"), "--json"], capture_output=True, text=True, timeout=300)
        self.assertEqual(notebook.returncode, 0, notebook.stderr)
        rows = [c["rows"] for c in json.loads(notebook.stdout)["checks"]]
        self.assertTrue(rows)
        self.assertEqual(rows, [c["rows"] for c in self.terminals()["gaussian"]])

if __name__ == "__main__":
    unittest.main()
