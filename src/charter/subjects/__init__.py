"""Subjects and their encrypted records."""

from .service import (
    RecordInput,
    SubjectView,
    contact_of,
    ensure_subject,
    find_subject,
    store_subject_data,
    view_subject,
)

__all__ = [
    "RecordInput",
    "SubjectView",
    "contact_of",
    "ensure_subject",
    "find_subject",
    "store_subject_data",
    "view_subject",
]
