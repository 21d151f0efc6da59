import ArgumentParser
import Foundation
import Stochastic

extension LessonsCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure speed: `normal` (N(0,1) draws per second on one core), `toy` (training steps/s and sampling time of the swiss-roll model, the FLOPs of their matrix products, the share of the time in sgemm, the limits that sgemm's speed and one core's fused multiply-add peak put on both, and the `samplers` report), `unet` (training images/s of the benchmark U-Net), `samplers` (each sampler of the toy model: SW₂ over the noise floor against network evaluations, seconds per run, and the fewest evaluations that reach the quality bar).")

        enum Target: String, ExpressibleByArgument, CaseIterable {
            case normal, toy, unet, samplers
        }

        @Argument(help: "What to measure: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
        var target: Target

        @Option(help: "normal: draws per timed batch (1000…100000000).")
        var count = 1_000_000

        @Option(help: "normal: timed batches; the best and the median are reported (1…1000).")
        var repeats = 20

        @OptionGroup var toy: ToyBenchOptions

        @OptionGroup var unet: UNetBenchOptions

        @OptionGroup var samplers: SamplerBenchOptions

        @Option(help: "toy, samplers: threads for sampling (training always runs on one thread, bit-for-bit reproducible); unet: threads for training (1…64; OpenBLAS itself runs on one, the products are split into bands).")
        var threads = 1

        @Flag(help: "toy, unet, samplers: print one JSON object instead of a table.")
        var json = false

        func validate() throws {
            try toy.validate()
            try unet.validate()
            try samplers.validate()
            guard (1...64).contains(threads) else {
                throw ValidationError("--threads must be between 1 and 64 (got \(threads))")
            }
            guard (1000...100_000_000).contains(count) else {
                throw ValidationError("--count must be between 1000 and 100000000 (got \(count))")
            }
            guard (1...1000).contains(repeats) else {
                throw ValidationError("--repeats must be between 1 and 1000 (got \(repeats))")
            }
        }

        func run() throws {
            #if DEBUG
            Terminal.printError("this is a debug build: figures are meaningless; build with `swift build -c release`")
            #endif
            if target == .toy {
                try toy.run(threads: threads, json: json, samplers: samplers)
                // The text report goes on with each sampler's evaluations and time to the bar.
                if !json, toy.samplePoints >= 2 {
                    print("")
                    try samplers.run(points: toy.samplePoints, threads: threads, json: false)
                }
                return
            }
            if target == .unet { return try unet.run(threads: threads, json: json) }
            if target == .samplers {
                try samplers.run(points: toy.samplePoints, threads: threads, json: json)
                return
            }
            print("N(0,1) draws per second, one thread, \(repeats) batches of \(count):")
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            defer { buffer.deallocate() }
            var stream = RandomStream(seed: 1)
            report("xoshiro256++ ziggurat, fillNormal", measure(buffer) { stream.fillNormal($0) })
            report("xoshiro256++ ziggurat, normal() per draw", measure(buffer) { b in
                for i in b.indices { b[i] = stream.normal() }
            })
            for generator in [RandomGenerator.mt19937, .ranlxd2] {
                var gsl = RandomStream(seed: 1, generator: generator)
                report("GSL \(generator.rawValue) + gsl_ran_gaussian_ziggurat", measure(buffer) { gsl.fillNormal($0) })
            }
        }

        /// Rates in draws per second over the batches (sorted ascending).
        func measure(_ buffer: UnsafeMutableBufferPointer<Double>, _ fill: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
            fill(buffer)  // warm up
            var rates: [Double] = []
            var checksum = 0.0
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                fill(buffer)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                checksum += buffer[buffer.count / 2]
                rates.append(Double(buffer.count) / seconds)
            }
            if checksum.isNaN { print("(NaN drawn)") }
            return rates.sorted()
        }

        func report(_ label: String, _ rates: [Double]) {
            let median = rates[rates.count / 2], best = rates.last ?? 0
            print("  " + label.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: "median %7.1f M/s   best %7.1f M/s", median / 1e6, best / 1e6))
        }
    }
}
