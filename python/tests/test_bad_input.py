"""Malformed traces: `lessons verify` must refuse them with exit 4 and say what and where.

Each case starts from one small valid trace (T = 10, two sampling steps: a DDPM trace, or
for the σ-space cases an ancestral Euler trace) and breaks one thing. The verifier must exit 4 (a data file cannot be read), write a message on stderr
that names the trace file and the offending key or record, and never crash (no exit
status of 128 or more, which is how a signal shows). Control cases check that the unbroken traces pass, so
that the refusals are the breakages' and nothing else's.
"""

import copy
import json
import os
import unittest

import numpy as np

import _support
import difftrace


def _valid_trace():
    """A correct float64 DDPM trace of T = 10 with two skipping steps, as plain data."""
    T, K = 10, 2
    betas = np.linspace(1e-4, 0.02, T)
    alphas_cumprod = np.cumprod(1 - betas)
    timesteps = [5, 0]
    trace = difftrace.Trace(
        "float64", scheduler="ddpm",
        config={"num_train_timesteps": T, "beta_schedule": "linear", "beta_start": 1e-4, "beta_end": 0.02,
                "clip_sample": False},
    )
    trace.add_betas(betas).add_alphas_cumprod(alphas_cumprod).add_timesteps(timesteps, K)
    rng = np.random.default_rng(0)
    for i, t in enumerate(timesteps):
        prev = timesteps[i + 1] if i + 1 < K else -1
        a, a_prev = alphas_cumprod[t], (alphas_cumprod[prev] if prev >= 0 else 1.0)
        beta = 1 - a / a_prev
        x, eps = rng.standard_normal((1, 1, 2, 2)), rng.standard_normal((1, 1, 2, 2))
        x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
        mean = np.sqrt(a_prev) * beta / (1 - a) * x0 + np.sqrt(1 - beta) * (1 - a_prev) / (1 - a) * x
        z = rng.standard_normal(x.shape) if prev >= 0 else None
        x_prev = mean if z is None else mean + np.sqrt((1 - a_prev) / (1 - a) * beta) * z
        trace.add_step(t, eps, x, x_prev, noise=z, pred_original_sample=x0)
    return trace.to_dict()


def _valid_euler_trace():
    """A correct float64 ancestral Euler trace of T = 10 with two steps (linspace: τ = 9, 0)."""
    T, K = 10, 2
    betas = np.linspace(1e-4, 0.02, T)
    alphas_cumprod = np.cumprod(1 - betas)
    timesteps = np.array([9.0, 0.0])
    sigmas = np.append(np.sqrt((1 - alphas_cumprod) / alphas_cumprod)[[9, 0]], 0.0)
    trace = difftrace.Trace(
        "float64", scheduler="euler_ancestral",
        config={"num_train_timesteps": T, "beta_schedule": "linear", "beta_start": 1e-4, "beta_end": 0.02,
                "timestep_spacing": "linspace"},
    )
    trace.add_betas(betas).add_alphas_cumprod(alphas_cumprod).add_timesteps(timesteps, K).add_sigmas(sigmas)
    rng = np.random.default_rng(0)
    for i, t in enumerate(timesteps):
        s, s_next = sigmas[i], sigmas[i + 1]
        x = rng.standard_normal((1, 1, 2, 2)) * np.sqrt(s * s + 1)
        eps, z = rng.standard_normal((1, 1, 2, 2)), rng.standard_normal((1, 1, 2, 2))
        x0 = x - s * eps
        up = np.sqrt(s_next**2 * (s**2 - s_next**2) / s**2)
        down = np.sqrt(s_next**2 - up**2)
        x_prev = x + (x - x0) / s * (down - s) + up * z
        trace.add_step(t, eps, x, x_prev, noise=z, pred_original_sample=x0, index=i)
    return trace.to_dict()


VALID = _valid_trace()
# Indices of the records in VALID.
BETAS, ALPHAS, TIMESTEPS, STEP0, STEP1 = range(5)

VALID_EULER = _valid_euler_trace()
# Indices of the records in VALID_EULER.
E_TIMESTEPS, E_SIGMAS, E_STEP0, E_STEP1 = range(2, 6)


def _edit(change, valid=None):
    """A writer of VALID (or `valid`) changed by `change(data)` (which edits the data in place)."""

    def write(path):
        data = copy.deepcopy(VALID if valid is None else valid)
        change(data)
        with open(path, "w") as f:
            json.dump(data, f)

    return write


def _edit_euler(change):
    return _edit(change, VALID_EULER)


def _text(make_text):
    def write(path):
        with open(path, "w") as f:
            f.write(make_text())

    return write


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return _edit(change)


def _delete(*keys):
    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return _edit(change)


def _append_record(record):
    return _edit(lambda data: data["records"].append(record))


def _huge_betas():
    """Ten million numbers where a T = 1000 schedule has a thousand (about 40 MB)."""
    head = json.dumps({k: v for k, v in VALID.items() if k != "records"})[:-1]
    head = head.replace('"num_train_timesteps": 10', '"num_train_timesteps": 1000')
    return head + ', "records": [{"quantity": "betas", "values": [' + "0.5," * (10**7 - 1) + "0.5]}]}"


def _valid_text():
    return json.dumps(VALID)


def _replace(old, new):
    """A writer of VALID's text with the first `old` replaced by `new` (which must occur)."""

    def make():
        text = _valid_text()
        assert old in text, old
        return text.replace(old, new, 1)

    return _text(make)


def _invalid_utf8(path):
    data = _valid_text().encode()
    with open(path, "wb") as f:
        f.write(data[:100] + b"\xff\xfe" + data[100:])


# name → (writer, words of which at least one must appear in stderr)
CASES = {
    "truncated": (_text(lambda: _valid_text()[: len(_valid_text()) // 2]), ["json", "end", "truncat", "unexpected"]),
    "empty_file": (_text(lambda: ""), ["empty", "json", "end"]),
    "not_an_object": (_text(lambda: "[1, 2, 3]"), ["object"]),
    "deeply_nested": (_text(lambda: "[" * 100000 + "]" * 100000), ["json", "object", "deep", "nest"]),
    "trailing_garbage": (_text(lambda: _valid_text() + " xyz"), ["json"]),
    "invalid_utf8": (_invalid_utf8, ["json", "utf"]),
    "nul_byte": (_text(lambda: _valid_text()[:50] + "\x00" + _valid_text()[50:]), ["json"]),
    "number_overflows_double": (_replace('"values": [0.0001,', '"values": [1e400,'), ["json", "values", "range"]),
    "version_2": (_set("version", 2), ["version"]),
    "version_as_string": (_set("version", "1"), ["version"]),
    "format_missing": (_delete("format"), ["format"]),
    "format_wrong": (_set("format", "difftrace2"), ["format"]),
    "dtype_missing": (_delete("dtype"), ["dtype"]),
    "dtype_unknown": (_set("dtype", "float8"), ["dtype", "float8"]),
    "dtype_number": (_set("dtype", 32), ["dtype"]),
    "scheduler_unknown": (_set("scheduler", "heun"), ["scheduler", "heun"]),
    "scheduler_missing_with_steps": (_delete("scheduler"), ["scheduler"]),
    "records_missing": (_delete("records"), ["records"]),
    "records_empty": (_set("records", []), ["records"]),
    "records_not_a_list": (_set("records", {"quantity": "betas"}), ["records"]),
    "record_not_an_object": (_append_record(3), ["record"]),
    "quantity_missing": (_edit(lambda d: d["records"][BETAS].pop("quantity")), ["quantity"]),
    "quantity_unknown": (_append_record({"quantity": "log_snr", "values": [1.0]}), ["log_snr"]),
    "config_nan_bare": (
        _text(lambda: _valid_text().replace('"beta_start": 0.0001', '"beta_start": NaN')), ["beta_start", "json", "nan"]
    ),
    "config_nan_string": (_set("config", "beta_start", "nan"), ["beta_start"]),
    "config_beta_end_below_start": (_set("config", "beta_end", 0.00001), ["beta_end", "beta_start"]),
    "config_unknown_schedule": (_set("config", "beta_schedule", "cosine"), ["beta_schedule", "cosine"]),
    "config_T_out_of_range": (_set("config", "num_train_timesteps", 1), ["num_train_timesteps"]),
    "config_T_not_integer": (_set("config", "num_train_timesteps", 10.5), ["num_train_timesteps"]),
    "config_clip_as_string": (_set("config", "clip_sample", "yes"), ["clip_sample"]),
    "config_not_an_object": (_set("config", [1, 2]), ["config"]),
    "betas_wrong_count": (_edit(lambda d: d["records"][BETAS]["values"].pop()), ["betas"]),
    "betas_text_value": (_edit(lambda d: d["records"][BETAS]["values"].__setitem__(3, "0.5")), ["betas", "values"]),
    "betas_values_missing": (_edit(lambda d: d["records"][BETAS].pop("values")), ["betas", "values"]),
    "betas_huge": (_text(_huge_betas), ["betas", "1000"]),
    "timesteps_num_missing": (
        _edit(lambda d: d["records"][TIMESTEPS].pop("num_inference_steps")), ["num_inference_steps"]
    ),
    "timesteps_fraction": (
        _edit(lambda d: d["records"][TIMESTEPS]["values"].__setitem__(0, 5.5)), ["timesteps", "values"]
    ),
    "step_sample_missing": (_edit(lambda d: d["records"][STEP0].pop("sample")), ["sample"]),
    "step_prev_sample_missing": (_edit(lambda d: d["records"][STEP1].pop("prev_sample")), ["prev_sample"]),
    "step_timestep_as_string": (_edit(lambda d: d["records"][STEP0].__setitem__("timestep", "5")), ["timestep"]),
    "step_timestep_out_of_range": (_edit(lambda d: d["records"][STEP0].__setitem__("timestep", 10)), ["timestep"]),
    "step_timestep_negative": (_edit(lambda d: d["records"][STEP0].__setitem__("timestep", -1)), ["timestep"]),
    "step_timestep_huge": (_replace('"timestep": 5,', '"timestep": 1e300,'), ["timestep"]),
    "step_shape_overflows": (
        _edit(lambda d: d["records"][STEP0].__setitem__("shape", [2**24, 2**24, 2**24, 2])), ["shape"]
    ),
    "step_shape_zero": (_edit(lambda d: d["records"][STEP0].__setitem__("shape", [0, 1, 2, 2])), ["shape"]),
    "step_predicted_variance_short": (
        _edit(lambda d: d["records"][STEP0].__setitem__("predicted_variance", [0.5])), ["predicted_variance"]
    ),
    "step_eta_huge": (_edit(lambda d: d["records"][STEP0].__setitem__("eta", 1e300)), ["eta"]),
    "step_shape_mismatch": (_edit(lambda d: d["records"][STEP0].__setitem__("shape", [1, 1, 3, 3])), ["shape"]),
    "step_sample_short": (_edit(lambda d: d["records"][STEP0]["sample"].pop()), ["sample"]),
    "step_noise_wrong_type": (_edit(lambda d: d["records"][STEP0].__setitem__("noise", "none")), ["noise"]),
    "step_eta_negative_string": (_edit(lambda d: d["records"][STEP0].__setitem__("eta", "-1")), ["eta"]),
    # σ-space traces
    "euler_sigmas_missing": (_edit_euler(lambda d: d["records"].pop(E_SIGMAS)), ["sigmas"]),
    "euler_sigmas_wrong_count": (_edit_euler(lambda d: d["records"][E_SIGMAS]["values"].pop()), ["sigmas"]),
    "euler_step_index_missing": (_edit_euler(lambda d: d["records"][E_STEP0].pop("index")), ["index"]),
    "euler_step_index_past_the_levels": (
        _edit_euler(lambda d: d["records"][E_STEP1].__setitem__("index", 2)), ["index"]
    ),
    "euler_step_index_fraction": (
        _edit_euler(lambda d: d["records"][E_STEP0].__setitem__("index", 0.5)), ["index"]
    ),
    "euler_sigmas_text_value": (
        _edit_euler(lambda d: d["records"][E_SIGMAS]["values"].__setitem__(0, "big")), ["sigmas", "values"]
    ),
}

CONTROL = {"control_valid": _edit(lambda d: None), "control_valid_euler": _edit_euler(lambda d: None)}


class BadInput(_support.VerifiedCases):
    CASES = {**CONTROL, **{name: writer for name, (writer, _) in CASES.items()}}

    def test_control_valid(self):
        self.assertPasses("control_valid")

    def test_control_valid_euler(self):
        self.assertPasses("control_valid_euler")

    def test_missing_file(self):
        _support.require_verify(self)
        result = _support.run_verify(os.path.join(self.traces.path, "no-such-trace.json"))
        self.assertEqual(result.code, 4, result.summary())
        self.assertIn("no-such-trace.json", result.stderr)


def _make_test(name, words):
    def test(self):
        result = self.result(name)
        self.assertLess(result.code, 128, "the verifier crashed: " + result.summary())
        self.assertEqual(result.code, 4, "expected exit 4 (cannot read the trace): " + result.summary())
        message = result.stderr.lower()
        self.assertTrue(message.strip(), "no message on stderr: " + result.summary())
        self.assertTrue(
            any(word.lower() in message for word in words),
            "stderr names none of %s: %s" % (words, result.stderr[:600]),
        )
        # "Where" starts with the file: a script verifying many traces must know which.
        self.assertIn(
            os.path.basename(result.path), result.stderr,
            "stderr does not name the trace file: %s" % result.stderr[:600],
        )

    test.__name__ = "test_" + name
    return test


for _name, (_, _words) in CASES.items():
    setattr(BadInput, "test_" + _name, _make_test(_name, _words))


if __name__ == "__main__":
    unittest.main()
