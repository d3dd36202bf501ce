"""Retention: when records fall due."""
