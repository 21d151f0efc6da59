import Neural

/// ε_θ(z_t, t, c) of a latent diffusion U-Net, whatever its layout: the project's own `UNet`
/// or diffusers' `UNet2DConditionModel` (`DiffusersUNet`), so one sampler and one guidance
/// rule serve both.
public protocol LatentNoisePredictor: AnyObject {
    /// ε for latents [B, C, H, W] at model indices t − 1 (one per image, 0…T−1, which is
    /// diffusers' timestep numbering) with the context [B·M, D] (M tokens of D features per
    /// image). `tape` is the caller's non-recording scratch tape, reset by the caller between
    /// calls (so memory is reused from step to step); the result is valid until that reset.
    func epsilon(_ latents: Tensor, indices: [Int], context: Tensor, scratch tape: Tape) -> Tensor
}

extension UNet: LatentNoisePredictor {
    public func epsilon(_ latents: Tensor, indices: [Int], context: Tensor, scratch tape: Tape) -> Tensor {
        tape.value(self(tape.constant(latents), indices: indices, context: tape.constant(context), on: tape))
    }
}

extension DiffusersUNet: LatentNoisePredictor {
    /// diffusers' `timestep` is the model index itself; the context becomes
    /// `encoder_hidden_states` [B, M, D]. This model runs block by block on tapes of its own.
    public func epsilon(_ latents: Tensor, indices: [Int], context: Tensor, scratch tape: Tape) -> Tensor {
        let batch = latents.shape[0], width = context.shape[1]
        let states = Tensor(shape: [batch, context.shape[0] / batch, width], values: context.values)
        return self(Inputs(sample: latents, timesteps: indices.map(Float.init), encoderHiddenStates: states))
    }
}
