"""Subjects and their encrypted records."""

from .service import (
    RecordInput,
    SubjectView,
    decrypt_record,
    find_subject,
    store_subject_data,
    view_subject,
)

__all__ = [
    "RecordInput",
    "SubjectView",
    "decrypt_record",
    "find_subject",
    "store_subject_data",
    "view_subject",
]
