"""The `lessons` Jupyter kernel, driven by a real client (jupyter_client): a check cell's
outputs against the terminal's JSON, parameters and seeds, errors that leave the kernel
alive, completion, inspection, an interrupt, a time limit and a restart.

The kernel runs from this source tree (`_kernel_support`); the tests skip, saying why, when
jupyter_client or the binary is missing."""

import base64
import json
import os
import subprocess
import tempfile
import time
import unittest

from _kernel_support import KERNEL_NAME, TestKernelSpec
from _support import LESSONS, PYTHON_DIR

try:
    from jupyter_client.manager import start_new_kernel
except ImportError:  # pragma: no cover - the venv has it (scripts/setup)
    start_new_kernel = None

LESSON = "---\ntitle: c\nsummary: c\n---\n\n# c\n\n```check {id}\n{parameters}```\n"


def terminal_rows(check_id, parameters="", seed=0):
    """The rows `lessons run FILE --json --seed S` prints for a one-cell lesson."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.md")
        with open(path, "w", encoding="utf-8") as file:
            file.write(LESSON.format(id=check_id, parameters=parameters))
        done = subprocess.run([LESSONS, "run", path, "--json", "--seed", str(seed)], capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)["checks"][0]["rows"]


@unittest.skipIf(start_new_kernel is None, "jupyter_client is not installed (scripts/setup installs it in .venv)")
@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class KernelTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = TestKernelSpec()
        cls.manager, cls.client = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.client.stop_channels()
        cls.manager.shutdown_kernel(now=True)
        cls.spec.close()

    def run_cell(self, code, timeout=120, interrupt_after=None):
        """(reply content, [iopub messages of this cell])."""
        message = self.client.execute(code)
        if interrupt_after is not None:
            time.sleep(interrupt_after)
            self.manager.interrupt_kernel()
        outputs = []
        while True:
            reply = self.client.get_iopub_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") != message:
                continue
            if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                break
            if reply["msg_type"] in ("execute_result", "display_data", "stream", "error"):
                outputs.append(reply)
        return self.client.get_shell_msg(timeout=timeout)["content"], outputs

    def result(self, code):
        reply, outputs = self.run_cell(code)
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        results = [o for o in outputs if o["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, outputs)
        return results[0]["content"]["data"]

    def error(self, code):
        reply, _ = self.run_cell(code)
        self.assertEqual(reply["status"], "error", reply)
        return reply["ename"], reply["evalue"]

    def test_check_cell_matches_the_terminal(self):
        self.run_cell("%seed 0")
        data = self.result("check gaussian.sum\nmean1: 2\nsamples: 20000")
        for kind in ("text/plain", "text/html", "text/markdown", "application/vnd.lessons.check+json"):
            self.assertIn(kind, data)
        rows = data["application/vnd.lessons.check+json"]["rows"]
        self.assertTrue(rows)
        self.assertEqual(rows, terminal_rows("gaussian.sum", "mean1: 2\nsamples: 20000\n", seed=0))
        self.assertIn("<table>", data["text/html"])
        self.assertIn("| quantity |", data["text/markdown"])
        self.assertEqual(data["application/vnd.lessons.check+json"]["parameters"], "mean1: 2\nsamples: 20000")
        self.assertEqual((data["application/vnd.lessons.check+json"]["seed"], data["application/vnd.lessons.check+json"]["stream"]), (0, 0))

    def test_stream_gives_the_lessons_numbers(self):
        """`%stream K` above a check copied out of a lesson gives the lesson's table: here the
        gaussian lesson's fourth check (stream 3), against `lessons run gaussian --json --cell 4`
        (a cell alone, with the numbers of the whole run: the gaussian lesson has no plot cells,
        so its fourth cell is its fourth check)."""
        done = subprocess.run([LESSONS, "run", "gaussian", "--json", "--seed", "5", "--cell", "4"], capture_output=True, text=True, timeout=300)
        checks = json.loads(done.stdout)["checks"]
        self.assertEqual(len(checks), 1)
        fourth = checks[0]
        with open(os.path.join(os.path.dirname(PYTHON_DIR), "Lessons", "gaussian.md"), encoding="utf-8") as file:
            source = file.read()
        fence = source.split("```check " + fourth["id"] + "\n", 1)[1].split("```", 1)[0]
        self.run_cell("%seed 5")
        data = self.result("%stream 3\ncheck " + fourth["id"] + "\n" + fence)
        self.assertTrue(fourth["rows"])
        self.assertEqual(data["application/vnd.lessons.check+json"]["rows"], fourth["rows"])
        self.assertNotEqual(self.result("check " + fourth["id"] + "\n" + fence)["application/vnd.lessons.check+json"]["rows"], fourth["rows"])
        name, message = self.error("%stream 2\nplot schedules-alphabar")
        self.assertIn("check cell", message)
        self.run_cell("%seed 1")

    def test_samples_magic(self):
        self.run_cell("%samples 1000")
        data = self.result("check gaussian.sum")["application/vnd.lessons.check+json"]
        self.assertEqual(data["samples"], 1000)
        self.assertTrue(all(r["monteCarlo"]["n"] == 1000 for r in data["rows"] if r.get("monteCarlo")))
        self.assertTrue(any(r.get("monteCarlo") for r in data["rows"]))
        name, message = self.error("%samples 20000000")
        self.assertIn("500…10000000", message)
        self.run_cell("%samples default")
        self.assertNotIn("samples", self.result("check gaussian.sum\nsamples: 2000")["application/vnd.lessons.check+json"])

    def test_editing_a_parameter_changes_the_table(self):
        first = self.result("check forward.closed-form\nt: [2, 10]")["application/vnd.lessons.check+json"]["rows"]
        second = self.result("check forward.closed-form\nt: [3]")["application/vnd.lessons.check+json"]["rows"]
        self.assertTrue(first and second)
        self.assertNotEqual([r["quantity"] for r in first], [r["quantity"] for r in second])
        self.assertTrue(all("x₃" in r["quantity"] for r in second), [r["quantity"] for r in second])

    def test_seed(self):
        cell = "check gaussian.sum\nsamples: 5000"
        self.run_cell("%seed 3")
        a = self.result(cell)["application/vnd.lessons.check+json"]["rows"]
        b = self.result(cell)["application/vnd.lessons.check+json"]["rows"]
        self.run_cell("%seed 4")
        c = self.result(cell)["application/vnd.lessons.check+json"]["rows"]
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertEqual(a, terminal_rows("gaussian.sum", "samples: 5000\n", seed=3))

    def test_errors_say_what_is_accepted_and_the_kernel_lives(self):
        name, message = self.error("check gausian.sum")
        self.assertIn("did you mean gaussian.sum", message)
        name, message = self.error("check gaussian.sum\nmean1: 1\nsamples: [1\n")
        self.assertIn("line 3", message)
        self.assertIn("not valid YAML", message)
        name, message = self.error("check gaussian.sum\nsamples: 100")
        self.assertIn("line 2", message)
        self.assertIn("500…100000000", message)
        name, message = self.error("check gaussian.sum\nsamples: 50000000")
        self.assertIn("cap", message)
        name, message = self.error("check gaussian.sum\nmeans: 1")
        self.assertIn("unknown parameter 'means'", message)
        self.assertIn("mean1", message)
        name, message = self.error("train toy swissroll")
        self.assertIn("accepted", message)
        name, message = self.error("%seed -1")
        self.assertIn("whole number", message)
        self.assertTrue(self.result("check gaussian.sum\nsamples: 1000")["application/vnd.lessons.check+json"]["rows"])

    def test_plot_cell(self):
        reply, outputs = self.run_cell("plot schedules-alphabar")
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        images = [o for o in outputs if o["msg_type"] == "display_data"]
        self.assertEqual(len(images), 1)
        png = base64.b64decode(images[0]["content"]["data"]["image/png"])
        self.assertEqual(png[:4], b"\x89PNG")
        self.assertTrue(images[0]["content"]["data"]["image/svg+xml"].startswith("<svg"))
        name, message = self.error("plot no-such-figure")
        self.assertIn("unknown figure 'no-such-figure'", message)
        self.assertIn("schedules-alphabar", message)
        name, message = self.error("plot schedules-alphabar\nt: 3")
        self.assertIn("takes no parameters", message)

    def test_line_commands(self):
        reply, outputs = self.run_cell("checks notes.kl-weight")
        self.assertEqual(reply["status"], "ok")
        text = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
        self.assertIn("read-as-1e-6", text)

    def test_completion(self):
        self.client.complete("check gaussian.s", 16)
        reply = self.client.get_shell_msg(timeout=30)["content"]
        self.assertIn("gaussian.sum", reply["matches"])
        self.assertEqual(reply["cursor_start"], 6)
        code = "check gaussian.sum\nvar"
        self.client.complete(code, len(code))
        reply = self.client.get_shell_msg(timeout=30)["content"]
        self.assertEqual(reply["matches"], ["variance1: ", "variance2: "])

    def test_completion_of_magics_and_commands(self):
        """The first word and the magics come from the binary's grammar (`lessons kernel language`)."""
        language = json.loads(subprocess.run([LESSONS, "kernel", "language"], capture_output=True, text=True, timeout=60).stdout)
        cases = [
            ("%ti", ["timeout "], 2),
            ("%seed 3\n%s", ["samples ", "seed ", "stream "], 1),
            ("%", sorted(name + " " for name in language["magics"]), 0),
            ("%timeout 30\n\nve", ["verify "], 2),
            ("", sorted(["check ", "plot "] + [command + " " for command in language["commands"]]), 0),
            ("p", ["plot "], 1),
            ("plot schedules-a", ["schedules-alphabar"], len("schedules-a")),
            ("%seed 2\nplot ", sorted(language["figures"]), 0),
            ("check gaussian.sum\nmean1: 1\n%s", [], 1),  # a parameter line, not a magic
        ]
        for code, expected, typed in cases:
            with self.subTest(code=code):
                self.client.complete(code, len(code))
                reply = self.client.get_shell_msg(timeout=30)["content"]
                self.assertEqual(reply["matches"], expected)
                self.assertEqual(reply["cursor_start"], len(code) - typed)
        self.assertEqual(len(language["commands"]), 4)
        self.assertIn("schedules-alphabar", language["figures"])

    def test_inspection(self):
        self.client.inspect("check gaussian.sum\n", 10)
        reply = self.client.get_shell_msg(timeout=30)["content"]
        self.assertTrue(reply["found"])
        text = reply["data"]["text/plain"]
        for part in ("gaussian.sum", "variance1", "sd-added"):
            self.assertIn(part, text)

    def test_interrupt_and_time_limit(self):
        started = time.monotonic()
        reply, _ = self.run_cell("check toy.pretrained\nsamples: 100000", interrupt_after=1.5)
        self.assertEqual(reply["status"], "error", reply)
        self.assertEqual(reply["ename"], "Interrupted")
        self.assertLess(time.monotonic() - started, 20)
        self.run_cell("%timeout 1")
        reply, _ = self.run_cell("check toy.pretrained\nsamples: 100000")
        self.assertEqual(reply["ename"], "TimeLimit", reply)
        longest = json.loads(subprocess.run([LESSONS, "kernel", "language"], capture_output=True, text=True, timeout=60).stdout)["timeoutRange"][1]
        message = f"the cell ran longer than 1 s and was stopped; use fewer samples, or raise the limit with %timeout SECONDS (at most {longest:g})"
        self.assertEqual(reply["evalue"], message)
        # A command cell, which the kernel itself stops, is told the same.
        reply, _ = self.run_cell("run notes --quiet")
        self.assertEqual((reply["ename"], reply["evalue"]), ("TimeLimit", message), reply)
        self.run_cell("%timeout 120")
        self.assertTrue(self.result("check gaussian.sum\nsamples: 1000")["application/vnd.lessons.check+json"]["rows"])

    def test_restart(self):
        self.run_cell("%seed 9")
        self.manager.restart_kernel(now=True)
        self.client.wait_for_ready(timeout=60)
        rows = self.result("check gaussian.sum\nsamples: 5000")["application/vnd.lessons.check+json"]["rows"]
        self.assertEqual(rows, terminal_rows("gaussian.sum", "samples: 5000\n", seed=1))  # the terminal's default seed



@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class BinaryEnvironmentTests(unittest.TestCase):
    """The kernel's processes get the OpenBLAS family the binary chose, asked once."""

    def setUp(self):
        from lessons_kernel import binary
        self.binary = binary
        binary._chosen_kernels.clear()
        self.saved = os.environ.pop("OPENBLAS_CORETYPE", None)

    def tearDown(self):
        self.binary._chosen_kernels.clear()
        if self.saved is not None:
            os.environ["OPENBLAS_CORETYPE"] = self.saved

    def test_the_binarys_choice_is_passed_on(self):
        environment = {key: value for key, value in os.environ.items() if key != "LESSONS_OPENBLAS_FALLBACK"}
        chosen = subprocess.run([LESSONS, "doctor", "--openblas-coretype"], capture_output=True, text=True, timeout=60,
                                env=environment).stdout.strip()
        passed = self.binary.environment(LESSONS)
        self.assertEqual(passed.get("OPENBLAS_CORETYPE"), chosen or None)
        self.assertEqual(passed["NO_COLOR"], "1")

    def test_a_users_own_choice_is_kept(self):
        os.environ["OPENBLAS_CORETYPE"] = "HASWELL"
        try:
            self.assertEqual(self.binary.environment(LESSONS)["OPENBLAS_CORETYPE"], "HASWELL")
        finally:
            del os.environ["OPENBLAS_CORETYPE"]


@unittest.skipIf(start_new_kernel is None, "jupyter_client is not installed (scripts/setup installs it in .venv)")
@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class ShutdownTests(unittest.TestCase):
    """A kernel asked to end, as nbclient asks after a notebook and JupyterLab at a restart,
    ends at once: ipykernel's control thread used to wait for an IOPub thread the exit had
    already stopped, until Jupyter terminated the kernel 2.5 s later (11 of 12 such runs before
    `LessonsKernelApp`, none of 24 after)."""

    def test_a_kernel_ends_when_asked(self):
        from nbclient import NotebookClient
        import nbformat
        spec = TestKernelSpec()
        try:
            for attempt in range(5):
                notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("check gaussian.sum\nsamples: 1000")])
                client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=60)
                with client.setup_kernel():
                    client.execute_cell(notebook.cells[0], 0)
                    asked = time.monotonic()
                ended = time.monotonic() - asked
                self.assertTrue(notebook.cells[0].outputs, "the cell ran")
                self.assertLess(ended, 1.5, f"attempt {attempt + 1}: the kernel took {ended:.2f} s to end")
        finally:
            spec.close()

    def test_the_control_thread_ends_before_the_exit(self):
        from unittest import mock
        from ipykernel.kernelapp import IPKernelApp
        from lessons_kernel.app import LessonsKernelApp
        events = []

        class Control:
            alive = True
            def is_alive(self):
                return self.alive
            def stop(self):
                events.append("stop")
            def join(self, timeout=None):
                events.append("join")
                self.alive = False

        app = LessonsKernelApp()
        app.control_thread = Control()
        with mock.patch.object(IPKernelApp, "start", lambda self: events.append("loop ended")):
            app.start()
        self.assertEqual(events, ["loop ended", "stop", "join"])
        self.assertFalse(app.control_thread.is_alive())


@unittest.skipIf(start_new_kernel is None, "jupyter_client is not installed (scripts/setup installs it in .venv)")
class MissingBinaryTests(unittest.TestCase):
    """Without its binary the kernel still answers: no completion, no inspection, and a cell
    that says what is missing and how to fix it."""

    def test_a_kernel_without_its_binary(self):
        spec = TestKernelSpec(binary="/nonexistent/lessons")
        manager, client = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
        try:
            client.complete("c", 1)
            reply = client.get_shell_msg(timeout=30)["content"]
            self.assertEqual((reply["status"], reply["matches"]), ("ok", []))
            client.inspect("check gaussian.sum", 10)
            reply = client.get_shell_msg(timeout=30)["content"]
            self.assertEqual((reply["status"], reply["found"]), ("ok", False))
            client.execute("check gaussian.sum")
            reply = client.get_shell_msg(timeout=30)["content"]
            self.assertEqual((reply["status"], reply["ename"]), ("error", "BinaryMissing"), reply)
            self.assertIn("LESSONS_BINARY=/nonexistent/lessons is not an executable file", reply["evalue"])
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            spec.close()


@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class LanguageTests(unittest.TestCase):
    """The grammar's facts come from the binary; a binary that cannot give them is named."""

    def load(self, binary_path):
        from lessons_kernel import binary, language
        saved = os.environ.get("LESSONS_BINARY")
        os.environ["LESSONS_BINARY"] = binary_path
        try:
            return language.Language.load()
        finally:
            if saved is None:
                del os.environ["LESSONS_BINARY"]
            else:
                os.environ["LESSONS_BINARY"] = saved

    def test_the_binarys_grammar(self):
        described = json.loads(subprocess.run([LESSONS, "kernel", "language"], capture_output=True, text=True, timeout=60).stdout)
        loaded = self.load(LESSONS)
        self.assertEqual(loaded.commands, described["commands"])
        self.assertEqual(loaded.figures, described["figures"])
        self.assertEqual(loaded.magics, described["magics"])
        self.assertEqual(loaded.timeout_range, (1, 3600))
        self.assertEqual(tuple(described["timeoutRange"]), loaded.timeout_range)
        self.assertEqual(loaded.time_limit_message(2.5), "the cell ran longer than 2.5 s and was stopped; use fewer samples, "
                                                         "or raise the limit with %timeout SECONDS (at most 3600)")
        self.assertTrue(loaded.time_limit_message(30).startswith("the cell ran longer than 30 s"))

    def test_a_binary_that_cannot_answer(self):
        from lessons_kernel import binary
        with tempfile.TemporaryDirectory() as folder:
            fake = os.path.join(folder, "lessons")
            with open(fake, "w", encoding="utf-8") as file:
                file.write("#!/bin/sh\necho \"Error: Unexpected argument 'language'\" >&2\nexit 64\n")
            os.chmod(fake, 0o755)
            with self.assertRaises(binary.BinaryFailed) as caught:
                self.load(fake)
        self.assertIn("`lessons kernel language` failed (exit 64): Error: Unexpected argument 'language'", str(caught.exception))


class BenchTests(unittest.TestCase):
    """`python -m lessons_kernel.bench` without lessons to time says where it looked and what to do."""

    def test_no_lessons_is_a_usage_error(self):
        import contextlib
        import io
        from lessons_kernel import bench
        stderr = io.StringIO()
        with tempfile.TemporaryDirectory() as empty, contextlib.redirect_stderr(stderr), self.assertRaises(SystemExit) as stopped:
            bench.main(["--lessons-dir", empty])
        self.assertEqual(stopped.exception.code, 2)
        self.assertIn(f"no check cells in {empty}/*.md (run it from the project's root, or give --lessons-dir FOLDER)", stderr.getvalue())


if __name__ == "__main__":
    unittest.main()
