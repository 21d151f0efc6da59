import CheckCore
import LatentDiffusion
import Neural
import Stochastic

/// The side of a square feature map after `layer` (run on a 1-channel map of side `n`).
private func side(after layer: (Variable, Tape) -> Variable, from n: Int, stream: inout RandomStream) -> Int {
    let tape = Tape()
    tape.isRecording = false
    let x = tape.input(shape: [1, 1, n, n]) { for k in 0..<(n * n) { $0[k] = Float(stream.normal()) } }
    return tape.value(layer(x, tape)).shape[3]
}

/// 002 (the U-Net's DownSample; the VAE's structure): the U-Net downsamples with a 3×3
/// convolution of stride 2 and padding 1; the VAE pads and convolves, and its encoder has three
/// down blocks. True, run on the project's layers: the U-Net's `Downsample` takes 64 → 32 → 16
/// → 8 (and 65 → 33, 63 → 32: ⌊(n + 2 − 3)/2⌋ + 1); the VAE's pad-after-then-convolve
/// (diffusers' AutoencoderKL, `padTrailing`) takes 512 → 256 → 128 → 64, f = 2³ = 8.
let downsampleCheck = CheckDefinition(
    id: "notes.downsample-conv",
    title: "Stride-2 downsampling: the U-Net's 3×3 conv with padding 1 halves 64 → 32 → 16 → 8; the VAE's pad-then-conv halves 512 → 64 in three steps",
    parameters: [],
    mutations: [Mutation("no-padding", "the U-Net's convolution without padding (64 → 31)")],
    verdict: .true,
    sources: [Note.n002.at("662"), Note.n002.at("788"), Note.n002.at("533"), Note.n002.at("540")]
) { context in
    var stream = context.randomStream
    let padded = Conv2d(name: "down", inputs: 1, outputs: 1, kernel: 3, stride: 2, padding: context.mutated("no-padding") ? 0 : 1, stream: &stream)
    let vae = Conv2d(name: "vae.down", inputs: 1, outputs: 1, kernel: 3, stride: 2, padding: 0, stream: &stream)
    var rows: [CheckRow] = []
    var n = 64
    for expected in [32, 16, 8] {
        let out = side(after: { padded($0, on: $1) }, from: n, stream: &stream)
        rows.append(.exact("U-Net downsample: \(n) →", closedForm: Double(out), exact: Double(expected)))
        n = out
    }
    for (odd, expected) in [(65, 33), (63, 32)] {
        rows.append(.exact("U-Net downsample: \(odd) → (⌊(n − 1)/2⌋ + 1)", closedForm: Double(side(after: { padded($0, on: $1) }, from: odd, stream: &stream)), exact: Double(expected)))
    }
    var image = 512, halvings = 0
    for _ in 0..<3 {
        image = side(after: { vae($1.padTrailing($0), on: $1) }, from: image, stream: &stream)
        halvings += 1
    }
    rows.append(.exact("VAE: 512 after \(halvings) pad-then-conv steps", closedForm: Double(image), exact: 64))
    return rows
}

/// 002 (the U-Net's UpSample): nearest interpolation doubles the size, then a 3×3 convolution
/// (stride 1, padding 1) changes the channel count for the next module. Qualified: the sizes are
/// right (8 → 16 → 32 → 64), but in Stable Diffusion's U-Net the upsample convolution keeps the
/// channels (SD 1.x: 1280 → 1280, 1280 → 1280, 640 → 640); the channels change in the ResNet
/// after the skip is concatenated (1280 + 640 → 640). Shown on diffusers' UNet2DConditionModel
/// as `lessons forward` builds it, with SD 1.x's layout at a tenth of its widths
/// (32/64/128/128); the layout does not depend on the widths.
let upsampleCheck = CheckDefinition(
    id: "notes.upsample-conv",
    title: "Upsampling doubles 8 → 64 in three steps, but its convolution keeps the channels: they change in the next ResNet, after the skip",
    parameters: [],
    mutations: [Mutation("halving-conv", "the upsample convolution read as halving the channels, as the notes describe")],
    verdict: .qualified,
    sources: [Note.n002.at("665–666")]
) { context in
    var stream = context.randomStream
    let upsample = Upsample(name: "up", channels: 1, stream: &stream)
    var rows: [CheckRow] = []
    var n = 8
    for expected in [16, 32, 64] {
        let out = side(after: { upsample($0, on: $1) }, from: n, stream: &stream)
        rows.append(.exact("upsample: \(n) →", closedForm: Double(out), exact: Double(expected)))
        n = out
    }
    var config = PublishedUNets.sd1
    config.blockOutChannels = [32, 64, 128, 128]
    config.groups = 8
    config.crossAttentionDim = [32, 32, 32, 32]
    config.heads = [2, 2, 2, 2]
    let unet = Parameter.$buildsForInference.withValue(true) { DiffusersUNet(config, stream: &stream) }
    var shapes: [String: [Int]] = [:]
    for parameter in unet.parameters { shapes[parameter.name] = parameter.value.shape }
    for index in 0..<3 {
        let shape = shapes["up_blocks.\(index).upsamplers.0.conv.weight"] ?? [0, 0]
        let expected = context.mutated("halving-conv") ? shape[1] / 2 : shape[1]
        rows.append(.holds("up_blocks.\(index).upsamplers.0.conv: \(shape[1]) → \(shape[0]) channels", value: Double(shape[0]),
                           rule: "= \(expected)", pass: shape[0] == expected && shape[0] > 0))
    }
    let resnet = shapes["up_blocks.2.resnets.0.conv1.weight"] ?? [0, 0]
    rows.append(.holds("up_blocks.2.resnets.0.conv1: \(resnet[1]) → \(resnet[0]) channels", value: Double(resnet[1]),
                       rule: "= 128 + 64 → 64: the width changes here, after the skip", pass: resnet[1] == 192 && resnet[0] == 64))
    return rows
}
