"""The scripts a newcomer runs (scripts/): `--help` prints what each does and changes nothing,
and a stray argument is refused, exit 2, before any work (`scripts/setup --help` used to
install and build)."""
import os
import subprocess
import unittest

from _support import ROOT

SCRIPTS = os.path.join(ROOT, "scripts")
# Each script, and the first words of its header.
HELP = {
    "setup": "Installs the Debian packages the project needs",
    "test-python": "The Python tests (python/tests) in two processes",
    "export-docs": "Regenerates docs/lessons/",
    "screenshots": "Refreshes docs/screenshots/",
    "fuzz": "Fuzz with generated inputs",
    "check-html": "Checks that HTML pages render in headless Chromium",
}
# Scripts that take no argument, or only the listed ones.
REFUSALS = {
    "setup": ("--bogus", "setup: unexpected argument(s): --bogus; accepted: --no-build, --help"),
    "test-python": ("x", "test-python: takes no arguments (got: x)"),
    "export-docs": ("x", "export-docs: takes no arguments (got: x)"),
    "screenshots": ("x", "screenshots: takes no arguments (got: x)"),
    "check-html": ("--bogus", "check-html: unknown option --bogus"),
}


def run(name, *arguments):
    return subprocess.run([os.path.join(SCRIPTS, name), *arguments], capture_output=True, text=True, timeout=60)


class ScriptTests(unittest.TestCase):
    def test_help(self):
        self.assertEqual(sorted(HELP), sorted(name for name in os.listdir(SCRIPTS) if "." not in name),
                         "every shell script of scripts/ has its help checked")
        for name, first in HELP.items():
            for flag in ("--help", "-h"):
                with self.subTest(script=name, flag=flag):
                    done = run(name, flag)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    self.assertTrue(done.stdout.startswith(first), done.stdout[:200])
                    self.assertNotIn("#", done.stdout.splitlines()[0])

    def test_a_stray_argument_is_refused(self):
        for name, (argument, message) in REFUSALS.items():
            with self.subTest(script=name):
                done = run(name, argument)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn(message, done.stderr)
                self.assertEqual(done.stdout, "", "nothing ran")


if __name__ == "__main__":
    unittest.main()
