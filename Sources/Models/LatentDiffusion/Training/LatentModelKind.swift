/// The three models of the latent-diffusion lesson, in the order they are trained.
public enum LatentModelKind: String, CaseIterable, Sendable {
    /// The KL autoencoder: pixels ↔ 4×8×8 latents.
    case autoencoder
    /// The conditional U-Net ε_θ(z_t, t, c) with its text encoder, on the autoencoder's latents.
    case unet
    /// The evaluation classifier (conditional accuracy and FID features).
    case classifier
}
