"""Unit tests of the trace writer: encoding, exactness, atomic writes, flattening, errors.

These need numpy (and torch for the tensor cases) but not the verifier.
"""

import json
import math
import os
import stat
import tempfile
import unittest
from unittest import mock

import numpy as np

import _support  # noqa: F401  (puts the source tree on sys.path)
import difftrace
from difftrace import values

try:
    import torch
except ImportError:  # the writer itself needs only numpy
    torch = None


def _minimal_trace():
    return difftrace.Trace("float32", config={"num_train_timesteps": 4}).add_betas([0.1, 0.2, 0.3, 0.4])


class NonFiniteEncoding(unittest.TestCase):
    def test_nan_and_infinities_become_strings(self):
        self.assertEqual(
            values.float_list([1.5, float("nan"), float("inf"), -float("inf")]),
            [1.5, "nan", "inf", "-inf"],
        )

    def test_float32_nonfinite(self):
        arr = np.array([np.nan, np.inf, -np.inf, 2.0], dtype=np.float32)
        self.assertEqual(values.float_list(arr), ["nan", "inf", "-inf", 2.0])

    def test_written_file_is_strict_json(self):
        trace = difftrace.Trace("float32", config={"beta_start": float("nan")})
        trace.add_betas([float("nan"), 1.0, float("-inf")])
        with tempfile.TemporaryDirectory() as folder:
            path = trace.save(os.path.join(folder, "t.json"))
            with open(path) as f:
                text = f.read()
        self.assertNotIn("NaN", text)
        self.assertNotIn("Infinity", text)

        def refuse(token):
            raise AssertionError("bare %s in the file" % token)

        data = json.loads(text, parse_constant=refuse)
        self.assertEqual(data["records"][0]["values"], ["nan", 1.0, "-inf"])
        self.assertEqual(data["config"]["beta_start"], "nan")

    def test_config_values_become_plain(self):
        config = {
            "a": np.float32(0.1),
            "b": np.int64(7),
            "c": np.bool_(True),
            "d": np.array([1.0, 2.0], dtype=np.float32),
            "e": (1, 2),
            "f": None,
        }
        if torch is not None:
            config["g"] = torch.tensor([0.5, 0.25])
            config["h"] = torch.tensor(3)
        plain = difftrace.Trace("float32", config=config).config
        self.assertEqual(plain["a"], float(np.float32(0.1)))
        self.assertIs(type(plain["b"]), int)
        self.assertIs(plain["c"], True)
        self.assertEqual(plain["d"], [1.0, 2.0])
        self.assertEqual(plain["e"], [1, 2])
        self.assertIsNone(plain["f"])
        if torch is not None:
            self.assertEqual(plain["g"], [0.5, 0.25])
            self.assertEqual(plain["h"], 3)
        json.dumps(plain, allow_nan=False)

    def test_config_object_value_is_an_error(self):
        with self.assertRaises(TypeError):
            difftrace.Trace("float32", config={"model": object()})


class ExactRoundTrip(unittest.TestCase):
    def test_float32_values_read_back_bit_for_bit(self):
        rng = np.random.default_rng(0)
        raw = rng.standard_normal(20000).astype(np.float32)
        raw = np.concatenate([
            raw,
            np.array([np.finfo(np.float32).tiny, np.finfo(np.float32).max, 1e-45, -0.0, 0.1], dtype=np.float32),
        ])
        text = json.dumps(values.float_list(raw))
        back = np.array(json.loads(text), dtype=np.float64).astype(np.float32)
        self.assertTrue(np.array_equal(back.view(np.uint32), raw.view(np.uint32)))

    def test_float32_is_widened_not_rounded_to_a_short_decimal(self):
        # float32(0.1) is 0.100000001490116…; writing "0.1" would be another number.
        self.assertEqual(values.float_list(np.array([0.1], dtype=np.float32)), [0.10000000149011612])

    def test_float64_round_trip(self):
        raw = np.random.default_rng(1).standard_normal(5000)
        back = np.array(json.loads(json.dumps(values.float_list(raw))))
        self.assertTrue(np.array_equal(back, raw))

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_half_precision_tensors(self):
        for dtype in (torch.float16, torch.bfloat16):
            t = torch.randn(100, generator=torch.Generator().manual_seed(3)).to(dtype)
            back = torch.tensor(json.loads(json.dumps(values.float_list(t))), dtype=torch.float64).to(dtype)
            self.assertTrue(torch.equal(back, t), dtype)


class Flattening(unittest.TestCase):
    def test_row_major_order(self):
        arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
        self.assertEqual(values.float_list(arr), [float(i) for i in range(24)])

    def test_fortran_ordered_and_strided_arrays_are_read_in_c_order(self):
        arr = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))
        self.assertEqual(values.float_list(arr), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
        self.assertEqual(values.float_list(np.arange(10.0)[::3]), [0.0, 3.0, 6.0, 9.0])

    def test_nested_lists(self):
        self.assertEqual(values.float_list([[1, 2], [3, 4]]), [1.0, 2.0, 3.0, 4.0])

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_tensor_row_major_including_transposed(self):
        t = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
        self.assertEqual(values.float_list(t), [0.0, 3.0, 1.0, 4.0, 2.0, 5.0])

    def test_step_shape_from_sample(self):
        sample = np.zeros((1, 2, 3, 3), dtype=np.float32)
        trace = difftrace.Trace("float32", scheduler="ddpm")
        trace.add_step(5, sample, sample, sample)
        self.assertEqual(trace.records[0]["shape"], [1, 2, 3, 3])
        self.assertEqual(len(trace.records[0]["sample"]), 18)
        self.assertIsNone(trace.records[0]["noise"])

    def test_timesteps_are_integers(self):
        trace = difftrace.Trace("float32").add_timesteps(np.array([9, 5, 1]), 3)
        self.assertEqual(trace.records[0]["values"], [9, 5, 1])
        self.assertTrue(all(type(v) is int for v in trace.records[0]["values"]))
        with self.assertRaises(ValueError):
            difftrace.Trace("float32").add_timesteps([9.5, 1.0], 2)

    def test_sigma_space_timesteps_may_be_fractional(self):
        for kind in ("euler", "euler_ancestral"):
            trace = difftrace.Trace("float32", scheduler=kind)
            trace.add_timesteps(np.array([999.0, 832.5, 0.0], dtype=np.float32), 3)
            self.assertEqual(trace.records[0]["values"], [999.0, 832.5, 0.0])
        # DDPM and DDIM timesteps stay whole numbers.
        with self.assertRaises(ValueError):
            difftrace.Trace("float32", scheduler="ddim").add_timesteps([832.5], 1)

    def test_dpm_timesteps_are_integers_when_whole(self):
        trace = difftrace.Trace("float32", scheduler="dpmpp_2m")
        trace.add_timesteps(np.array([999, 868, 0], dtype=np.int64), 3)
        trace.add_timesteps(np.array([999.0, 868.0], dtype=np.float32), 2)
        trace.add_timesteps(np.array([999.0, 832.5], dtype=np.float32), 2)  # a learner's, fractional
        written = [r["values"] for r in trace.records]
        self.assertEqual(written, [[999, 868, 0], [999, 868], [999.0, 832.5]])
        self.assertEqual([type(v) for v in written[1]], [int, int])
        self.assertEqual([type(v) for v in written[2]], [float, float])
        x = np.zeros((1, 1, 2, 2), dtype=np.float32)
        trace.add_step(np.int64(868), x, x, x, index=1)
        trace.add_step(np.float32(832.5), x, x, x, index=2)
        self.assertEqual([(r["index"], r["timestep"]) for r in trace.records[3:]], [(1, 868), (2, 832.5)])
        self.assertIs(type(trace.records[3]["timestep"]), int)
        with self.assertRaisesRegex(ValueError, "index="):
            trace.add_step(999, x, x, x)

    def test_sigmas_record_is_exact(self):
        levels = np.array([14.614647, 0.029167533, 0.0], dtype=np.float32)
        trace = difftrace.Trace("float32", scheduler="euler").add_sigmas(levels)
        self.assertEqual(trace.records[0], {"quantity": "sigmas", "values": [float(v) for v in levels]})

    def test_sigma_space_step_has_its_index(self):
        x = np.zeros((1, 1, 2, 2), dtype=np.float32)
        trace = difftrace.Trace("float32", scheduler="euler_ancestral")
        trace.add_step(np.float32(832.5), x, x, x, noise=x, index=np.int64(1))
        record = trace.records[0]
        self.assertEqual((record["index"], record["timestep"]), (1, 832.5))
        self.assertIs(type(record["index"]), int)
        self.assertEqual(record["noise"], [0.0] * 4)
        with self.assertRaisesRegex(ValueError, "index="):
            trace.add_step(999.0, x, x, x)
        with self.assertRaisesRegex(ValueError, "index"):
            trace.add_step(999.0, x, x, x, index=-1)

    def test_index_is_only_for_sigma_space_steps(self):
        x = np.zeros((1, 1, 2, 2))
        with self.assertRaisesRegex(ValueError, "index="):
            difftrace.Trace("float64", scheduler="ddpm").add_step(5, x, x, x, index=0)

    def test_non_numeric_values_are_refused(self):
        with self.assertRaises(TypeError):
            values.float_list(["a", "b"])
        with self.assertRaises(TypeError):
            values.float_list(np.array([True, False]))


class AtomicWrite(unittest.TestCase):
    def test_save_replaces_and_leaves_no_temporary_files(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "t.json")
            with open(path, "w") as f:
                f.write("old")
            _minimal_trace().save(path)
            self.assertEqual(os.listdir(folder), ["t.json"])
            with open(path) as f:
                self.assertEqual(json.load(f)["format"], "difftrace")

    def test_failed_write_keeps_the_old_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "t.json")
            with open(path, "w") as f:
                f.write("old")
            with mock.patch("difftrace.trace.os.replace", side_effect=OSError("disk gone")):
                with self.assertRaises(OSError):
                    _minimal_trace().save(path)
            with open(path) as f:
                self.assertEqual(f.read(), "old")
            self.assertEqual(os.listdir(folder), ["t.json"])

    def test_a_trace_that_cannot_be_serialised_writes_nothing(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "t.json")
            with self.assertRaises(ValueError):
                difftrace.Trace("float32").save(path)  # no records
            self.assertEqual(os.listdir(folder), [])

    def test_file_mode_follows_the_umask(self):
        with tempfile.TemporaryDirectory() as folder:
            path = _minimal_trace().save(os.path.join(folder, "t.json"))
            mask = os.umask(0o022)
            os.umask(mask)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o666 & ~mask)


class Errors(unittest.TestCase):
    def test_bad_kind(self):
        with self.assertRaisesRegex(ValueError, "ddpm.*ddim"):
            difftrace.Trace("float32", scheduler="lms")

    def test_bad_dtype(self):
        with self.assertRaisesRegex(ValueError, "float32"):
            difftrace.Trace("float8")

    def test_steps_need_a_kind(self):
        trace = difftrace.Trace("float32").add_step(1, [0.0], [0.0], [0.0])
        with self.assertRaisesRegex(ValueError, "scheduler="):
            trace.to_dict()

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_record_bad_kind_and_unknown_class(self):
        class NotAScheduler:
            pass

        with self.assertRaisesRegex(ValueError, "kind="):
            difftrace.record(NotAScheduler(), "/nonexistent/t.json")
        with self.assertRaisesRegex(ValueError, "unknown scheduler kind 'lms'"):
            difftrace.record(NotAScheduler(), "/nonexistent/t.json", kind="lms")

    def test_file_layout(self):
        data = _minimal_trace().to_dict()
        self.assertEqual(data["format"], "difftrace")
        self.assertEqual(data["version"], 1)
        self.assertEqual(data["dtype"], "float32")
        self.assertEqual(data["producer"]["difftrace"], difftrace.__version__)
        self.assertNotIn("scheduler", data)
        self.assertEqual(data["records"][0]["quantity"], "betas")


if __name__ == "__main__":
    unittest.main()
