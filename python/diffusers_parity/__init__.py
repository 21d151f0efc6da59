"""Swift against diffusers: the same U-Net config, weights and inputs, block by block.

``python -m diffusers_parity run PRESET`` builds a diffusers ``UNet2DConditionModel`` from a
config with seeded random weights, saves it in diffusers' layout, runs the Swift
``lessons forward --blocks`` on seeded inputs, and compares every module's output with
diffusers' own, evaluated in Float64 (the exact answer up to 10⁻¹⁵) and in Float32 (what
a user runs). See docs/diffusers-parity.md.
"""
