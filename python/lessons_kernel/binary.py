"""Finding and running the Swift ``lessons`` binary."""
import os
import shutil
import subprocess
from pathlib import Path


class BinaryMissing(RuntimeError):
    pass


class BinaryFailed(RuntimeError):
    """The binary did not answer a question the kernel asks it (`checks --json`, `kernel language`)."""


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


_chosen_kernels = {}


def environment(binary):
    """The environment of the binary's processes: the kernel's, without colour, and with the
    OpenBLAS kernel family the binary chooses on a CPU that OpenBLAS does not know (asked once,
    `lessons doctor --openblas-coretype`), so that no cell's process runs itself again to
    choose it (about 15 ms a cell). A user's own OPENBLAS_CORETYPE is kept."""
    if binary not in _chosen_kernels:
        chosen = {}
        if "OPENBLAS_CORETYPE" not in os.environ:
            try:
                done = subprocess.run([binary, "doctor", "--openblas-coretype"], capture_output=True, text=True, timeout=60)
                if done.returncode == 0 and done.stdout.strip():
                    chosen = {"OPENBLAS_CORETYPE": done.stdout.strip()}
            except (OSError, subprocess.TimeoutExpired):
                pass  # each process then chooses for itself
        _chosen_kernels[binary] = chosen
    return {**os.environ, "NO_COLOR": "1", **_chosen_kernels[binary]}


def run(arguments, timeout, cwd=None, input=None):
    """Runs ``lessons ARGUMENTS`` (with ``input`` on its standard input) and returns (status,
    stdout, stderr). A KeyboardInterrupt (Jupyter's interrupt) kills the child and propagates,
    carrying what the child had printed as ``.stdout``; so does subprocess.TimeoutExpired."""
    binary = lessons_binary()
    process = subprocess.Popen([binary, *arguments], stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=environment(binary),
                               start_new_session=True)  # Jupyter's SIGINT reaches the kernel, which stops the child
    try:
        out, err = process.communicate(input=input, timeout=timeout)
    except BaseException as error:
        process.kill()
        out, _ = process.communicate()
        error.stdout = out
        raise
    return process.returncode, out, err
