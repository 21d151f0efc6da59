"""The kernel's cell language, parsed into what to run."""
import re
import shlex
from dataclasses import dataclass, field

# The `lessons` subcommands a cell may run: they read, compute and print, and never write
# files, so a notebook cell (untrusted input) cannot overwrite anything.
LINE_COMMANDS = ("calc", "verify", "run", "checks")

# A cell is untrusted input: a Monte-Carlo sample size above this is refused before any work.
SAMPLE_CAP = 10_000_000


class CellError(ValueError):
    """A cell that cannot run: the message says what was wrong and what is accepted."""


@dataclass
class Magics:
    seed: int = None
    timeout: float = None
    samples: object = None  # a sample size, or "default" to stop replacing them
    stream: int = None  # this cell's random stream (the cell alone; 0 when not given)


@dataclass
class CheckCell:
    check_id: str
    parameters: str  # the YAML text as written
    first_parameter_line: int  # the cell line of the YAML's first line (1-based)


@dataclass
class PlotCell:
    name: str


@dataclass
class LineCommand:
    arguments: list = field(default_factory=list)


def parse(code):
    """(magics, what) for a cell; `what` is a CheckCell, a LineCommand or None (magics only)."""
    lines = code.split("\n")
    magics = Magics()
    index = 0
    while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("%")):
        text = lines[index].strip()
        if text:
            _magic(text, magics, index + 1)
        index += 1
    rest = lines[index:]
    if not rest:
        return magics, None
    head = rest[0].strip()
    if head == "check" or head.startswith("check "):
        check_id = head[len("check"):].strip()
        if not check_id or " " in check_id:
            raise CellError(f"line {index + 1}: a check cell starts with `check ID`, one id such as gaussian.sum (got {head!r})")
        return magics, CheckCell(check_id, "\n".join(rest[1:]), index + 2)
    if head == "plot" or head.startswith("plot "):
        name = head[len("plot"):].strip()
        if not name or " " in name:
            raise CellError(f"line {index + 1}: a plot cell is `plot NAME`, one figure name such as schedules-alphabar (got {head!r})")
        if any(line.strip() for line in rest[1:]):
            raise CellError(f"line {index + 2}: a plot cell takes no parameters (its figure is drawn from the seed); remove the lines after `plot {name}`")
        return magics, PlotCell(name)
    try:
        words = shlex.split(" ".join(line.strip() for line in rest if line.strip()))
    except ValueError as error:
        raise CellError(f"line {index + 1}: cannot split the command into words ({error})")
    if words and words[0] == "lessons":
        words = words[1:]
    if not words or words[0] not in LINE_COMMANDS:
        raise CellError(f"line {index + 1}: {head!r} is not a cell this kernel runs; accepted: `check ID` with YAML "
                        f"parameters, one of the commands {', '.join(LINE_COMMANDS)}, or the magics %seed N, %stream K, %samples N, %timeout SECONDS")
    return magics, LineCommand(words)


def _magic(text, magics, line):
    match = re.fullmatch(r"%(\w+)(?:\s+(\S+))?", text)
    name, value = (match.group(1), match.group(2)) if match else (text, None)
    if name == "seed":
        if value is None or not re.fullmatch(r"\d+", value) or int(value) >= 2**64:
            raise CellError(f"line {line}: %seed takes a whole number in 0…18446744073709551615 (got {value!r})")
        magics.seed = int(value)
    elif name == "stream":
        if value is None or not re.fullmatch(r"\d+", value):
            raise CellError(f"line {line}: %stream takes a whole number 0 or more, the random stream of this cell's check (got {value!r})")
        magics.stream = int(value)
    elif name == "samples":
        if value == "default":
            magics.samples = "default"
        elif value is None or not re.fullmatch(r"\d+", value) or not 500 <= int(value) <= SAMPLE_CAP:
            raise CellError(f"line {line}: %samples takes a sample size in 500…{SAMPLE_CAP} that replaces every Monte-Carlo "
                            f"sample size of the following cells, or `default` (got {value!r})")
        else:
            magics.samples = int(value)
    elif name == "timeout":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = float("nan")
        if not (1 <= seconds <= 3600):
            raise CellError(f"line {line}: %timeout takes seconds in 1…3600 (got {value!r})")
        magics.timeout = seconds
    else:
        raise CellError(f"line {line}: unknown magic {text!r}; accepted: %seed N, %stream K, %samples N, %timeout SECONDS")


HEADER = "---\ntitle: notebook cell\nsummary: one cell run by the lessons kernel\n---\n\n# cell\n\n"


def lesson_file(cell):
    """A one-cell lesson in the lesson format, and the file line of the YAML's first line."""
    if isinstance(cell, PlotCell):
        return HEADER + f"```plot {cell.name}\n```\n", HEADER.count("\n") + 2
    text = HEADER + f"```check {cell.check_id}\n" + (cell.parameters.rstrip("\n") + "\n" if cell.parameters.strip() else "") + "```\n"
    return text, HEADER.count("\n") + 2
