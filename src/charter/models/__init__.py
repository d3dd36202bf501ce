"""SQLAlchemy tables, one file per family. Importing this package registers them all."""

from .audit import AuditEvent
from .base import Base, OrganizationScoped, table_is_scoped, utcnow
from .organization import Organization
from .staff import ApiKey, StaffSession, StaffUser
from .subject import Record, Subject

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Organization",
    "OrganizationScoped",
    "Record",
    "StaffSession",
    "StaffUser",
    "Subject",
    "table_is_scoped",
    "utcnow",
]
