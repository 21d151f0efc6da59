/// Neural: the small deep-learning engine the toy and latent diffusion models train with.
///
/// Float32 tensors (row-major; NCHW for images), a reverse-mode autograd tape over tensor
/// operations, layers named as in the notes, Adam and an EMA of the weights, and
/// safetensors checkpoints. Matrix products go through OpenBLAS' `cblas_sgemm`.
public enum Neural {}
