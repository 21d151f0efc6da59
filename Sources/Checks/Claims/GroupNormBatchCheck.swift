import CheckCore
import Neural
import Stochastic

/// 002 (the U-Net's structure, GroupNorm against BatchNorm): GroupNorm normalizes each sample
/// with its own statistics, so it does not depend on the batch size or on the other samples,
/// unlike BatchNorm. True, checked on the project's own `Tape.groupNorm` in Float32: sample 0's
/// output is the same, bit for bit, alone and inside a batch of 4; BatchNorm's (statistics over
/// the batch, computed here) changes when the other samples change.
let groupNormBatchCheck = CheckDefinition(
    id: "notes.groupnorm-batch",
    title: "GroupNorm does not depend on the batch: a sample's output alone = inside a batch (BatchNorm's changes)",
    parameters: [],
    mutations: [Mutation("batch-statistics", "GroupNorm's mean and variance taken over the whole batch, as BatchNorm does")],
    verdict: .true,
    sources: [Note.n002.at("644–649")]
) { context in
    let (channels, pixels, groups, count) = (8, 16, 2, 4)
    let perSample = channels * pixels
    var stream = context.randomStream
    let batch: [Float] = (0..<(count * perSample)).map { _ in Float(stream.normal() * 2 + 0.5) }
    /// The entries of channel c of sample b, in [B, C, P] order.
    func channel(_ values: [Float], _ b: Int, _ c: Int) -> ArraySlice<Float> {
        values[(b * perSample + c * pixels)..<(b * perSample + (c + 1) * pixels)]
    }
    func groupNormed(_ values: [Float], samples: Int) -> [Float] {
        let tape = Tape()
        tape.isRecording = false
        let gamma = tape.constant(Tensor(shape: [channels], values: [Float](repeating: 1, count: channels)))
        let beta = tape.constant(Tensor(zeros: [channels]))
        guard context.mutated("batch-statistics") else {
            let x = tape.constant(Tensor(shape: [samples, channels, pixels], values: values))
            return tape.value(tape.groupNorm(x, groups: groups, gamma: gamma, beta: beta)).values
        }
        // One "sample" holding the whole batch side by side: the statistics mix every sample.
        var pooled: [Float] = []
        for c in 0..<channels {
            for b in 0..<samples { pooled += channel(values, b, c) }
        }
        let x = tape.constant(Tensor(shape: [1, channels, samples * pixels], values: pooled))
        let y = tape.value(tape.groupNorm(x, groups: groups, gamma: gamma, beta: beta)).values
        var out: [Float] = []
        for b in 0..<samples {
            for c in 0..<channels {
                let start = (c * samples + b) * pixels
                out += y[start..<(start + pixels)]
            }
        }
        return out
    }
    let alone = groupNormed(Array(batch[0..<perSample]), samples: 1)
    let inBatch = Array(groupNormed(batch, samples: count)[0..<perSample])
    var difference = 0.0
    for (a, b) in zip(alone, inBatch) { difference = max(difference, Double(abs(a - b))) }
    // BatchNorm (training mode): per channel, statistics over the batch and the pixels; sample 0's output.
    func batchNormed(_ values: [Float], samples: Int) -> [Double] {
        var out: [Double] = []
        for c in 0..<channels {
            var entries: [Double] = []
            for b in 0..<samples { entries += channel(values, b, c).map { Double($0) } }
            let mean = entries.reduce(0, +) / Double(entries.count)
            let variance = entries.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(entries.count)
            out += channel(values, 0, c).map { (Double($0) - mean) / (variance + 1e-5).squareRoot() }
        }
        return out
    }
    var batchChange = 0.0
    for (a, b) in zip(batchNormed(Array(batch[0..<perSample]), samples: 1), batchNormed(batch, samples: count)) { batchChange = max(batchChange, abs(a - b)) }
    return [
        .holds("GroupNorm: max |sample 0 alone − sample 0 in a batch of 4|", value: difference, rule: "= 0: independent of the batch", pass: difference == 0),
        .holds("BatchNorm: max |sample 0 alone − sample 0 in a batch of 4|", value: batchChange, rule: "> 0.1: depends on the batch", pass: batchChange > 0.1),
    ]
}
