"""The facts of the kernel's language the kernel needs (`lessons kernel language`): the
commands a cell may run, the figures a plot cell draws, the magics' names, the longest time
limit and what a cell stopped at its limit is told. The binary's grammar (`KernelCell`) is
their one home; the kernel asks once and repeats none of them."""
import json

from . import binary


class Language:
    def __init__(self, description):
        self.commands = description["commands"]
        self.figures = description["figures"]
        self.magics = description["magics"]
        self.timeout_range = tuple(description["timeoutRange"])
        self._time_limit_template = description["timeLimitMessage"]

    def time_limit_message(self, seconds):
        """What a cell stopped after `seconds` is told, in the binary's words (30 s as 30, 2.5 s as 2.5)."""
        return self._time_limit_template.replace("{seconds}", f"{seconds:g}")

    @classmethod
    def load(cls, timeout=30):
        status, out, err = binary.run(["kernel", "language"], timeout=timeout)
        if status != 0:
            raise binary.BinaryFailed(f"`lessons kernel language` failed (exit {status}): {err.strip()}")
        return cls(json.loads(out))
