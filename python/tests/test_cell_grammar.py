"""The kernel's cell language has one grammar (Swift's `KernelCell`), read through two doors:
the Jupyter kernel hands each cell to `lessons kernel cell`, and `lessons run mine.ipynb` reads
a notebook's cells as a lesson. A notebook the kernel runs must run as a lesson, and a cell the
kernel refuses for its grammar must be refused there too; this test runs the same cells through
both doors and compares the verdicts.

The documented differences are asserted as such: the kernel caps `%samples` at 10,000,000
(a cell is untrusted input; the terminal takes up to 100,000,000), and a command cell
(`calc …`, `checks …`), which the kernel runs, is skipped by `lessons run`, which runs no
commands."""

import json
import os
import subprocess
import tempfile
import unittest

from _support import LESSONS

CHECK = "check gaussian.product"  # exact, a few milliseconds

# Cells both doors accept.
ACCEPTED = [
    f"%seed 7\n{CHECK}",
    f"%seed\t7\n{CHECK}",
    f"%samples default\n{CHECK}",
    f"%samples 2000\n{CHECK}",
    f"%stream 3\n{CHECK}",
    f"%timeout 30\n{CHECK}",
    f"\n%seed 1\n\n{CHECK}",
    f"{CHECK}\nmean1: 0.7",
    "plot schedules-alphabar",
]

# Cells both doors refuse (a wrong magic, a malformed head, a command the kernel does not run).
REFUSED = [
    f"%seeds 1\n{CHECK}",
    f"%seed -1\n{CHECK}",
    f"%seed x\n{CHECK}",
    f"%seed 18446744073709551616\n{CHECK}",
    f"%seed +7\n{CHECK}",
    f"%stream +3\n{CHECK}",
    f"%samples +2000\n{CHECK}",
    f"%stream -1\n{CHECK}",
    f"%samples 10\n{CHECK}",
    f"%samples lots\n{CHECK}",
    f"%stream 2\nplot schedules-alphabar",
    "frobnicate --now",
    'calc "alpha-bar',
    f"%timeout 0\n{CHECK}",
    f"%timeout 5000\n{CHECK}",
    "check gaussian.product gaussian.sum",
    "check",
    "plot schedules-alphabar\nt: 1",
]


def kernel_accepts(code):
    """The kernel's door: `lessons kernel cell` refuses a malformed cell with exit 2."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([LESSONS, "kernel", "cell", "--samples", "500", "--out", "cell.ipynb"], input=code,
                              capture_output=True, text=True, timeout=120, cwd=folder)
    if done.returncode not in (0, 1, 2):
        raise AssertionError(f"lessons kernel cell: exit {done.returncode}: {done.stderr}")
    return done.returncode != 2


@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class CellGrammarTests(unittest.TestCase):
    def run_as_lesson(self, code):
        """`lessons run` on a one-cell notebook: (exit status, stderr)."""
        notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                    "cells": [{"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}]}
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "cell.ipynb")
            with open(path, "w", encoding="utf-8") as file:
                json.dump(notebook, file)
            done = subprocess.run([LESSONS, "run", path, "--quiet", "--samples", "500"], capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr

    def test_both_doors_accept_the_same_cells(self):
        self.assertTrue(ACCEPTED)
        for code in ACCEPTED:
            with self.subTest(cell=code):
                self.assertTrue(kernel_accepts(code), "the kernel refuses it")
                status, err = self.run_as_lesson(code)
                self.assertEqual(status, 0, f"`lessons run` refuses a cell the kernel runs: {err}")

    def test_both_doors_refuse_the_same_cells(self):
        self.assertTrue(REFUSED)
        for code in REFUSED:
            with self.subTest(cell=code):
                self.assertFalse(kernel_accepts(code), "the kernel accepts it")
                status, err = self.run_as_lesson(code)
                self.assertEqual(status, 2, f"`lessons run` does not call it malformed (exit {status}): {err}")
                self.assertIn("cell.ipynb[cell 1]:", err, "the error names the cell")

    def test_the_documented_differences(self):
        big = f"%samples 50000000\n{CHECK}"
        self.assertFalse(kernel_accepts(big), "the kernel's cap of 10,000,000")
        self.assertTrue(kernel_accepts(f"%samples 10000000\n{CHECK}"))
        command = "lessons checks 'gaussian.sum'"
        self.assertTrue(kernel_accepts(command), "the kernel runs calc, verify, run and checks")
        status, err = self.run_as_lesson(command)
        self.assertEqual(status, 0, err)
        self.assertIn("`checks gaussian.sum` (a command the kernel runs; not a lesson cell)", err, "`lessons run` names the skipped command")


if __name__ == "__main__":
    unittest.main()
