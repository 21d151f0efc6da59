"""The `lessons` kernel as the tests start it: from this source tree (PYTHONPATH), with the
binary at .build/release/lessons (or $LESSONS), through a kernelspec named `lessons-test`
in a temporary JUPYTER_PATH."""

import json
import os
import sys
import tempfile

from _support import LESSONS, PYTHON_DIR

KERNEL_NAME = "lessons-test"


class TestKernelSpec:
    """Writes the kernelspec and points JUPYTER_PATH at it until `close()`."""

    def __init__(self, binary=LESSONS):
        self.folder = tempfile.TemporaryDirectory()
        spec = os.path.join(self.folder.name, "kernels", KERNEL_NAME)
        os.makedirs(spec)
        with open(os.path.join(spec, "kernel.json"), "w", encoding="utf-8") as file:
            json.dump({"argv": [sys.executable, "-m", "lessons_kernel", "-f", "{connection_file}"], "display_name": "lessons (test)",
                       "language": "lessons", "interrupt_mode": "signal",
                       "env": {"LESSONS_BINARY": binary, "PYTHONPATH": PYTHON_DIR}}, file)
        self.saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = self.folder.name

    def close(self):
        if self.saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = self.saved
        self.folder.cleanup()
