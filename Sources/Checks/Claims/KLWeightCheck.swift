import CheckCore

/// 002 (the VAE's regularization loss): the KL term gets a small weight, written "~10e-6".
/// A slip: 10e-6 is 1·10⁻⁵, ten times the 10⁻⁶ of the latent-diffusion autoencoder configs
/// (`kl_weight: 0.000001`) and of the paper's "~10⁻⁶". The config value is cited, not derived.
let klWeightCheck = CheckDefinition(
    id: "notes.kl-weight",
    title: "\"10e-6\" is 10⁻⁵, ten times the latent-diffusion autoencoders' KL weight 10⁻⁶",
    parameters: [],
    mutations: [Mutation("read-as-1e-6", "10e-6 read as 10⁻⁶, the value intended")],
    verdict: .slip,
    sources: [Note.n002.at("698")]
) { context in
    let written = context.mutated("read-as-1e-6") ? 1e-6 : (Double("10e-6") ?? .nan)
    let configured = 1e-6
    return [
        .exact("10e-6 as a number = 10 × 10⁻⁶", closedForm: written, exact: 10 * 1e-6),
        .holds("written / configured weight", value: written / configured, rule: "reported: 10, not 1", pass: written.isFinite),
    ]
}
