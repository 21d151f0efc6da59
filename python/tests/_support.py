"""Shared helpers of the difftrace tests: the source tree on sys.path, and `lessons verify`.

The tests import difftrace from this source tree (not an installed copy), so they test
the files next to them. The verifier is the `lessons` binary at .build/release/lessons
(the environment variable LESSONS overrides); tests that need it skip, saying why, when
it is missing or has no `verify` subcommand.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(PYTHON_DIR)
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

LESSONS = os.environ.get("LESSONS") or os.path.join(ROOT, ".build", "release", "lessons")

#: Seconds one `lessons verify` may take before the test calls it hung.
VERIFY_TIMEOUT = 120

_availability = None


def verify_availability():
    """(True, "") when `lessons verify` can be run, else (False, why not)."""
    global _availability
    if _availability is None:
        if not os.path.isfile(LESSONS):
            _availability = (False, "no lessons binary at %s (build it, or set LESSONS)" % LESSONS)
        elif not os.access(LESSONS, os.X_OK):
            _availability = (False, "%s is not executable" % LESSONS)
        else:
            try:
                done = subprocess.run(
                    [LESSONS, "help", "verify"], capture_output=True, text=True, timeout=60
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                _availability = (False, "cannot run %s help verify: %s" % (LESSONS, error))
            else:
                text = done.stdout + done.stderr
                if done.returncode != 0 or "lessons verify" not in text:
                    _availability = (
                        False,
                        "%s has no verify subcommand yet (`help verify` exited %d)"
                        % (LESSONS, done.returncode),
                    )
                else:
                    _availability = (True, "")
    return _availability


def require_verify(test):
    """Skip `test` (a TestCase) unless `lessons verify` is available."""
    ok, why = verify_availability()
    if not ok:
        test.skipTest(why)


class VerifyResult:
    """What one `lessons verify` run returned: exit code, stdout, stderr, parsed report."""

    def __init__(self, path, code, stdout, stderr):
        self.path = path
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.report = None
        self.parse_error = None
        if stdout.strip():
            try:
                self.report = json.loads(stdout)
            except ValueError as error:
                self.parse_error = str(error)

    def findings(self):
        return list((self.report or {}).get("findings") or [])

    def failed(self):
        return (self.report or {}).get("failed")

    def diagnosis_ids(self):
        """Every diagnosis id named by any finding."""
        ids = set()
        for finding in self.findings():
            for diagnosis in finding.get("diagnoses") or []:
                if isinstance(diagnosis, dict) and "id" in diagnosis:
                    ids.add(diagnosis["id"])
        return ids

    def failing_findings(self):
        """The findings that did not pass."""
        out = []
        for finding in self.findings():
            if finding.get("pass") is False:
                out.append(finding)
        return out

    def summary(self, limit=2500):
        """A short account for an assertion message."""
        text = "exit %s for %s\nstderr: %s\n" % (self.code, self.path, self.stderr.strip()[:800])
        failing = self.failing_findings()
        if failing:
            text += "failing findings:\n" + json.dumps(failing[:6], indent=1)[:limit]
        elif self.report is None:
            text += "stdout: " + self.stdout[:limit]
        return text


def run_verify(path, as_json=True, extra=()):
    """Run `lessons verify PATH [--json]` and return a VerifyResult."""
    args = [LESSONS, "verify", os.fspath(path)]
    if as_json:
        args.append("--json")
    args.extend(extra)
    done = subprocess.run(args, capture_output=True, text=True, timeout=VERIFY_TIMEOUT)
    return VerifyResult(os.fspath(path), done.returncode, done.stdout, done.stderr)


def run_verify_all(paths, as_json=True):
    """run_verify on every path, two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda p: run_verify(p, as_json=as_json), paths))


class TraceDir:
    """A temporary folder for the traces of one test class (removed at the end)."""

    def __init__(self, prefix):
        self._dir = tempfile.TemporaryDirectory(prefix=prefix)
        self.path = self._dir.name

    def file(self, name):
        return os.path.join(self.path, name + ".json")

    def cleanup(self):
        self._dir.cleanup()


class VerifiedCases(unittest.TestCase):
    """Base of the test classes that record one trace per case and verify them all.

    A subclass sets CASES (name → a function of the output path that writes the trace);
    setUpClass writes every trace, then runs the verifier on all of them at once in
    parallel, and each test method looks up its case's result.
    """

    CASES = {}
    results = None
    write_errors = None

    def load_trace(self, name):
        """The JSON of case `name`'s trace (the test skips when it was not written)."""
        path = self.traces.file(name)
        if not os.path.exists(path):
            self.skipTest("the trace %s was not written (its own test says why)" % name)
        with open(path) as f:
            return json.load(f)

    @classmethod
    def setUpClass(cls):
        cls.results = {}
        cls.write_errors = {}
        cls.traces = TraceDir("difftrace-%s-" % cls.__name__)
        paths = {}
        for name, write in cls.CASES.items():
            path = cls.traces.file(name)
            try:
                write(path)
            except Exception as error:  # reported by the case's own test
                cls.write_errors[name] = error
                continue
            paths[name] = path
        if verify_availability()[0] and paths:
            names = list(paths)
            for name, result in zip(names, run_verify_all([paths[n] for n in names])):
                cls.results[name] = result

    @classmethod
    def tearDownClass(cls):
        cls.traces.cleanup()

    def result(self, name):
        """The verifier's result for case `name` (skips when the verifier is missing)."""
        if name in self.write_errors:
            raise self.write_errors[name]
        require_verify(self)
        return self.results[name]

    def assertPasses(self, name):
        result = self.result(name)
        self.assertIsNotNone(result.report, "no JSON report: %s" % result.summary())
        self.assertEqual(result.code, 0, result.summary())
        self.assertEqual(result.failed(), 0, result.summary())
        self.assertTrue(result.findings(), "the report has no findings: %s" % result.summary())

    def assertFailsWith(self, name, diagnosis):
        """Verify exited 1, and a finding that FAILED names `diagnosis`."""
        result = self.result(name)
        self.assertIsNotNone(result.report, "no JSON report: %s" % result.summary())
        self.assertEqual(result.code, 1, "expected exit 1 (a check failed): " + result.summary())
        self.assertGreater(result.failed() or 0, 0, result.summary())
        self.assertIn(
            diagnosis,
            result.diagnosis_ids(),
            "expected diagnosis %s, got %s\n%s"
            % (diagnosis, sorted(result.diagnosis_ids()), result.summary()),
        )
        named = [
            finding for finding in result.failing_findings()
            if diagnosis in [d.get("id") for d in finding.get("diagnoses") or [] if isinstance(d, dict)]
        ]
        self.assertTrue(named, "no failing finding names %s\n%s" % (diagnosis, result.summary()))


def attach_cases(cls, cases):
    """Give `cls` (a VerifiedCases) one test per case: `expected` None means the trace must
    pass; a diagnosis id means verify must fail it and name that mistake."""

    def make(name, expected):
        def test(self):
            if expected is None:
                self.assertPasses(name)
            else:
                self.assertFailsWith(name, expected)

        test.__name__ = "test_" + name
        return test

    for name, (_, expected) in cases.items():
        setattr(cls, "test_" + name, make(name, expected))
