"""SQLAlchemy tables, one file per family. Importing this package registers them all."""

from .audit import AuditEvent
from .base import Base, OrganizationScoped, Sealed, sealed_models, table_is_scoped, utcnow
from .consent import ConsentEvent, ConsentState, Objection, Suppression
from .mail import Campaign, MailLink, OutboxMessage
from .organization import Organization
from .staff import ApiKey, StaffSession, StaffUser
from .subject import Record, Subject, SubjectContact

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Campaign",
    "ConsentEvent",
    "ConsentState",
    "MailLink",
    "Objection",
    "Organization",
    "OrganizationScoped",
    "OutboxMessage",
    "Record",
    "Sealed",
    "StaffSession",
    "StaffUser",
    "Subject",
    "SubjectContact",
    "Suppression",
    "sealed_models",
    "table_is_scoped",
    "utcnow",
]
