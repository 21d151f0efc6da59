"""The `lessons` Jupyter kernel (an ipykernel wrapper kernel)."""
import json
import os
import re
import subprocess
import tempfile
import time

import yaml
from ipykernel.kernelbase import Kernel

from . import __version__, binary
from .catalogue import Catalogue
from .cells import SAMPLE_CAP, CellError, CheckCell, LineCommand, PlotCell, lesson_file, parse

DEFAULT_TIMEOUT = 120.0
# The terminal's default seed (`lessons run` without --seed).
DEFAULT_SEED = 1


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
        self.seed = DEFAULT_SEED
        self.timeout = DEFAULT_TIMEOUT
        self.samples = None
        self._catalogue = None

    @property
    def catalogue(self):
        if self._catalogue is None:
            self._catalogue = Catalogue.load()
        return self._catalogue

    # MARK: execution

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, *, cell_meta=None, cell_id=None):
        started = time.monotonic()
        try:
            magics, what = parse(code)
            if magics.seed is not None:
                self.seed = magics.seed
            if magics.timeout is not None:
                self.timeout = magics.timeout
            if magics.samples is not None:
                self.samples = None if magics.samples == "default" else magics.samples
            if magics.stream is not None and not isinstance(what, CheckCell):
                raise CellError("%stream sets the random stream of a check cell: put it above `check ID`")
            if isinstance(what, (CheckCell, PlotCell)):
                self._run_cell(what, magics.stream or 0, silent)
            elif isinstance(what, LineCommand):
                self._run_line(what, silent)
            elif not silent and (magics.seed is not None or magics.timeout is not None or magics.samples is not None):
                samples = f", every sample size {self.samples:,}" if self.samples else ""
                self._text(f"seed {self.seed}, time limit {self.timeout:g} s{samples} for the following cells")
        except CellError as error:
            return self._error("CellError", str(error))
        except binary.BinaryMissing as error:
            return self._error("BinaryMissing", str(error))
        except subprocess.TimeoutExpired:
            return self._error("TimeLimit", f"the cell ran longer than {self.timeout:g} s and was stopped; "
                                            "use fewer samples, or raise the limit with %timeout SECONDS (at most 3600)")
        except KeyboardInterrupt:
            return self._error("Interrupted", f"interrupted after {time.monotonic() - started:.1f} s; the cell's process was stopped")
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def _run_cell(self, cell, stream, silent):
        """A check or plot cell: written as a one-cell lesson and exported as a one-cell
        notebook by the binary, whose outputs are sent as they are. `lessons export --format
        ipynb` writes the same outputs, so an exported notebook re-run here reproduces them."""
        if isinstance(cell, CheckCell):
            self._parameters(cell)
        text, offset = lesson_file(cell)
        arguments = ["export", "./cell.md", "--format", "ipynb", "--out", "out/cell.ipynb", "--seed", str(self.seed)]
        if isinstance(cell, CheckCell):
            arguments += ["--stream", str(stream)]
        if self.samples:
            arguments += ["--samples", str(self.samples)]
        with tempfile.TemporaryDirectory(prefix="lessons-cell-") as folder:
            with open(os.path.join(folder, "cell.md"), "w", encoding="utf-8") as file:
                file.write(text)
            status, _, err = binary.run(arguments, timeout=self.timeout, cwd=folder)
            notebook = os.path.join(folder, "out", "cell.ipynb")
            if status not in (0, 1) or not os.path.isfile(notebook):
                raise CellError(self._explain(err, offset, cell))
            with open(notebook, encoding="utf-8") as file:
                output = next(c for c in json.load(file)["cells"] if c["cell_type"] == "code")["outputs"][0]
        data = {kind: "".join(value) if isinstance(value, list) else value for kind, value in output["data"].items()}
        error = data.get("application/vnd.lessons.check+json", {}).get("error")
        if error:
            raise CellError(f"{cell.check_id} could not be computed: {error}")
        if silent:
            return
        if output["output_type"] == "execute_result":
            self.send_response(self.iopub_socket, "execute_result",
                               {"execution_count": self.execution_count, "data": data, "metadata": output["metadata"]})
        else:
            self.send_response(self.iopub_socket, "display_data", {"data": data, "metadata": output["metadata"]})

    def _parameters(self, cell):
        """The cell's YAML, parsed to report its errors at the cell's line and to refuse
        a sample size above the cap before any work."""
        if not cell.parameters.strip():
            return {}
        try:
            values = yaml.safe_load(cell.parameters)
        except yaml.YAMLError as error:
            # Where the construct that failed began (an unclosed "[" is reported at the end).
            mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
            where = f"line {cell.first_parameter_line + mark.line}" if mark else f"line {cell.first_parameter_line}"
            raise CellError(f"{where}: the parameters are not valid YAML ({getattr(error, 'problem', error)}); "
                            "write one `name: value` per line, e.g. `t: [2, 10]`")
        if values is None:
            return {}
        if not isinstance(values, dict):
            raise CellError(f"line {cell.first_parameter_line}: the parameters must be `name: value` lines, e.g. `t: [2, 10]`")
        samples = values.get("samples")
        if isinstance(samples, (int, float)) and samples > SAMPLE_CAP:
            raise CellError(f"samples: {samples} is above the kernel's cap of {SAMPLE_CAP:,}; "
                            "a notebook cell may draw at most that many (run larger studies with `lessons run` in a terminal)")
        return values

    def _explain(self, err, offset, cell):
        """The binary's message, with the temporary lesson's lines turned into the cell's."""
        message = err.strip().removeprefix("error: ")

        def cell_line(match):
            return f"line {int(match.group(1)) - offset + getattr(cell, 'first_parameter_line', 1)}:"
        message = re.sub(r"(?:\./)?cell\.md:(\d+):", cell_line, message)
        return message.replace("./cell.md", "the cell").replace("cell.md", "the cell") or "the lessons binary failed without a message"

    def _run_line(self, command, silent):
        status, out, err = binary.run(command.arguments + (["--seed", str(self.seed)] if self._takes_seed(command) else []),
                                      timeout=self.timeout)
        if status not in (0, 1):
            raise CellError(err.strip().removeprefix("Error: ").removeprefix("error: ") or f"exit status {status}")
        if not silent:
            self._text(out + (err if status == 1 else ""))

    @staticmethod
    def _takes_seed(command):
        return command.arguments[0] == "run" and "--seed" not in command.arguments

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
        current = lines[-1].lstrip()
        matches = []
        if current.startswith("check ") and len(lines) == len([l for l in lines if l.strip().startswith("%") or not l.strip()]) + 1:
            matches = [name for name in self.catalogue.checks if name.startswith(word)]
        elif check_id and ":" not in current:
            matches = [name + ": " for name in self.catalogue.parameter_names(check_id) if name.startswith(word)]
        elif len(lines) == 1 and " " not in current:
            matches = [name for name in ("check ",) + tuple(c + " " for c in ("calc", "verify", "run", "checks")) if name.startswith(word)]
        return {"status": "ok", "matches": sorted(matches), "cursor_start": cursor_pos - len(word), "cursor_end": cursor_pos, "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        check_id, lines, word = self._context(code, cursor_pos)
        # The id under the cursor (a whole word around it), else the cell's check.
        around = re.search(r"[\w.\-]*$", code[:cursor_pos]).group(0) + re.match(r"[\w.\-]*", code[cursor_pos:]).group(0)
        name = around if around in self.catalogue.checks else check_id
        if name not in self.catalogue.checks:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": self.catalogue.describe(name)}, "metadata": {}}
