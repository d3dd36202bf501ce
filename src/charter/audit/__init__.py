"""Audit log."""

from .service import ChainReport, record_event, verify_and_record, verify_chain

__all__ = ["ChainReport", "record_event", "verify_and_record", "verify_chain"]
