"""The one part of the exported latent model that is the project's own class, rebuilt from
diffusers' blocks so that a diffusers pipeline can use it: the text encoder (`text_encoder/`):
token + position embeddings, one diffusers BasicTransformerBlock (self-attention with biases,
GEGLU feed-forward), a final LayerNorm. (The U-Net, `unet/`, and the autoencoder, `vae/`, are
diffusers' UNet2DConditionModel and AutoencoderKL and load with their `from_pretrained`.)

The tensors load strictly: a missing or stray tensor is an error.
"""
import json
from pathlib import Path

import torch
from diffusers.models.attention import BasicTransformerBlock
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


def load_text_encoder(folder):
    folder = Path(folder) / "text_encoder"
    model = ProjectTextEncoder(json.loads((folder / "config.json").read_text()))
    model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
    return model.eval()
