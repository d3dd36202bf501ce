"""Audit log."""

from .head import ChainHead
from .service import ChainReport, chain_head, record_event, verify_and_record, verify_chain

__all__ = [
    "ChainHead",
    "ChainReport",
    "chain_head",
    "record_event",
    "verify_and_record",
    "verify_chain",
]
