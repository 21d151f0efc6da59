"""The `lessons` Jupyter kernel (an ipykernel wrapper kernel)."""
import json
import os
import re
import subprocess
import tempfile
import time

from ipykernel.kernelbase import Kernel

from . import __version__, binary
from .catalogue import Catalogue
from .language import Language

# How long past the longest time limit a cell may set the kernel waits for the binary, which
# stops a cell at its limit itself (exit 124), before it stops the binary.
BACKSTOP_SECONDS = 30


class CellError(ValueError):
    """A cell that cannot run: the message says what was wrong and what is accepted."""


class TimeLimit(Exception):
    """A cell stopped at its time limit: the message says after how long and how to go on."""


class LessonsKernel(Kernel):
    implementation = "lessons_kernel"
    implementation_version = __version__
    language = "lessons"
    language_version = "1"
    language_info = {
        "name": "lessons",
        "mimetype": "text/x-lessons-cell",
        "file_extension": ".md",
        "codemirror_mode": "yaml",
        "pygments_lexer": "yaml",
    }
    banner = "lessons: cells are `check ID` with YAML parameters, `plot NAME`, or calc / verify / run / checks; %seed N sets the seed, %stream K a check's random stream"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The state between cells, as the binary reports it after each cell; None until then
        # (the binary's defaults: the terminal's seed, the checks' sizes, its time limit).
        self.seed = None
        self.timeout = None
        self.samples = None
        self._catalogue = None
        self._language = None

    @property
    def catalogue(self):
        if self._catalogue is None:
            self._catalogue = Catalogue.load()
        return self._catalogue

    @property
    def language(self):
        if self._language is None:
            self._language = Language.load()
        return self._language

    # MARK: execution

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, *, cell_meta=None, cell_id=None):
        """The binary reads and runs the cell (`lessons kernel cell`, the grammar `lessons run
        NOTEBOOK.ipynb` reads too); the kernel keeps the state between cells (seed, sample size,
        time limit), sends the outputs, and runs a command cell's words."""
        started = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(prefix="lessons-cell-") as folder:
                arguments = ["kernel", "cell", "--out", "cell.ipynb"]
                if self.seed is not None:
                    arguments += ["--seed", str(self.seed)]
                if self.timeout is not None:
                    arguments += ["--timeout", f"{self.timeout:g}"]
                if self.samples:
                    arguments += ["--samples", str(self.samples)]
                backstop = self.language.timeout_range[1] + BACKSTOP_SECONDS
                try:
                    status, out, err = binary.run(arguments, timeout=backstop, cwd=folder, input=code)
                except KeyboardInterrupt as interrupt:
                    self._update(getattr(interrupt, "stdout", ""))
                    raise
                except subprocess.TimeoutExpired as expired:
                    raise TimeLimit(f"the lessons binary did not stop the cell at its time limit and was stopped after {expired.timeout:g} s")
                state = self._update(out)
                if status == 124:  # the binary's message says what the limit was and how to raise it
                    raise TimeLimit(err.strip().removeprefix("error: "))
                if status not in (0, 1) or state is None:
                    message = err.strip().removeprefix("error: ")
                    raise CellError(message or f"the lessons binary failed (exit {status}) without a message")
                if state["kind"] in ("check", "plot"):
                    self._send_cell(os.path.join(folder, "cell.ipynb"), silent)
                elif state["kind"] == "command":
                    self._run_line(state["arguments"], silent)
                elif not silent and set(state["magics"]) & {"seed", "timeout", "samples"}:
                    samples = f", every sample size {self.samples:,}" if self.samples else ""
                    self._text(f"seed {self.seed}, time limit {self.timeout:g} s{samples} for the following cells")
        except CellError as error:
            return self._error("CellError", str(error))
        except binary.BinaryMissing as error:
            return self._error("BinaryMissing", str(error))
        except binary.BinaryFailed as error:
            return self._error("BinaryFailed", str(error))
        except TimeLimit as error:
            return self._error("TimeLimit", str(error))
        except KeyboardInterrupt:
            return self._error("Interrupted", f"interrupted after {time.monotonic() - started:.1f} s; the cell's process was stopped")
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def _update(self, out):
        """The state after the cell's magics, from the binary's first line of output (None when
        the cell was refused before it): {"seed", "samples", "timeout", "magics", "kind", …}."""
        first = (out or "").split("\n", 1)[0]
        try:
            state = json.loads(first)
        except ValueError:
            return None
        self.seed, self.samples, self.timeout = state["seed"], state["samples"], state["timeout"]
        return state

    def _send_cell(self, notebook, silent):
        """A check or plot cell's outputs: the one-cell notebook the binary wrote, whose outputs
        are those `lessons export --format ipynb` writes, sent as they are."""
        with open(notebook, encoding="utf-8") as file:
            output = next(c for c in json.load(file)["cells"] if c["cell_type"] == "code")["outputs"][0]
        data = {kind: "".join(value) if isinstance(value, list) else value for kind, value in output["data"].items()}
        check = data.get("application/vnd.lessons.check+json", {})
        if check.get("error"):
            raise CellError(f"{check.get('id')} could not be computed: {check['error']}")
        if silent:
            return
        if output["output_type"] == "execute_result":
            self.send_response(self.iopub_socket, "execute_result",
                               {"execution_count": self.execution_count, "data": data, "metadata": output["metadata"]})
        else:
            self.send_response(self.iopub_socket, "display_data", {"data": data, "metadata": output["metadata"]})

    def _run_line(self, arguments, silent):
        """A command cell's words, run as a second process that the kernel stops at the time limit."""
        try:
            status, out, err = binary.run(arguments + (["--seed", str(self.seed)] if self._takes_seed(arguments) else []),
                                          timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise TimeLimit(self.language.time_limit_message(self.timeout))
        if status not in (0, 1):
            raise CellError(err.strip().removeprefix("Error: ").removeprefix("error: ") or f"exit status {status}")
        if not silent:
            self._text(out + (err if status == 1 else ""))

    @staticmethod
    def _takes_seed(arguments):
        return arguments[0] == "run" and "--seed" not in arguments

    def _text(self, text):
        self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": text})

    def _error(self, name, message):
        self.send_response(self.iopub_socket, "error", {"ename": name, "evalue": message, "traceback": [f"{name}: {message}"]})
        return {"status": "error", "execution_count": self.execution_count, "ename": name, "evalue": message, "traceback": [f"{name}: {message}"]}

    # MARK: completion and inspection

    def _context(self, code, cursor_pos):
        """The check id of the cell (if it is a check cell) and the word before the cursor."""
        before = code[:cursor_pos]
        lines = before.split("\n")
        head = next((line.strip() for line in code.split("\n") if line.strip() and not line.strip().startswith("%")), "")
        check_id = head[len("check"):].strip() if head.startswith("check ") else None
        word = re.search(r"[\w.\-]*$", lines[-1]).group(0)
        return check_id, lines, word

    def do_complete(self, code, cursor_pos):
        check_id, lines, word = self._context(code, cursor_pos)
        try:
            matches = self._completions(check_id, lines, word)
        except (binary.BinaryMissing, binary.BinaryFailed):
            matches = []  # nothing to offer without the binary; running a cell says why
        return {"status": "ok", "matches": sorted(matches), "cursor_start": cursor_pos - len(word), "cursor_end": cursor_pos, "metadata": {}}

    def _completions(self, check_id, lines, word):
        current = lines[-1].lstrip()
        # Only magics and blank lines above: the cursor is on a magic or on the cell's first word.
        at_head = all(line.strip().startswith("%") or not line.strip() for line in lines[:-1])
        matches = []
        if at_head and current.startswith("%") and " " not in current:
            matches = [name + " " for name in self.language.magics if name.startswith(word)]
        elif at_head and current.startswith("check "):
            matches = [name for name in self.catalogue.checks if name.startswith(word)]
        elif at_head and current.startswith("plot "):
            matches = [name for name in self.language.figures if name.startswith(word)]
        elif check_id and not at_head and ":" not in current and not current.startswith("%"):
            matches = [name + ": " for name in self.catalogue.parameter_names(check_id) if name.startswith(word)]
        elif at_head and " " not in current:
            heads = ["check ", "plot "] + [command + " " for command in self.language.commands]
            matches = [name for name in heads if name.startswith(word)]
        return matches

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        check_id, lines, word = self._context(code, cursor_pos)
        # The id under the cursor (a whole word around it), else the cell's check.
        around = re.search(r"[\w.\-]*$", code[:cursor_pos]).group(0) + re.match(r"[\w.\-]*", code[cursor_pos:]).group(0)
        try:
            checks = self.catalogue.checks
        except (binary.BinaryMissing, binary.BinaryFailed):
            checks = {}  # nothing to show without the binary; running a cell says why
        name = around if around in checks else check_id
        if name not in checks:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": self.catalogue.describe(name)}, "metadata": {}}
