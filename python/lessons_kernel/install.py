"""Registers the `lessons` kernel with Jupyter.

  python -m lessons_kernel.install --binary PATH [--user | --prefix DIR]

By default into this Python's prefix (the project's venv: `scripts/setup` runs it), so
`.venv/bin/jupyter lab` and nbclient find it; `--user` for a user's own Jupyter.
"""
import argparse
import json
import os
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpecManager


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lessons_kernel.install", description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the path of the Swift `lessons` binary (.build/release/lessons)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--prefix", help="install under this prefix (default: this Python's, sys.prefix)")
    arguments = parser.parse_args(argv)
    binary = os.path.abspath(arguments.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        parser.error(f"--binary {arguments.binary} is not an executable file; build it first (swift build -c release)")
    spec = {
        "argv": [sys.executable, "-m", "lessons_kernel", "-f", "{connection_file}"],
        "display_name": "lessons",
        "language": "lessons",
        "interrupt_mode": "signal",
        "env": {"LESSONS_BINARY": binary},
        "metadata": {"debugger": False},
    }
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "kernel.json"), "w", encoding="utf-8") as file:
            json.dump(spec, file, indent=2)
        prefix = None if arguments.user else (arguments.prefix or sys.prefix)
        destination = KernelSpecManager().install_kernel_spec(folder, "lessons", user=arguments.user, prefix=prefix)
    print(f"installed the lessons kernel in {destination} (binary {binary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
