"""Finding and running the Swift ``lessons`` binary."""
import os
import shutil
import subprocess
from pathlib import Path


class BinaryMissing(RuntimeError):
    pass


def lessons_binary():
    """$LESSONS_BINARY (the kernelspec sets it), else ``lessons`` on PATH."""
    explicit = os.environ.get("LESSONS_BINARY")
    if explicit:
        if not (Path(explicit).is_file() and os.access(explicit, os.X_OK)):
            raise BinaryMissing(f"LESSONS_BINARY={explicit} is not an executable file; build it with `swift build -c release`")
        return explicit
    found = shutil.which("lessons")
    if found:
        return found
    raise BinaryMissing("no `lessons` binary: set LESSONS_BINARY to the path of .build/release/lessons, "
                        "or reinstall the kernel with `lessons kernel install`")


def run(arguments, timeout, cwd=None):
    """Runs ``lessons ARGUMENTS`` and returns (status, stdout, stderr). A KeyboardInterrupt
    (Jupyter's interrupt) kills the child and propagates; so does subprocess.TimeoutExpired."""
    process = subprocess.Popen([lessons_binary(), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1"},
                               start_new_session=True)  # Jupyter's SIGINT reaches the kernel, which stops the child
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out, err
