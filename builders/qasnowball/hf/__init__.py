"""The `hf` backend: any Hugging Face checkpoints (name or local path), fine-tuned on S each round."""
