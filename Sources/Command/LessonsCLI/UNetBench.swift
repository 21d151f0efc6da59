import ArgumentParser
import Foundation
import LatentDiffusion
import Neural
import Stochastic

/// `lessons bench unet`: training throughput of the benchmark U-Net (1,613,508 parameters,
/// `UNetConfiguration.benchmark`, the same work as scripts/bench-pytorch-unet.py): latents
/// 4×8×8 from N(0, I), batch 64, a class-embedding context, MSE on ε, Adam; and the share
/// of the cores' time in the step spent in sgemm, with sgemm's speed per core.
struct UNetBenchOptions: ParsableArguments {
    @Option(name: .customLong("unet-steps"), help: "unet: timed training steps of 64 images, after 3 warm-up steps (1…10000).")
    var unetSteps = 20

    func validate() throws {
        guard (1...10_000).contains(unetSteps) else {
            throw ValidationError("--unet-steps must be between 1 and 10000 (got \(unetSteps))")
        }
    }

    struct Figures: Encodable {
        var trainImagesPerSecond: Double
        var threads: Int
        var parameters: Int
        var batchSize: Int
        var steps: Int
        var sgemmShare: Double
        var sgemmGFLOPS: Double
        var blas: String
    }

    func run(threads: Int, json: Bool) throws {
        BLAS.threads = threads
        let warmup = 3, batch = 64, examples = (warmup + unetSteps) * batch
        var stream = RandomStream(seed: 0, stream: 0x4245_4E43)
        let model = UNet(.benchmark, stream: &stream)
        let context = ClassContext(stream: &stream)
        let codes = LatentCodes(standardNormal: examples, seed: 1)
        let task = UNetTask(model: model, conditioning: .classes(context), codes: codes, schedule: LatentPipeline.defaultSchedule(), scaleFactor: 1, dropPrompt: 0)
        var configuration = LatentTrainingConfiguration()
        configuration.batchSize = batch
        configuration.epochs = 1
        let trainer = LatentTrainer(task: task, examples: examples, configuration: configuration)
        for _ in 0..<warmup { trainer.trainStep() }
        let gemm = GemmUse.measure(threads: threads) {
            for _ in 0..<unetSteps { trainer.trainStep() }
        }
        let figures = Figures(
            trainImagesPerSecond: Double(unetSteps * batch) / gemm.seconds, threads: threads,
            parameters: task.parameters.reduce(0) { $0 + $1.value.count }, batchSize: batch, steps: unetSteps,
            sgemmShare: gemm.share, sgemmGFLOPS: gemm.gflops, blas: "OpenBLAS " + openBLASCoreName)
        if json {
            try Terminal.printJSON(figures)
            return
        }
        print("Benchmark U-Net (\(figures.parameters) parameters, batch \(batch), \(threads) thread(s), \(figures.blas)):")
        print(String(format: "  training            %8.1f images/s", figures.trainImagesPerSecond))
        print(String(format: "  time in sgemm       %8.1f %% of the cores' time (%.1f GFLOP/s per core inside sgemm)", 100 * figures.sgemmShare, figures.sgemmGFLOPS))
    }
}
