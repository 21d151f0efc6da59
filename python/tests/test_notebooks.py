"""Every lesson exported as Markdown and as a notebook in the kernel's language, from one run
of each (`lessons export NAME --format md,ipynb`): the Markdown is docs/lessons/ byte for byte
(so docs/lessons/ is the current export, and every check of every lesson passes), and each
notebook, executed by nbclient under the `lessons` kernel as "Restart and run all" does,
reproduces every code cell's outputs and execution count byte for byte. Every notebook's rows
equal the terminal's JSON (`lessons run NAME --json`), and the gaussian notebook itself runs in
the terminal (`lessons run gaussian.ipynb`) with the lesson's rows.

docs/lessons/ is written with two OpenBLAS threads and OpenBLAS's Zen kernels
(scripts/export-docs): other thread counts and kernels move the last digits of the Float32
model checks. Every process here runs with the same, so the export, the kernel's cells and the
terminal agree to the bit.

Takes two to four minutes: the export, nbclient and the terminal each run every lesson once,
two lessons at a time (the machine's two cores), and `lessons run gaussian.ipynb` the gaussian
lesson once more."""

import json
import os
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from _kernel_support import KERNEL_NAME, TestKernelSpec
from _support import LESSONS, ROOT

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError:  # pragma: no cover - the venv has them (scripts/setup)
    NotebookClient = None

LESSON_NAMES = ("elbo", "flow", "forward", "gaussian", "latent", "notes", "posterior", "samplers", "score", "swissroll")

DOCS = os.path.join(ROOT, "docs", "lessons")


def docs_environment():
    """The environment docs/lessons/ is written in (scripts/export-docs): two OpenBLAS threads,
    OpenBLAS's Zen kernels."""
    return {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OPENBLAS_CORETYPE": "ZEN"}


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def first_difference(old, new):
    """The first line where two texts differ, both versions."""
    a, b = old.split("\n"), new.split("\n")
    for index in range(max(len(a), len(b))):
        was = a[index] if index < len(a) else "(end)"
        now = b[index] if index < len(b) else "(end)"
        if was != now:
            return f"line {index + 1}: committed «{was}», now «{now}»"
    return "no difference"


def canonical(outputs):
    """The outputs as one string, keys sorted: equal strings are byte-equal outputs."""
    return json.dumps(outputs, sort_keys=True, ensure_ascii=False)


NO_NBCLIENT = "nbclient is not installed (scripts/setup installs it in .venv)"


@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class ExportedNotebookTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = TestKernelSpec()
        cls.folder = tempfile.TemporaryDirectory()

        def export(name):
            return name, subprocess.run([LESSONS, "export", name, "--format", "md,ipynb", "--out", cls.folder.name],
                                        capture_output=True, text=True, timeout=1200, env=docs_environment())
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, done in pool.map(export, LESSON_NAMES):
                if done.returncode != 0:
                    raise AssertionError(f"lessons export {name} --format md,ipynb (a check failed, or the lesson is malformed): "
                                         f"exit {done.returncode}: {done.stderr[-2000:]}")

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
        for extension in (".ipynb", ".md"):
            self.assertEqual(sorted(f[:-len(extension)] for f in os.listdir(self.folder.name) if f.endswith(extension)),
                             sorted(LESSON_NAMES))

    def test_docs_lessons_is_the_current_export(self):
        """docs/lessons/ holds one Markdown export per lesson, each equal to a fresh one byte for
        byte, and every figure the exports link (its pixels depend on the fonts installed, so
        only its presence is compared)."""
        committed = sorted(f for f in os.listdir(DOCS) if f.endswith(".md"))
        self.assertEqual(committed, sorted(f"{name}.md" for name in LESSON_NAMES),
                         "docs/lessons/ must hold one export per lesson: run scripts/export-docs")
        for name in LESSON_NAMES:
            with self.subTest(lesson=name):
                with open(os.path.join(self.folder.name, name + ".md"), "rb") as file:
                    fresh = file.read().decode("utf-8")
                with open(os.path.join(DOCS, name + ".md"), "rb") as file:
                    old = file.read().decode("utf-8")
                self.assertTrue(fresh)
                # assertTrue: the message names the first differing line, not a diff of the whole file.
                self.assertTrue(fresh == old, f"docs/lessons/{name}.md is stale (run scripts/export-docs): {first_difference(old, fresh)}")
        figures = os.listdir(os.path.join(self.folder.name, "figures"))
        self.assertTrue(figures, "the exports link no figure")
        for figure in figures:
            with self.subTest(figure=figure):
                path = os.path.join(DOCS, "figures", figure)
                self.assertTrue(os.path.isfile(path), f"docs/lessons/figures/{figure} is missing: run scripts/export-docs")
                with open(path, "rb") as file:
                    self.assertEqual(file.read(4), b"\x89PNG", f"docs/lessons/figures/{figure} is not a PNG")

    @unittest.skipIf(NotebookClient is None, NO_NBCLIENT)
    def test_restart_and_run_all_reproduces_every_output(self):
        def rerun(name):
            notebook = nbformat.read(self.path(name), as_version=4)
            for cell in code_cells(notebook):
                cell.outputs, cell.execution_count = [], None
            NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=600).execute(env=docs_environment())
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
                done = subprocess.run([LESSONS, "run", name, "--json"], capture_output=True, text=True, timeout=1200,
                                      env=docs_environment())
                if done.returncode != 0:
                    raise AssertionError(f"lessons run {name} --json: exit {done.returncode}: {done.stderr[-2000:]}")
                return json.loads(done.stdout)["checks"]
            with ThreadPoolExecutor(max_workers=2) as pool:
                cls._terminals = dict(zip(LESSON_NAMES, pool.map(terminal, LESSON_NAMES)))
        return cls._terminals

    @unittest.skipIf(NotebookClient is None, NO_NBCLIENT)
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
        notebook = subprocess.run([LESSONS, "run", self.path("gaussian"), "--json"], capture_output=True, text=True, timeout=300,
                                  env=docs_environment())
        self.assertEqual(notebook.returncode, 0, notebook.stderr)
        rows = [c["rows"] for c in json.loads(notebook.stdout)["checks"]]
        self.assertTrue(rows)
        self.assertEqual(rows, [c["rows"] for c in self.terminals()["gaussian"]])

if __name__ == "__main__":
    unittest.main()
