"""diffusers' side: the model with seeded random weights, the inputs, each module's output."""
import copy

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from diffusers.utils import logging as diffusers_logging

# Casting a copy to Float64 with .to() is the point here; diffusers warns about it.
diffusers_logging.set_verbosity_error()
from safetensors.torch import save_file


def build(config, seed):
    """The U-Net with PyTorch's default initialization under ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    return UNet2DConditionModel(**config).eval()


def inputs(model, side, batch, tokens, seed):
    """Seeded inputs: N(0, 1) latents and encoder states, timesteps spread over 0…999 (the
    last one fractional), and for text_time a pooled text embedding and SDXL's size/crop
    numbers."""
    config = model.config
    generator = torch.Generator().manual_seed(seed)
    given = {
        "sample": torch.randn(batch, config.in_channels, side, side, generator=generator),
        "timestep": torch.linspace(999, 1.5, batch) if batch > 1 else torch.tensor([500.0]),
        "encoder_hidden_states": torch.randn(batch, tokens, _context_width(config), generator=generator),
    }
    if config.addition_embed_type == "text_time":
        pooled = config.projection_class_embeddings_input_dim - 6 * config.addition_time_embed_dim
        given["text_embeds"] = torch.randn(batch, pooled, generator=generator)
        given["time_ids"] = torch.tensor([[1024.0, 1024.0, 0.0, 0.0, 1024.0, 1024.0], [768.0, 1344.0, 64.0, 32.0, 1024.0, 1024.0]])[:batch]
    return given


def _context_width(config):
    width = config.cross_attention_dim
    return width[0] if isinstance(width, (list, tuple)) else width


def save(model, given, folder):
    """The model in diffusers' layout (``folder/unet``) and the inputs (``folder/inputs.safetensors``)."""
    model.save_pretrained(folder / "unet", safe_serialization=True)
    save_file({name: value.float().contiguous() for name, value in given.items()}, str(folder / "inputs.safetensors"))


def module_outputs(model, given, dtype):
    """The output of ``model`` and of each module the Swift side traces, by name, evaluated
    in ``dtype`` (a copy of the model is cast; inputs are cast from the saved Float32)."""
    model = copy.deepcopy(model).to(dtype)
    outputs, hooks = {}, []
    names = {"conv_in", "time_embedding", "add_embedding", "mid_block", "conv_out"}
    for name, _ in model.named_modules():
        parts = name.split(".")
        if parts[0] in ("down_blocks", "up_blocks") and (len(parts) == 2 or
                                                         (len(parts) == 4 and parts[2] in ("resnets", "attentions", "downsamplers", "upsamplers"))):
            names.add(name)
        if len(parts) >= 2 and parts[-2] == "transformer_blocks":  # each BasicTransformerBlock (self, cross, GEGLU)
            names.add(name)
    for name, module in model.named_modules():
        if name in names:
            hooks.append(module.register_forward_hook(_recorder(outputs, name)))
    arguments = {"sample": given["sample"].to(dtype), "timestep": given["timestep"],
                 "encoder_hidden_states": given["encoder_hidden_states"].to(dtype)}
    if "text_embeds" in given:
        arguments["added_cond_kwargs"] = {"text_embeds": given["text_embeds"].to(dtype), "time_ids": given["time_ids"].to(dtype)}
    with torch.no_grad():
        result = model(**arguments).sample
    for hook in hooks:
        hook.remove()
    outputs["sample"] = result
    return {name: value.detach().to(torch.float64) for name, value in outputs.items()}


def _recorder(outputs, name):
    def record(_module, _inputs, output):
        if isinstance(output, tuple):
            output = output[0]
        if hasattr(output, "sample"):
            output = output.sample
        outputs[name] = output
    return record


def build_autoencoder(config, seed):
    torch.manual_seed(seed)
    return AutoencoderKL(**config).eval()


def autoencoder_inputs(model, side, batch, seed):
    """Seeded images in [−1, 1] and N(0, 1) latents of the matching size."""
    config = model.config
    generator = torch.Generator().manual_seed(seed)
    factor = 2 ** (len(config.block_out_channels) - 1)
    return {"sample": torch.rand(batch, config.in_channels, side, side, generator=generator) * 2 - 1,
            "latents": torch.randn(batch, config.latent_channels, side // factor, side // factor, generator=generator)}


def save_autoencoder(model, given, folder):
    model.save_pretrained(folder / "unet", safe_serialization=True)
    save_file({name: value.float().contiguous() for name, value in given.items()}, str(folder / "inputs.safetensors"))


def autoencoder_outputs(model, given, dtype):
    """The encoder's moments (after quant_conv), the decoded images, and each traced module."""
    model = copy.deepcopy(model).to(dtype)
    outputs, hooks = {}, []
    names = {"encoder.conv_in", "encoder.mid_block", "encoder.conv_out", "quant_conv", "post_quant_conv",
             "decoder.conv_in", "decoder.mid_block", "decoder.conv_out"}
    names |= {"encoder.down_blocks.%d" % i for i in range(len(model.config.block_out_channels))}
    names |= {"decoder.up_blocks.%d" % i for i in range(len(model.config.block_out_channels))}
    for name, module in model.named_modules():
        if name in names:
            hooks.append(module.register_forward_hook(_recorder(outputs, name)))
    with torch.no_grad():
        moments = model.encode(given["sample"].to(dtype)).latent_dist.parameters
        decoded = model.decode(given["latents"].to(dtype)).sample
    for hook in hooks:
        hook.remove()
    outputs["moments"], outputs["sample"] = moments, decoded
    return {name: value.detach().to(torch.float64) for name, value in outputs.items()}
