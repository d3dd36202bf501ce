"""The policy file, ``charter.yaml``: models, loading, lint. Pure: imports no database code."""

from .commitments import Cookie, Minors, Rights, Role, Signals
from .document import DEFAULT_ROLES, Policy
from .findings import Finding
from .lint import lint
from .loader import LoadedPolicy, LoadProblem, PolicyInvalid, load_policy, parse_policy
from .organization import Organization
from .processing import (
    CollectionPoint,
    DataCategory,
    LegalHold,
    Purpose,
    Recipient,
    RetentionRule,
    System,
    dpv_legal_basis,
)
from .text import Duration, Text

__all__ = [
    "DEFAULT_ROLES",
    "CollectionPoint",
    "Cookie",
    "DataCategory",
    "Duration",
    "Finding",
    "LegalHold",
    "LoadProblem",
    "LoadedPolicy",
    "Minors",
    "Organization",
    "Policy",
    "PolicyInvalid",
    "Purpose",
    "Recipient",
    "RetentionRule",
    "Rights",
    "Role",
    "Signals",
    "System",
    "Text",
    "dpv_legal_basis",
    "lint",
    "load_policy",
    "parse_policy",
]
