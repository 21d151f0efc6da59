"""Times every check cell of every lesson through the kernel, as a learner runs them.

  .venv/bin/python -m lessons_kernel.bench [--lessons-dir Lessons] [--kernel lessons]

Prints the median, 90th percentile and maximum seconds per cell (from execute request to
reply, so including the kernel's and the binary's start-up), and the slowest cells.
"""
import argparse
import glob
import os
import re
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

CELL = re.compile(r"^```check ([^\n]+)\n(.*?)^```", re.S | re.M)


def cells(folder):
    found = []
    for path in sorted(glob.glob(os.path.join(folder, "*.md"))):
        with open(path, encoding="utf-8") as file:
            text = file.read()
        for number, match in enumerate(CELL.finditer(text), 1):
            found.append((f"{os.path.basename(path)[:-3]} #{number}", f"check {match.group(1).strip()}\n{match.group(2)}"))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lessons_kernel.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--lessons-dir", default="Lessons")
    parser.add_argument("--kernel", default="lessons")
    arguments = parser.parse_args(argv)
    todo = cells(arguments.lessons_dir)
    if not todo:
        parser.error(f"no check cells in {arguments.lessons_dir}/*.md (run it from the project's root, or give --lessons-dir FOLDER)")
    manager, client = start_new_kernel(kernel_name=arguments.kernel, startup_timeout=60)
    times, failed = [], []
    try:
        for index, (name, code) in enumerate(todo, 1):
            started = time.monotonic()
            message = client.execute(code)
            while True:
                reply = client.get_shell_msg(timeout=600)
                if reply["parent_header"].get("msg_id") == message:
                    break
            elapsed = time.monotonic() - started
            times.append((elapsed, name))
            if reply["content"]["status"] != "ok":
                failed.append((name, reply["content"].get("evalue", "")))
            print(f"\r{index}/{len(todo)} cells", end="", file=sys.stderr, flush=True)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    print(file=sys.stderr)
    seconds = sorted(t for t, _ in times)
    print(f"{len(seconds)} check cells of {arguments.lessons_dir}: median {statistics.median(seconds):.3f} s, "
          f"90th percentile {seconds[int(0.9 * (len(seconds) - 1))]:.3f} s, max {seconds[-1]:.3f} s")
    print("slowest: " + ", ".join(f"{name} {t:.2f} s" for t, name in sorted(times, reverse=True)[:5]))
    for name, message in failed:
        print(f"failed: {name}: {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
