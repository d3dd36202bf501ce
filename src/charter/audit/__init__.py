"""Audit log."""

from .service import ChainReport, record_event, verify_chain

__all__ = ["ChainReport", "record_event", "verify_chain"]
