"""Staff, keys and audit commands."""
