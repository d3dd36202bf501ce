"""Collection: declared forms, API submissions and imports, and nothing else."""
