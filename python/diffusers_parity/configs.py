"""The U-Net configs the parity runs cover (diffusers' config.json keys)."""

#: The shape of the project's own Fashion-MNIST U-Net in diffusers' terms: two levels of 64
#: and 128 channels with cross-attention, 8 groups, 4 heads, a 64-wide context, 8×8 latents.
PROJECT = dict(
    in_channels=4, out_channels=4, block_out_channels=[64, 128], layers_per_block=1,
    down_block_types=["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    norm_num_groups=8, attention_head_dim=4, cross_attention_dim=64,
)

#: Every block type at three levels, per-level lists for every per-level key, two transformer
#: layers in one block, freq_shift 1 and flip_sin_to_cos false, a centred input.
EVERY_BLOCK = dict(
    in_channels=3, out_channels=5, block_out_channels=[32, 48, 64], layers_per_block=[1, 2, 1],
    down_block_types=["CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"],
    up_block_types=["CrossAttnUpBlock2D", "UpBlock2D", "CrossAttnUpBlock2D"],
    transformer_layers_per_block=[1, 1, 2], attention_head_dim=[2, 4, 4], cross_attention_dim=40,
    norm_num_groups=8, norm_eps=1e-6, flip_sin_to_cos=False, freq_shift=1, center_input_sample=True,
)

#: SDXL's U-Net features at reduced width: no attention at the first level, several
#: transformer layers per block, linear projections, and the text_time added conditioning
#: whose input is SDXL's own 2816 values (1280 pooled text + 6 × 256 Fourier features).
SDXL_SMALL = dict(
    in_channels=4, out_channels=4, block_out_channels=[64, 128, 256], layers_per_block=2,
    down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    transformer_layers_per_block=[1, 2, 3], attention_head_dim=[2, 4, 8], cross_attention_dim=2048,
    norm_num_groups=32, use_linear_projection=True,
    addition_embed_type="text_time", addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816,
)

#: Stable Diffusion 1.x's U-Net (diffusers' defaults are SD 1.x's, with its 768-wide CLIP).
SD15 = dict(
    in_channels=4, out_channels=4, block_out_channels=[320, 640, 1280, 1280], layers_per_block=2,
    down_block_types=["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    attention_head_dim=8, cross_attention_dim=768, norm_num_groups=32,
)

#: name → (config, latent side, batch, context tokens)
PRESETS = {
    "project": (PROJECT, 8, 2, 3),
    "every-block": (EVERY_BLOCK, 16, 2, 5),
    "sdxl-small": (SDXL_SMALL, 16, 2, 6),
    "sd15": (SD15, 64, 1, 77),
}

#: Autoencoders (diffusers' AutoencoderKL): name → (config, image side, batch).
#: `vae-small`: three levels, two ResNets per level, the mid-block attention; `vae-sd`: Stable
#: Diffusion's autoencoder as published (128/256/512/512, 83.7 M parameters) at 64 × 64;
#: `vae-fashion`: the project's own (AutoencoderConfig.fashion in Swift: one channel, 16/32/64,
#: one ResNet per level, 8 groups) at Fashion-MNIST's padded 32 × 32.
AUTOENCODERS = {
    "vae-fashion": (dict(in_channels=1, out_channels=1, latent_channels=4, block_out_channels=[16, 32, 64], layers_per_block=1,
                         down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3, norm_num_groups=8), 32, 2),
    "vae-small": (dict(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=[32, 64, 64], layers_per_block=2,
                       down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3, norm_num_groups=16), 32, 2),
    "vae-sd": (dict(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=[128, 256, 512, 512], layers_per_block=2,
                    down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4, norm_num_groups=32), 64, 1),
}
