"""The breach register (Art. 33-34)."""
