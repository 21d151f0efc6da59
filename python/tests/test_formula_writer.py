"""Unit tests of the formula-record writer (Trace.add_q_sample … add_cfg): the JSON each
method writes, and the ValueErrors it raises on inputs the trace format cannot hold.

These need numpy (and torch for the tensor cases) but not the verifier.
"""

import json
import os
import tempfile
import unittest

import numpy as np

import _support  # noqa: F401  (puts the source tree on sys.path)
import difftrace

try:
    import torch
except ImportError:  # the writer itself needs only numpy
    torch = None


def _trace(dtype="float32", T=1000, **config):
    return difftrace.Trace(dtype, config=dict(num_train_timesteps=T, **config))


def _only(trace):
    """The one record of `trace`, read back through JSON as the verifier would read it."""
    data = json.loads(trace.to_json())
    assert len(data["records"]) == 1, data["records"]
    return data["records"][0]


X = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
Y = np.array([[1.5, 0.0], [-2.0, 3.0]], dtype=np.float32)
Z = np.array([[0.1, 0.2], [0.3, 0.4]], dtype=np.float32)


class WrittenRecords(unittest.TestCase):
    def test_q_sample(self):
        record = _only(_trace().add_q_sample(np.int64(500), X, Y, Z))
        self.assertEqual(record["quantity"], "q_sample")
        self.assertEqual(record["timestep"], 500)
        self.assertEqual(record["x0"], [0.5, -1.0, 2.0, 0.25])
        self.assertEqual(record["noise"], [1.5, 0.0, -2.0, 3.0])
        self.assertEqual(record["value"], [float(v) for v in Z.reshape(-1)])  # float32 widened exactly
        self.assertEqual(record["shape"], [2, 2])

    def test_velocity(self):
        record = _only(_trace().add_velocity(0, X.reshape(-1), Y.reshape(-1), Z.reshape(-1)))
        self.assertEqual((record["quantity"], record["timestep"]), ("velocity", 0))
        self.assertNotIn("shape", record)  # a flat array has no shape to record
        self.assertEqual(set(record), {"quantity", "timestep", "x0", "noise", "value"})

    def test_conversion_writes_from_and_to(self):
        record = _only(_trace().add_conversion(999, "v_prediction", "score", X, Y, Z))
        self.assertEqual(record["from"], "v_prediction")
        self.assertEqual(record["to"], "score")
        self.assertEqual(record["timestep"], 999)
        self.assertEqual(record["x_t"], [0.5, -1.0, 2.0, 0.25])
        self.assertEqual(record["input"], [1.5, 0.0, -2.0, 3.0])
        self.assertNotIn("from_", record)

    def test_conversion_all_pairs_accepted(self):
        trace = _trace()
        for source in ("epsilon", "sample", "v_prediction"):
            for target in ("epsilon", "sample", "v_prediction", "score"):
                if source != target:
                    trace.add_conversion(10, source, target, X, Y, Z)
        self.assertEqual(len(trace.records), 9)

    def test_posterior_mean_and_variance(self):
        record = _only(
            _trace().add_posterior(500, X, Y, mean=Z, variance=np.float32(0.0123), prev_timestep=np.int64(400))
        )
        self.assertEqual(record["prev_timestep"], 400)
        self.assertEqual(record["variance"], float(np.float32(0.0123)))
        self.assertEqual(len(record["mean"]), 4)
        self.assertEqual(record["shape"], [2, 2])

    def test_posterior_mean_only_default_prev_and_clean_end(self):
        record = _only(_trace().add_posterior(5, X, Y, mean=Z))
        self.assertNotIn("prev_timestep", record)  # default τ − 1 is the verifier's
        self.assertNotIn("variance", record)
        record = _only(_trace().add_posterior(5, X, Y, variance=0.0, prev_timestep=-1))
        self.assertEqual((record["prev_timestep"], record["variance"]), (-1, 0.0))
        self.assertNotIn("mean", record)

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_posterior_variance_from_a_tensor(self):
        for variance in (torch.tensor(0.25), torch.tensor([0.25]), torch.tensor([[0.25]], dtype=torch.float16)):
            record = _only(_trace().add_posterior(5, X, Y, variance=variance))
            self.assertEqual(record["variance"], 0.25)

    def test_snr(self):
        record = _only(_trace().add_snr(np.array([0, 999]), np.array([9999.0, 4e-5], dtype=np.float32)))
        self.assertEqual(record, {"quantity": "snr", "timesteps": [0, 999],
                                  "values": [9999.0, float(np.float32(4e-5))]})
        self.assertTrue(all(type(t) is int for t in record["timesteps"]))

    def test_loss_weight_min_snr(self):
        record = _only(_trace().add_loss_weight("min_snr", [1, 2], [1.0, 0.5], gamma=np.float32(5.0),
                                                prediction_type="v_prediction"))
        self.assertEqual(record["weighting"], "min_snr")
        self.assertEqual(record["gamma"], 5.0)
        self.assertEqual(record["prediction_type"], "v_prediction")
        self.assertEqual(record["timesteps"], [1, 2])

    def test_loss_weight_vlb_without_prediction_type(self):
        record = _only(_trace().add_loss_weight("vlb", [1, 2], [1.0, 0.5]))
        self.assertNotIn("gamma", record)
        self.assertNotIn("prediction_type", record)  # the verifier takes the config's

    def test_cfg_defaults(self):
        record = _only(_trace().add_cfg(7.5, X.reshape(-1), Y.reshape(-1), Z.reshape(-1)))
        self.assertEqual(record["guidance_scale"], 7.5)
        self.assertEqual(record["convention"], "diffusers")
        self.assertEqual(record["guidance_rescale"], 0.0)
        self.assertNotIn("shape", record)  # one item
        self.assertEqual(record["uncond"], [0.5, -1.0, 2.0, 0.25])

    def test_cfg_batch_shape_from_the_value(self):
        u = np.zeros((2, 4, 4, 4), dtype=np.float32)
        record = _only(_trace().add_cfg(3, u, u, u, convention="ho_salimans", guidance_rescale=0.7))
        self.assertEqual(record["shape"], [2, 4, 4, 4])
        self.assertEqual(record["convention"], "ho_salimans")
        self.assertEqual(record["guidance_rescale"], 0.7)
        record = _only(_trace().add_cfg(3, u, u, u, shape=(1, 128)))
        self.assertEqual(record["shape"], [1, 128])

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_tensors(self):
        g = torch.Generator().manual_seed(0)
        x0, eps = torch.randn(2, 3, generator=g), torch.randn(2, 3, generator=g)
        t = torch.tensor(7)
        record = _only(_trace().add_q_sample(t, x0, eps, x0 + eps))
        self.assertEqual(record["timestep"], 7)
        self.assertEqual(record["x0"], [float(v) for v in x0.reshape(-1)])
        self.assertEqual(record["shape"], [2, 3])
        record = _only(_trace().add_snr(torch.arange(3), torch.ones(3)))
        self.assertEqual(record["timesteps"], [0, 1, 2])

    def test_non_finite_results_are_written_as_strings(self):
        nan = np.array([np.nan, np.inf, -np.inf, 1.0])
        trace = _trace().add_q_sample(1, X, Y, nan).add_posterior(1, X, Y, variance=float("nan"))
        data = json.loads(trace.to_json())
        self.assertEqual(data["records"][0]["value"], ["nan", "inf", "-inf", 1.0])
        self.assertEqual(data["records"][1]["variance"], "nan")

    def test_no_scheduler_needed_and_chaining(self):
        trace = (_trace("float64").add_alphas_cumprod(np.linspace(0.99, 0.01, 1000))
                 .add_q_sample(1, X, Y, Z).add_velocity(1, X, Y, Z).add_snr([1], [1.0])
                 .add_cfg(1.0, X, Y, Z))
        data = trace.to_dict()
        self.assertNotIn("scheduler", data)
        self.assertEqual([r["quantity"] for r in data["records"]],
                         ["alphas_cumprod", "q_sample", "velocity", "snr", "cfg"])
        with tempfile.TemporaryDirectory() as folder:
            path = trace.save(os.path.join(folder, "t.json"))
            with open(path) as f:
                self.assertEqual(json.load(f), json.loads(trace.to_json()))


class Refusals(unittest.TestCase):
    def assertRefused(self, pattern, call):
        with self.assertRaisesRegex(ValueError, pattern):
            call()

    def test_arrays_of_different_lengths(self):
        short = np.zeros(3)
        self.assertRefused(r"q_sample: noise has 3 values but x0 has 4", lambda: _trace().add_q_sample(1, X, short, Z))
        self.assertRefused(r"velocity: value has 3", lambda: _trace().add_velocity(1, X, Y, short))
        self.assertRefused(r"conversion: input has 3", lambda: _trace().add_conversion(1, "epsilon", "sample", X, short, Z))
        self.assertRefused(r"posterior: mean has 3", lambda: _trace().add_posterior(1, X, Y, mean=short))
        self.assertRefused(r"posterior: x_t has 3", lambda: _trace().add_posterior(1, X, short, variance=0.1))
        self.assertRefused(r"cfg: cond has 3", lambda: _trace().add_cfg(2.0, X, short, Z))
        self.assertRefused(r"snr: values has 1 numbers but timesteps has 2", lambda: _trace().add_snr([1, 2], [1.0]))
        self.assertRefused(r"loss_weight: values has 3",
                           lambda: _trace().add_loss_weight("vlb", [1, 2], [1.0, 2.0, 3.0]))

    def test_empty_arrays(self):
        self.assertRefused(r"q_sample: x0 is empty", lambda: _trace().add_q_sample(1, [], [], []))
        self.assertRefused(r"snr: no timesteps", lambda: _trace().add_snr([], []))

    def test_timestep_must_be_a_whole_number_in_range(self):
        self.assertRefused(r"q_sample: timestep .*whole number", lambda: _trace().add_q_sample(2.5, X, Y, Z))
        self.assertRefused(r"velocity: timestep is one number", lambda: _trace().add_velocity([1, 2], X, Y, Z))
        self.assertRefused(r"conversion: timestep -1 is negative",
                           lambda: _trace().add_conversion(-1, "epsilon", "sample", X, Y, Z))
        self.assertRefused(r"q_sample: timestep 1000 is past the schedule .*0 … 999",
                           lambda: _trace().add_q_sample(1000, X, Y, Z))
        self.assertRefused(r"snr: timesteps .*whole", lambda: _trace().add_snr([1.5], [1.0]))
        self.assertRefused(r"loss_weight: timesteps 10 is past", lambda: _trace(T=10).add_loss_weight(
            "min_snr", [10], [1.0], gamma=5))
        # A whole float (as a float32 tensor of timesteps holds) is a timestep.
        record = _only(_trace().add_q_sample(np.float32(3.0), X, Y, Z))
        self.assertIs(type(record["timestep"]), int)
        # Without num_train_timesteps in the config, τ is only checked to be 0 or more.
        difftrace.Trace("float32").add_q_sample(5000, X, Y, Z)

    def test_conversion_from_and_to(self):
        self.assertRefused(r"unknown from_ 'score'", lambda: _trace().add_conversion(1, "score", "epsilon", X, Y, Z))
        self.assertRefused(r"unknown from_ 'x0'.*'epsilon', 'sample', 'v_prediction'",
                           lambda: _trace().add_conversion(1, "x0", "epsilon", X, Y, Z))
        self.assertRefused(r"unknown to 'v'", lambda: _trace().add_conversion(1, "epsilon", "v", X, Y, Z))
        self.assertRefused(r"both 'sample'", lambda: _trace().add_conversion(1, "sample", "sample", X, Y, Z))

    def test_posterior(self):
        self.assertRefused(r"posterior: give mean=, variance= or both", lambda: _trace().add_posterior(5, X, Y))
        self.assertRefused(r"variance is ONE number.*got 4", lambda: _trace().add_posterior(5, X, Y, variance=Z))
        self.assertRefused(r"prev_timestep 5 is not in -1 … 4",
                           lambda: _trace().add_posterior(5, X, Y, variance=0.1, prev_timestep=5))
        self.assertRefused(r"prev_timestep -2 is not in",
                           lambda: _trace().add_posterior(5, X, Y, variance=0.1, prev_timestep=-2))
        with self.assertRaises(ValueError):
            _trace().add_posterior(5, X, Y, variance=0.1, prev_timestep=2.5)

    def test_loss_weight(self):
        self.assertRefused(r"unknown weighting 'snr'.*'min_snr', 'vlb'",
                           lambda: _trace().add_loss_weight("snr", [1], [1.0]))
        self.assertRefused(r"min_snr needs gamma=", lambda: _trace().add_loss_weight("min_snr", [1], [1.0]))
        for bad in (0, -5, float("inf"), float("nan")):
            self.assertRefused(r"gamma is γ > 0", lambda: _trace().add_loss_weight("min_snr", [1], [1.0], gamma=bad))
        self.assertRefused(r"gamma= is for weighting 'min_snr' only",
                           lambda: _trace().add_loss_weight("vlb", [1], [1.0], gamma=5))
        self.assertRefused(r"unknown prediction_type 'v'",
                           lambda: _trace().add_loss_weight("vlb", [1], [1.0], prediction_type="v"))
        self.assertRefused(r"gamma is one number",
                           lambda: _trace().add_loss_weight("min_snr", [1], [1.0], gamma=[5, 1]))

    def test_cfg(self):
        self.assertRefused(r"unknown convention 'imagen'.*'diffusers', 'ho_salimans'",
                           lambda: _trace().add_cfg(7.5, X, Y, Z, convention="imagen"))
        self.assertRefused(r"guidance_scale is a finite number", lambda: _trace().add_cfg(float("nan"), X, Y, Z))
        self.assertRefused(r"guidance_scale must be a number", lambda: _trace().add_cfg("7.5", X, Y, Z))
        for bad in (-0.1, 1.5, float("nan")):
            self.assertRefused(r"guidance_rescale is φ in \[0, 1\]",
                               lambda: _trace().add_cfg(7.5, X, Y, Z, guidance_rescale=bad))
        self.assertRefused(r"cfg: shape \[3, 2\] holds 6 values but the arrays have 4",
                           lambda: _trace().add_cfg(7.5, X, Y, Z, shape=(3, 2)))
        self.assertRefused(r"cfg: shape \[0, 4\] must have positive sizes",
                           lambda: _trace().add_cfg(7.5, X, Y, Z, shape=(0, 4)))

    def test_refusal_leaves_the_trace_unchanged(self):
        trace = _trace().add_snr([1], [1.0])
        with self.assertRaises(ValueError):
            trace.add_q_sample(1, X, np.zeros(3), Z)
        with self.assertRaises(ValueError):
            trace.add_cfg(7.5, X, Y, Z, convention="imagen")
        self.assertEqual(len(trace.records), 1)

    def test_non_numeric_arrays(self):
        with self.assertRaises(TypeError):
            _trace().add_q_sample(1, ["a"], ["b"], ["c"])


if __name__ == "__main__":
    unittest.main()
