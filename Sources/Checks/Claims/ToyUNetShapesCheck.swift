import CheckCore
import Neural

/// 002 (the DDPM U-Net's network structure): MaxPool2d with kernel 2 halves 64×64 to 32×32;
/// the upsampled tensor and the skip are both (64, 64, 64) and are concatenated; a final 1×1
/// Conv2d maps (64, 64, 64) to (3, 64, 64). True: pooling by 2 gives ⌊64/2⌋ = 32; the project's
/// channel concatenation of the two gives (128, 64, 64), the width the next ResNet reads; its
/// 1×1 convolution 64 → 3 keeps 64×64 and has 64·3 + 3 = 195 parameters.
let toyUNetShapesCheck = CheckDefinition(
    id: "notes.toy-unet-shapes",
    title: "The DDPM U-Net's shapes: pooling 64 → 32, the skip concatenated to (128, 64, 64), a 1×1 conv of 195 parameters to (3, 64, 64)",
    parameters: [],
    mutations: [Mutation("added", "the skip added instead of concatenated (64 channels)")],
    verdict: .true,
    sources: [Note.n002.at("245"), Note.n002.at("268"), Note.n002.at("271")]
) { context in
    var stream = context.randomStream
    let tape = Tape()
    tape.isRecording = false
    func map(_ channels: Int, _ side: Int) -> Variable {
        tape.input(shape: [1, channels, side, side]) { for k in 0..<(channels * side * side) { $0[k] = Float(stream.normal()) } }
    }
    let (upsampled, skip) = (map(64, 64), map(64, 64))
    let joined = context.mutated("added") ? tape.add(upsampled, skip) : tape.concatChannels([upsampled, skip])
    let head = Conv2d(name: "out", inputs: 64, outputs: 3, kernel: 1, stream: &stream)
    let output = tape.value(head(map(64, 64), on: tape))
    let pooledSide = 64 / 2  // MaxPool2d(kernel 2, stride 2): ⌊(64 − 2)/2⌋ + 1
    return [
        .exact("MaxPool2d(2): 64 → ⌊(64 − 2)/2⌋ + 1", closedForm: Double((64 - 2) / 2 + 1), exact: Double(pooledSide)),
        .holds("upsampled (64, 64, 64) with the skip (64, 64, 64): \(tape.value(joined).shape.dropFirst())", value: Double(tape.value(joined).shape[1]),
               rule: "= 128 channels: concatenated", pass: tape.value(joined).shape == [1, 128, 64, 64]),
        .holds("1×1 conv 64 → 3 on (64, 64, 64): \(output.shape.dropFirst())", value: Double(output.shape[1]), rule: "= (3, 64, 64)", pass: output.shape == [1, 3, 64, 64]),
        .exact("its parameters, 64·3 + 3", closedForm: Double(head.parameters.reduce(0) { $0 + $1.value.count }), exact: 195),
    ]
}
