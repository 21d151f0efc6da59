"""The two parts of the exported latent model that are the project's own classes, rebuilt
from diffusers' blocks so that a diffusers pipeline can use them:

- the text encoder (`text_encoder/`): token + position embeddings, one diffusers
  BasicTransformerBlock (self-attention with biases, GEGLU feed-forward), a final LayerNorm;
- the autoencoder's encoder (`autoencoder/`): conv_in 1→16, ResnetBlock2D 16→16 at 32², Downsample2D
  (3×3, stride 2, padding 1), ResnetBlock2D 16→32, Downsample2D, ResnetBlock2D 32→64 at 8², GroupNorm,
  SiLU, then two 3×3 convolutions to the mean and log-variance of q(z|x) [B, 4, 8, 8];
- its decoder: conv_in 4→64, ResnetBlock2D 64→32 at 8², Upsample2D,
  ResnetBlock2D 32→16 at 16², Upsample2D, ResnetBlock2D 16→16 at 32², GroupNorm, SiLU, conv 16→1.
  (Not an AutoencoderKL: that class changes width after each upsample, this one before.)

The tensors load strictly: a missing or stray tensor is an error.
"""
import json
from pathlib import Path

import torch
from diffusers.models.attention import BasicTransformerBlock
from diffusers.models.downsampling import Downsample2D
from diffusers.models.resnet import ResnetBlock2D
from diffusers.models.upsampling import Upsample2D
from safetensors.torch import load_file

SEPARATORS = " /,\t"


def split_words(text):
    """The prompt's words as the Swift Prompt splits them (lower case; space, /, comma, tab)."""
    words, word = [], ""
    for character in text.lower():
        if character in SEPARATORS:
            if word:
                words.append(word)
            word = ""
        else:
            word += character
    return words + ([word] if word else [])


class ProjectTextEncoder(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.vocabulary = config["vocabulary"]
        self.length = config["max_position_embeddings"]
        channels, heads = config["hidden_size"], config["num_attention_heads"]
        self.token_embedding = torch.nn.Embedding(len(self.vocabulary), channels)
        self.position_embedding = torch.nn.Embedding(self.length, channels)
        self.transformer_block = BasicTransformerBlock(channels, heads, channels // heads, activation_fn="geglu", attention_bias=True)
        self.final_layer_norm = torch.nn.LayerNorm(channels)

    def token_ids(self, prompt):
        """<start>, one id per word, <pad> to the length (ids 1 and 0)."""
        words = split_words(prompt)
        if len(words) >= self.length:
            raise ValueError("the prompt %r has %d words; at most %d fit" % (prompt, len(words), self.length - 1))
        unknown = [w for w in words if w not in self.vocabulary[2:]]
        if unknown:
            raise ValueError("unknown word %r; the words are %s" % (unknown[0], ", ".join(self.vocabulary[2:])))
        ids = [1] + [self.vocabulary.index(w) for w in words]
        return ids + [0] * (self.length - len(ids))

    def forward(self, prompts):
        ids = torch.tensor([self.token_ids(p) for p in prompts])
        x = self.token_embedding(ids) + self.position_embedding(torch.arange(self.length))
        return self.final_layer_norm(self.transformer_block(x))


def resnets(pairs, groups):
    """The project's ResNet blocks (no time embedding, GroupNorm ε 10⁻⁵) for (in, out) channel pairs."""
    return torch.nn.ModuleList([ResnetBlock2D(in_channels=i, out_channels=o, temb_channels=None, groups=groups, eps=1e-5) for i, o in pairs])


def trunk(part, x, resamplers):
    """The body shared by the encoder and the decoder: conv_in, the ResNets with a resampler
    before each but the first, then SiLU(GroupNorm)."""
    h = part.conv_in(x)
    for index, block in enumerate(part.blocks):
        if index > 0:
            h = resamplers[index - 1](h)
        h = block(h, None)
    return torch.nn.functional.silu(part.norm_out(h))


class ProjectDecoder(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        groups, latent = config["norm_num_groups"], config["latent_channels"]
        self.scaling_factor = config["scaling_factor"]
        self.conv_in = torch.nn.Conv2d(latent, 64, 3, padding=1)
        self.blocks = resnets([(64, 32), (32, 16), (16, 16)], groups)
        self.ups = torch.nn.ModuleList([Upsample2D(c, use_conv=True) for c in (32, 16)])
        self.norm_out = torch.nn.GroupNorm(groups, 16, eps=1e-5)
        self.conv_out = torch.nn.Conv2d(16, config["in_channels"], 3, padding=1)

    def forward(self, z):
        return self.conv_out(trunk(self, z, self.ups))


class ProjectEncoder(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        groups, latent = config["norm_num_groups"], config["latent_channels"]
        self.conv_in = torch.nn.Conv2d(config["in_channels"], 16, 3, padding=1)
        self.blocks = resnets([(16, 16), (16, 32), (32, 64)], groups)
        self.downs = torch.nn.ModuleList([Downsample2D(c, use_conv=True, padding=1) for c in (16, 32)])
        self.norm_out = torch.nn.GroupNorm(groups, 64, eps=1e-5)
        self.mean = torch.nn.Conv2d(64, latent, 3, padding=1)
        self.log_variance = torch.nn.Conv2d(64, latent, 3, padding=1)

    def forward(self, x):
        """(mean, log-variance) of q(z|x) for images x [B, 1, 32, 32] in [−1, 1]."""
        h = trunk(self, x, self.downs)
        return self.mean(h), self.log_variance(h)


def part_state(tensors, part):
    """The project's autoencoder tensors of `part` ("encoder" or "decoder") renamed for
    ProjectEncoder or ProjectDecoder: ResNets `i.` → `blocks.i.` (their `skip` → `conv_shortcut`),
    resamplers `down.i.`/`up.i.` → `downs.i.`/`ups.i.`; the other part's tensors are left out."""
    resampler = {"encoder": "down", "decoder": "up"}[part]
    renamed = {}
    for name, value in tensors.items():
        if not name.startswith(part + "."):
            continue
        name = name[len(part) + 1:].replace(".skip.", ".conv_shortcut.")
        if name.startswith(resampler + "."):
            name = resampler + "s." + name[len(resampler) + 1:]
            if part == "encoder":
                # diffusers' Downsample2D registers its convolution under two names.
                renamed[name.replace(".conv.", ".Conv2d_0.")] = value
        elif name[0].isdigit():
            name = "blocks." + name
        renamed[name] = value
    return renamed


def load_text_encoder(folder):
    folder = Path(folder) / "text_encoder"
    model = ProjectTextEncoder(json.loads((folder / "config.json").read_text()))
    model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
    return model.eval()


def load_encoder(folder):
    folder = Path(folder) / "autoencoder"
    model = ProjectEncoder(json.loads((folder / "config.json").read_text()))
    model.load_state_dict(part_state(load_file(str(folder / "model.safetensors")), "encoder"), strict=True)
    return model.eval()


def load_decoder(folder):
    folder = Path(folder) / "autoencoder"
    model = ProjectDecoder(json.loads((folder / "config.json").read_text()))
    model.load_state_dict(part_state(load_file(str(folder / "model.safetensors")), "decoder"), strict=True)
    return model.eval()
