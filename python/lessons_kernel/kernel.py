"""The `lessons` Jupyter kernel (an ipykernel wrapper kernel)."""
import base64
import json
import os
import re
import subprocess
import tempfile
import time

import yaml
from ipykernel.kernelbase import Kernel

from . import __version__, binary, render
from .catalogue import Catalogue
from .cells import CellError, CheckCell, LineCommand, PlotCell, lesson_file, parse

# A cell is untrusted input: a Monte-Carlo sample size above this is refused before any work.
SAMPLE_CAP = 10_000_000
DEFAULT_TIMEOUT = 120.0


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
    banner = "lessons: cells are `check ID` with YAML parameters, `plot NAME`, or calc / verify / run / checks; %seed N sets the seed"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed = 0
        self.timeout = DEFAULT_TIMEOUT
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
            if isinstance(what, CheckCell):
                self._run_check(what, silent)
            elif isinstance(what, PlotCell):
                self._run_plot(what, silent)
            elif isinstance(what, LineCommand):
                self._run_line(what, silent)
            elif not silent and (magics.seed is not None or magics.timeout is not None):
                self._text(f"seed {self.seed}, time limit {self.timeout:g} s for the following cells")
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

    def _run_check(self, cell, silent):
        parameters = self._parameters(cell)
        text, offset = lesson_file(cell)
        with tempfile.TemporaryDirectory(prefix="lessons-cell-") as folder:
            with open(os.path.join(folder, "cell.md"), "w", encoding="utf-8") as file:
                file.write(text)
            status, out, err = binary.run(["run", "./cell.md", "--json", "--seed", str(self.seed)], timeout=self.timeout, cwd=folder)
        if status not in (0, 1) or not out.strip():
            raise CellError(self._explain(err, offset, cell))
        result = json.loads(out)["checks"][0]
        if result.get("error"):
            raise CellError(f"{cell.check_id} could not be computed: {result['error']}")
        if silent:
            return
        data = {
            "text/plain": render.as_text(result),
            "text/html": render.as_html(result),
            "text/markdown": render.as_markdown(result),
            "application/json": {**result, "seed": self.seed, "parameters": parameters},
        }
        self.send_response(self.iopub_socket, "execute_result",
                           {"execution_count": self.execution_count, "data": data, "metadata": {}})

    def _run_plot(self, cell, silent):
        """A figure cell: the one-cell lesson exported to Markdown, which draws the figure as PNG."""
        text, _ = lesson_file(cell)
        with tempfile.TemporaryDirectory(prefix="lessons-cell-") as folder:
            with open(os.path.join(folder, "cell.md"), "w", encoding="utf-8") as file:
                file.write(text)
            status, _, err = binary.run(["export", "./cell.md", "--format", "md", "--out", "out/cell.md", "--seed", str(self.seed)],
                                        timeout=self.timeout, cwd=folder)
            png = os.path.join(folder, "out", "figures", cell.name + ".png")
            if status != 0 or not os.path.isfile(png):
                raise CellError(err.strip().removeprefix("error: ").replace("./cell.md", "the cell").replace("cell.md", "the cell")
                                or f"the figure {cell.name} was not drawn (exit {status})")
            with open(png, "rb") as file:
                image = base64.b64encode(file.read()).decode("ascii")
        if not silent:
            self.send_response(self.iopub_socket, "display_data",
                               {"data": {"image/png": image, "text/plain": f"figure {cell.name} (seed {self.seed})"}, "metadata": {}})

    def _parameters(self, cell):
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
            return f"line {int(match.group(1)) - offset + cell.first_parameter_line}:"
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
