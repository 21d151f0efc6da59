import Neural
import Stochastic

/// diffusers' CrossAttnDownBlock2D (with attentions) or DownBlock2D (without): `layers`
/// ResNet blocks, each followed by its SpatialTransformer, then a stride-2 Downsample unless
/// it is the last level. Every ResNet/attention output and the downsample's output is a skip
/// connection for the up path.
struct DiffusersDownBlock {
    let resnets: [ResNetBlock]
    let attentions: [SpatialTransformer]
    let downsample: Downsample?

    var parameters: [Parameter] { interleaved(resnets, attentions) + (downsample?.parameters ?? []) }
}

/// diffusers' UNetMidBlock2DCrossAttn: ResNet, SpatialTransformer, ResNet at the lowest
/// resolution.
struct DiffusersMidBlock {
    let first: ResNetBlock, attention: SpatialTransformer, second: ResNetBlock

    var parameters: [Parameter] { first.parameters + attention.parameters + second.parameters }
}

/// diffusers' CrossAttnUpBlock2D or UpBlock2D: `layers` + 1 ResNet blocks, each reading the
/// running features concatenated (channels) with the latest unused skip, each followed by
/// its SpatialTransformer, then a nearest ×2 Upsample + 3×3 conv unless it is the last level.
struct DiffusersUpBlock {
    let resnets: [ResNetBlock]
    let attentions: [SpatialTransformer]
    let upsample: Upsample?

    var parameters: [Parameter] { interleaved(resnets, attentions) + (upsample?.parameters ?? []) }
}

/// The parameters of ResNets each followed by its transformer (none in a plain block), in
/// module order.
private func interleaved(_ resnets: [ResNetBlock], _ attentions: [SpatialTransformer]) -> [Parameter] {
    zip(resnets.indices, resnets).flatMap { index, resnet in
        resnet.parameters + (attentions.isEmpty ? [] : attentions[index].parameters)
    }
}
