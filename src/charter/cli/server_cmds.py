"""serve, worker, demo."""
