"""Connectors to the systems a policy declares outside Charter's own store: SQL databases,
webhooks, and manual systems answered by their people."""
