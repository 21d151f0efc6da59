"""Shared helpers of the formula-record tests (test_formula_*.py): stricter pass/fail checks.

A formula trace passes when `lessons verify --json` exits 0 with passed > 0, failed == 0
and at least one finding for each quantity the trace holds; a planted mistake fails when
the verifier exits 1 and some failing finding of the mistake's quantity names the
expected diagnosis id. Findings of a quantity are those named after it: "posterior" or
"posterior.mean", "posterior.variance", …
"""

import json

import _support


def matches(finding, quantity):
    """Whether `finding` checks `quantity` (its name, or its name followed by ".part")."""
    name = finding.get("quantity") or ""
    return name == quantity or name.startswith(quantity + ".")


def ids_of(finding):
    return [d.get("id") for d in finding.get("diagnoses") or [] if isinstance(d, dict)]


class FormulaCases(_support.VerifiedCases):
    """VerifiedCases whose expectations name quantities (see attach_formula_cases)."""

    def assertFormulaPasses(self, name, quantities):
        result = self.result(name)
        self.assertIsNotNone(result.report, "no JSON report: %s" % result.summary())
        self.assertEqual(result.code, 0, result.summary())
        self.assertEqual(result.failed(), 0, result.summary())
        self.assertGreater(result.report.get("passed") or 0, 0, result.summary())
        for quantity in quantities:
            found = [f for f in result.findings() if matches(f, quantity)]
            self.assertTrue(
                found,
                "no finding for %s among %s\n%s"
                % (quantity, sorted({f.get("quantity") for f in result.findings()}), result.summary()),
            )

    def assertFormulaFails(self, name, quantity, diagnosis):
        result = self.result(name)
        self.assertIsNotNone(result.report, "no JSON report: %s" % result.summary())
        self.assertEqual(result.code, 1, "expected exit 1 (a check failed): " + result.summary())
        self.assertGreater(result.failed() or 0, 0, result.summary())
        failing = [f for f in result.failing_findings() if matches(f, quantity)]
        self.assertTrue(failing, "no failing %s finding\n%s" % (quantity, result.summary()))
        named = [f for f in failing if diagnosis in ids_of(f)]
        self.assertTrue(
            named,
            "expected diagnosis %s on a failing %s finding; the failing findings name %s\n%s"
            % (diagnosis, quantity, [ids_of(f) for f in failing], json.dumps(failing[:4], indent=1)[:3000]),
        )


def attach_formula_cases(cls, cases):
    """Give `cls` (a FormulaCases) one test per case.

    `cases` maps a name to (writer, expectation): the expectation is ("pass", [quantities])
    or ("fail", quantity, diagnosis id).
    """

    def make(name, expectation):
        def test(self):
            if expectation[0] == "pass":
                self.assertFormulaPasses(name, expectation[1])
            else:
                self.assertFormulaFails(name, expectation[1], expectation[2])

        test.__name__ = "test_" + name
        return test

    for name, (_, expectation) in cases.items():
        setattr(cls, "test_" + name, make(name, expectation))
