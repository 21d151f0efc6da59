"""Malformed formula records: `lessons verify` must refuse them with exit 4 and say where.

Each case starts from one small valid trace (float64, T = 10, one record of every formula
quantity, written by difftrace with correct values) and breaks one field of one record by
hand, as a hand-written or foreign trace might: a wrong type, a missing field, an unknown
choice, arrays of different lengths, a τ off the schedule, a non-finite input. The
verifier must exit 4 (a data file it cannot read), never crash (no exit status of 128 or
more), and say on stderr which file, which record (``records[i]``) and which field. The
control case checks that the unbroken trace passes, so each refusal is its breakage's.
"""

import copy
import json
import os
import unittest

import numpy as np

import _support
import difftrace

T = 10
CONFIG = dict(num_train_timesteps=T, beta_schedule="linear", beta_start=1e-4, beta_end=0.02)


def _valid_trace():
    """One correct record of each formula quantity (float64, T = 10), as plain data."""
    betas = np.linspace(1e-4, 0.02, T)
    ac = np.cumprod(1 - betas)
    rng = np.random.default_rng(0)
    x0, eps = rng.standard_normal(4), rng.standard_normal(4)
    t = 5
    a = ac[t]
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    v = np.sqrt(a) * eps - np.sqrt(1 - a) * x0
    prev = 2
    a_prev = ac[prev]
    beta = 1 - a / a_prev
    mean = np.sqrt(a_prev) * beta / (1 - a) * x0 + np.sqrt(a / a_prev) * (1 - a_prev) / (1 - a) * xt
    variance = (1 - a_prev) / (1 - a) * beta
    ts = np.array([1, 4, 9])
    snr = ac[ts] / (1 - ac[ts])
    u, c = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    g = u + 7.5 * (c - u)
    phi = 0.7
    rescaled = np.stack([phi * g[i] * (np.std(c[i]) / np.std(g[i])) + (1 - phi) * g[i] for i in range(2)])
    vlb = []
    for s in ts:
        b = 1 - ac[s] / ac[s - 1]
        sigma2 = (1 - ac[s - 1]) / (1 - ac[s]) * betas[s]
        vlb.append(betas[s] ** 2 / (2 * sigma2 * (1 - betas[s]) * (1 - ac[s])))
    trace = difftrace.Trace("float64", config=CONFIG)
    trace.add_alphas_cumprod(ac)
    trace.add_q_sample(t, x0, eps, xt)
    trace.add_velocity(t, x0, eps, v)
    trace.add_conversion(t, "epsilon", "sample", xt, eps, x0)
    trace.add_posterior(t, x0, xt, mean=mean, variance=variance, prev_timestep=prev)
    trace.add_snr(ts, snr)
    trace.add_loss_weight("min_snr", ts, np.minimum(snr, 5.0) / snr, gamma=5.0, prediction_type="epsilon")
    trace.add_loss_weight("vlb", ts, vlb)
    trace.add_cfg(7.5, u, c, rescaled, guidance_rescale=phi, shape=(2, 4))
    return trace.to_dict()


VALID = _valid_trace()
ALPHAS, Q_SAMPLE, VELOCITY, CONVERSION, POSTERIOR, SNR, MIN_SNR, VLB, CFG = range(9)


def _edit(index, change):
    """A writer of VALID with `change(record)` applied to records[index] (in place)."""

    def write(path):
        data = copy.deepcopy(VALID)
        change(data["records"][index])
        with open(path, "w") as f:
            json.dump(data, f)

    return write


def _set(index, key, value):
    return _edit(index, lambda r: r.__setitem__(key, value))


def _delete(index, key):
    return _edit(index, lambda r: r.pop(key))


def _set_element(index, key, position, value):
    return _edit(index, lambda r: r[key].__setitem__(position, value))


def _shorten(index, key):
    return _edit(index, lambda r: r[key].pop())


def _config(key, value):
    def write(path):
        data = copy.deepcopy(VALID)
        data["config"][key] = value
        with open(path, "w") as f:
            json.dump(data, f)

    return write


# name → (writer, the record's position, the field that stderr must name)
CASES = {
    # wrong types
    "q_sample_timestep_string": (_set(Q_SAMPLE, "timestep", "5"), Q_SAMPLE, "timestep"),
    "q_sample_timestep_fraction": (_set(Q_SAMPLE, "timestep", 5.5), Q_SAMPLE, "timestep"),
    "velocity_x0_string": (_set(VELOCITY, "x0", "0.5 -1.0"), VELOCITY, "x0"),
    "velocity_noise_text_element": (_set_element(VELOCITY, "noise", 1, "0.5"), VELOCITY, "noise"),
    "conversion_from_number": (_set(CONVERSION, "from", 1), CONVERSION, "from"),
    "posterior_variance_array": (_set(POSTERIOR, "variance", [0.1]), POSTERIOR, "variance"),
    "posterior_mean_object": (_set(POSTERIOR, "mean", {"0": 1.0}), POSTERIOR, "mean"),
    "snr_values_string": (_set(SNR, "values", "1 2 3"), SNR, "values"),
    "min_snr_gamma_string": (_set(MIN_SNR, "gamma", "5"), MIN_SNR, "gamma"),
    "cfg_scale_string": (_set(CFG, "guidance_scale", "7.5"), CFG, "guidance_scale"),
    "cfg_shape_string": (_set(CFG, "shape", "2x4"), CFG, "shape"),
    # missing fields
    "q_sample_noise_missing": (_delete(Q_SAMPLE, "noise"), Q_SAMPLE, "noise"),
    "q_sample_timestep_missing": (_delete(Q_SAMPLE, "timestep"), Q_SAMPLE, "timestep"),
    "velocity_value_missing": (_delete(VELOCITY, "value"), VELOCITY, "value"),
    "conversion_x_t_missing": (_delete(CONVERSION, "x_t"), CONVERSION, "x_t"),
    "conversion_to_missing": (_delete(CONVERSION, "to"), CONVERSION, "to"),
    "posterior_x0_missing": (_delete(POSTERIOR, "x0"), POSTERIOR, "x0"),
    "posterior_mean_and_variance_missing": (
        _edit(POSTERIOR, lambda r: (r.pop("mean"), r.pop("variance"))), POSTERIOR, "variance"
    ),
    "snr_timesteps_missing": (_delete(SNR, "timesteps"), SNR, "timesteps"),
    "min_snr_gamma_missing": (_delete(MIN_SNR, "gamma"), MIN_SNR, "gamma"),
    "loss_weight_weighting_missing": (_delete(VLB, "weighting"), VLB, "weighting"),
    "cfg_value_missing": (_delete(CFG, "value"), CFG, "value"),
    "cfg_scale_missing": (_delete(CFG, "guidance_scale"), CFG, "guidance_scale"),
    # unknown choices
    "conversion_from_unknown": (_set(CONVERSION, "from", "x0"), CONVERSION, "from"),
    "conversion_from_score": (_set(CONVERSION, "from", "score"), CONVERSION, "from"),
    "conversion_to_unknown": (_set(CONVERSION, "to", "logits"), CONVERSION, "to"),
    "conversion_from_equals_to": (_set(CONVERSION, "to", "epsilon"), CONVERSION, "to"),
    "loss_weight_weighting_unknown": (_set(VLB, "weighting", "p2"), VLB, "weighting"),
    "loss_weight_prediction_type_unknown": (_set(MIN_SNR, "prediction_type", "v"), MIN_SNR, "prediction_type"),
    "vlb_gamma_given": (_set(VLB, "gamma", 5.0), VLB, "gamma"),
    "min_snr_gamma_zero": (_set(MIN_SNR, "gamma", 0), MIN_SNR, "gamma"),
    "min_snr_gamma_negative": (_set(MIN_SNR, "gamma", -5.0), MIN_SNR, "gamma"),
    "cfg_convention_unknown": (_set(CFG, "convention", "imagen"), CFG, "convention"),
    "cfg_rescale_above_one": (_set(CFG, "guidance_rescale", 1.5), CFG, "guidance_rescale"),
    "cfg_rescale_negative": (_set(CFG, "guidance_rescale", -0.1), CFG, "guidance_rescale"),
    # mismatched lengths
    "q_sample_value_short": (_shorten(Q_SAMPLE, "value"), Q_SAMPLE, "value"),
    "velocity_noise_short": (_shorten(VELOCITY, "noise"), VELOCITY, "noise"),
    "conversion_input_short": (_shorten(CONVERSION, "input"), CONVERSION, "input"),
    "posterior_mean_short": (_shorten(POSTERIOR, "mean"), POSTERIOR, "mean"),
    "posterior_x_t_short": (_shorten(POSTERIOR, "x_t"), POSTERIOR, "x_t"),
    "snr_values_short": (_shorten(SNR, "values"), SNR, "values"),
    "min_snr_values_short": (_shorten(MIN_SNR, "values"), MIN_SNR, "values"),
    "cfg_cond_short": (_shorten(CFG, "cond"), CFG, "cond"),
    "cfg_shape_mismatch": (_set(CFG, "shape", [3, 4]), CFG, "shape"),
    "q_sample_empty": (_edit(Q_SAMPLE, lambda r: [r.__setitem__(k, []) for k in ("x0", "noise", "value")]),
                       Q_SAMPLE, "x0"),
    "snr_empty": (_edit(SNR, lambda r: (r.__setitem__("timesteps", []), r.__setitem__("values", []))),
                  SNR, "timesteps"),
    # τ off the schedule
    "q_sample_timestep_T": (_set(Q_SAMPLE, "timestep", T), Q_SAMPLE, "timestep"),
    "velocity_timestep_negative": (_set(VELOCITY, "timestep", -1), VELOCITY, "timestep"),
    "conversion_timestep_huge": (_set(CONVERSION, "timestep", 10**12), CONVERSION, "timestep"),
    "posterior_timestep_T": (_set(POSTERIOR, "timestep", T), POSTERIOR, "timestep"),
    "posterior_prev_after_tau": (_set(POSTERIOR, "prev_timestep", 5), POSTERIOR, "prev_timestep"),
    "posterior_prev_below_clean_end": (_set(POSTERIOR, "prev_timestep", -2), POSTERIOR, "prev_timestep"),
    "snr_timestep_T": (_set_element(SNR, "timesteps", 2, T), SNR, "timesteps"),
    "min_snr_timestep_negative": (_set_element(MIN_SNR, "timesteps", 0, -1), MIN_SNR, "timesteps"),
    # vlb with fixed_small has no weight at τ = 0 (β̃ = 0): refused, not failed
    "vlb_fixed_small_tau0": (_set_element(VLB, "timesteps", 0, 0), VLB, "timesteps"),
    # non-finite inputs (what the code was given is not a number). With the verifier of
    # commit 257904a the arrays below are read (as step records' inputs are) and the check
    # fails with exit 1 and an expected value of NaN, instead of a refusal.
    "q_sample_x0_nan": (_set_element(Q_SAMPLE, "x0", 0, "nan"), Q_SAMPLE, "x0"),
    "velocity_noise_inf": (_set_element(VELOCITY, "noise", 2, "inf"), VELOCITY, "noise"),
    "conversion_x_t_nan": (_set_element(CONVERSION, "x_t", 1, "nan"), CONVERSION, "x_t"),
    "conversion_input_nan": (_set_element(CONVERSION, "input", 1, "-inf"), CONVERSION, "input"),
    "posterior_x0_nan": (_set_element(POSTERIOR, "x0", 3, "nan"), POSTERIOR, "x0"),
    "cfg_uncond_nan": (_set_element(CFG, "uncond", 0, "nan"), CFG, "uncond"),
    "cfg_scale_nan": (_set(CFG, "guidance_scale", "nan"), CFG, "guidance_scale"),
    "min_snr_gamma_inf": (_set(MIN_SNR, "gamma", "inf"), MIN_SNR, "gamma"),
}

#: Configurations a formula record cannot be checked under (the field is in the config).
CONFIG_CASES = {
    "vlb_learned_variance": (_config("variance_type", "learned_range"), "variance_type"),
}


class FormulaBadInput(_support.VerifiedCases):
    CASES = {
        "control_valid": _edit(0, lambda r: None),
        **{name: writer for name, (writer, _, _) in CASES.items()},
        **{name: writer for name, (writer, _) in CONFIG_CASES.items()},
    }

    def test_control_valid(self):
        self.assertPasses("control_valid")
        result = self.result("control_valid")
        quantities = {f["quantity"].split(".")[0] for f in result.findings()}
        self.assertEqual(
            quantities,
            {"alphas_cumprod", "q_sample", "velocity", "conversion", "posterior", "snr", "loss_weight", "cfg"},
        )

    def test_control_results_are_non_finite_not_refused(self):
        """A non-finite RESULT is what the code computed: read, and failed (exit 1), not refused."""
        _support.require_verify(self)
        data = copy.deepcopy(VALID)
        data["records"][Q_SAMPLE]["value"][0] = "nan"
        path = os.path.join(self.traces.path, "nan-result.json")
        with open(path, "w") as f:
            json.dump(data, f)
        result = _support.run_verify(path)
        self.assertEqual(result.code, 1, result.summary())
        failing = result.failing_findings()
        self.assertEqual([f["quantity"] for f in failing], ["q_sample"], result.summary())


def _check_refusal(self, name, words):
    result = self.result(name)
    self.assertLess(result.code, 128, "the verifier crashed: " + result.summary())
    self.assertEqual(result.code, 4, "expected exit 4 (cannot read the trace): " + result.summary())
    message = result.stderr
    self.assertTrue(message.strip(), "no message on stderr: " + result.summary())
    self.assertIn(os.path.basename(result.path), message, "stderr does not name the trace file: " + message[:600])
    for word in words:
        self.assertIn(word, message, "stderr does not name %r: %s" % (word, message[:600]))


def _make_test(name, position, field):
    def test(self):
        _check_refusal(self, name, ["records[%d]" % position, field])

    test.__name__ = "test_" + name
    return test


def _make_config_test(name, field):
    def test(self):
        _check_refusal(self, name, [field])

    test.__name__ = "test_" + name
    return test


for _name, (_, _position, _field) in CASES.items():
    setattr(FormulaBadInput, "test_" + _name, _make_test(_name, _position, _field))
for _name, (_, _field) in CONFIG_CASES.items():
    setattr(FormulaBadInput, "test_" + _name, _make_config_test(_name, _field))


if __name__ == "__main__":
    unittest.main()
