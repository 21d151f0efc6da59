/// The names a block gives its tensors. The blocks are Stable Diffusion's, as diffusers
/// builds them; the project's own checkpoints (Models/) were written with shorter names
/// before the project read diffusers' files, and both are kept so that either loads.
public enum ModuleNaming: Sendable {
    /// The project's names: `res.time`, `res.skip`, `attn1.query`, `ff.geglu`, `block`.
    case project
    /// diffusers' names: `time_emb_proj`, `conv_shortcut`, `attn1.to_q`, `ff.net.0.proj`,
    /// `transformer_blocks.0`; its attention projections q, k, v have no bias.
    case diffusers
}
