"""python -m diffusers_parity run PRESET [--out DIR] [--threads N] [--seed S] [--json]
python -m diffusers_parity bench PRESET [--threads N …] [--repeats R]
python -m diffusers_parity pipeline DIR [--prompt P] [--n N] [--guidance W] [--steps S] [--seed S]"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

from . import bench, compare, configs, pipeline
from .runner import BinaryMissing, SwiftFailed, lessons_binary, run


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m diffusers_parity", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    go = sub.add_parser("run", help="build a preset's U-Net with diffusers, run it in Swift, compare every module")
    go.add_argument("preset", choices=sorted(configs.PRESETS) + sorted(configs.AUTOENCODERS))
    go.add_argument("--out", help="keep the model, inputs and outputs in this folder")
    go.add_argument("--threads", type=int, default=2)
    go.add_argument("--seed", type=int, default=0)
    go.add_argument("--json", action="store_true")
    timing = sub.add_parser("bench", help="time and peak memory of one forward pass, diffusers and Swift side by side")
    timing.add_argument("preset", choices=sorted(configs.PRESETS))
    timing.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    timing.add_argument("--repeats", type=int, default=1)
    images = sub.add_parser("pipeline", help="an exported latent model (lessons export-model) in diffusers' StableDiffusionPipeline against the Swift sampler")
    images.add_argument("folder")
    images.add_argument("--prompt", default="ankle boot")
    images.add_argument("--n", type=int, default=8)
    images.add_argument("--guidance", type=float, default=3.0)
    images.add_argument("--steps", type=int, default=20)
    images.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    try:
        lessons_binary()  # before any of diffusers' work: the Swift side is half of every command
    except BinaryMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    if arguments.command == "pipeline":
        result = pipeline.compare(arguments.folder, arguments.prompt, arguments.n, arguments.guidance, arguments.steps, arguments.seed)
        print(json.dumps(result, indent=2))
        return 0
    if arguments.command == "bench":
        with tempfile.TemporaryDirectory() as scratch:
            print(bench.report(arguments.preset, bench.bench(arguments.preset, scratch, arguments.threads, repeats=arguments.repeats)))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(arguments.out or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            rows, timings = run(arguments.preset, folder, arguments.threads, arguments.seed)
        except SwiftFailed as error:
            print(error, file=sys.stderr)
            return 4
    if arguments.json:
        print(json.dumps({"preset": arguments.preset, "tolerance": compare.TOLERANCE, **timings,
                          "modules": [dict(name=r[0], shape=list(r[1]), swift=r[2], torch_float32=r[3], passed=r[4]) for r in rows]}))
    else:
        print(compare.report(rows))
        print(timings["swift"])
        print("PyTorch Float32 forward: %.2f s on %d thread(s)" % (timings["torch_float32_forward_seconds"], arguments.threads))
    return 0 if rows and all(r[4] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
