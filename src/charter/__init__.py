"""Charter: write your processing down once in ``charter.yaml``; Charter keeps the promises."""

__version__ = "0.1.0"
__all__ = ["__version__"]
