"""Data-key rotation."""
