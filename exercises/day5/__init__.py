"""Day 5 reference solutions: tokenizers, the training loop and text generation."""
