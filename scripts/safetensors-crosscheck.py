#!/usr/bin/env python3
"""Cross-check the Swift safetensors reader/writer (Sources/Models/Neural/Safetensors.swift)
against Python's real `safetensors` package (pip install safetensors; needs numpy).

  scripts/safetensors-crosscheck.py write FILE   write the fixture tensors with
                                                 safetensors.numpy.save_file (this wrote
                                                 Tests/NeuralTests/Fixtures/python-written.safetensors)
  scripts/safetensors-crosscheck.py read FILE    load FILE with safetensors and print
                                                 metadata, names, shapes, values (and bits)
  scripts/safetensors-crosscheck.py check-swift FILE
                                                 read, then compare with what the Swift test
                                                 "Writes the cross-check file" puts there,
                                                 and each tensor's CRC-32 in the "crc32"
                                                 metadata against zlib.crc32
                                                 (exit 1 on any difference)

The Swift side:
  SAFETENSORS_CROSSCHECK_OUT=/tmp/swift.safetensors swift test ... --filter NeuralTests.Safetensors
  SAFETENSORS_CROSSCHECK_IN=/tmp/python.safetensors swift test ... --filter NeuralTests.Safetensors
"""
import json
import struct
import sys
import zlib

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

# What `write` saves (and the Swift fixture test expects, value for value).
PYTHON_TENSORS = {
    "bias": np.array([-0.0, 1.5, -2.25], dtype=np.float32),
    "empty": np.zeros((0, 4), dtype=np.float32),
    "scalar": np.array(np.pi, dtype=np.float32),
    "weight": np.array([[1.0, -1.0, 0.5], [np.float32(1.4e-45), np.inf, -np.inf]], dtype=np.float32),
}
PYTHON_METADATA = {"written_by": "scripts/safetensors-crosscheck.py"}  # one key: Python orders metadata by a hash map

# What the Swift test writes to $SAFETENSORS_CROSSCHECK_OUT (in that order).
SWIFT_TENSORS = [
    ("layer.0.weight", (2, 2), [0.25, -0.0, 3.4028234663852886e38, 1.1754943508222875e-38]),
    ("ε_θ", (3,), [float("inf"), float("-inf"), 1.401298464324817e-45]),
    ("scalar", (), [-7.5]),
    ("nothing", (0,), []),
]
SWIFT_METADATA = {"written_by": "Tests/NeuralTests/SafetensorsTests.swift", "quote\"and\nnewline": "ü"}


def bits(array):
    return " ".join(f"{b:08x}" for b in array.reshape(-1).view(np.uint32))


def read(path):
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    with open(path, "rb") as raw:
        (length,) = struct.unpack("<Q", raw.read(8))
        header = raw.read(length)
    print(f"{path}: header {length} bytes: {header.decode('utf-8')!r}")
    print(f"metadata: {metadata}")
    for name, array in tensors.items():
        print(f"{name}: dtype {array.dtype}, shape {list(array.shape)}, values {array.reshape(-1).tolist()}, bits [{bits(array)}]")
    return metadata, tensors


def check_swift(path):
    metadata, tensors = read(path)
    problems = []
    # The Swift writer adds "crc32": each tensor's CRC-32 (zlib's) of its raw little-endian bytes.
    checksums = json.loads(metadata.pop("crc32", "null") or "null")
    if checksums is None:
        problems.append("no crc32 metadata")
    else:
        for name, array in tensors.items():
            expected = f"{zlib.crc32(array.astype('<f4').tobytes()):08x}"
            if checksums.get(name) != expected:
                problems.append(f"{name}: crc32 {checksums.get(name)} != zlib's {expected}")
        if sorted(checksums) != sorted(tensors):
            problems.append(f"crc32 names {sorted(checksums)}")
    if metadata != SWIFT_METADATA:
        problems.append(f"metadata {metadata} != {SWIFT_METADATA}")
    if sorted(tensors) != sorted(name for name, _, _ in SWIFT_TENSORS):
        problems.append(f"names {sorted(tensors)}")
    for name, shape, values in SWIFT_TENSORS:
        array = tensors.get(name)
        expected = np.array(values, dtype=np.float32).reshape(shape)
        if array is None or array.dtype != np.float32 or array.shape != shape or bits(array) != bits(expected):
            problems.append(f"{name}: got {array!r}, expected {expected!r}")
    for problem in problems:
        print("MISMATCH", problem)
    print("check-swift:", "OK, every name, shape, value bit, metadata entry and CRC-32 agrees" if not problems else f"{len(problems)} mismatches")
    return 0 if not problems else 1


def main(argv):
    if len(argv) != 3 or argv[1] not in ("write", "read", "check-swift"):
        print(__doc__, file=sys.stderr)
        return 2
    command, path = argv[1], argv[2]
    if command == "write":
        save_file(PYTHON_TENSORS, path, metadata=PYTHON_METADATA)
        read(path)
        return 0
    if command == "read":
        read(path)
        return 0
    return check_swift(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
