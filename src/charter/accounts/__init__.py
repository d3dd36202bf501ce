"""Staff accounts, sessions and API keys."""
