"""SQLAlchemy tables, one file per family. Importing this package registers them all."""

from .audit import AuditEvent
from .base import Base, OrganizationScoped, Sealed, sealed_models, table_is_scoped, utcnow
from .breach import Breach
from .collect import CookieConsent, ImportRun, ParentalConsent, Submission
from .complaint import Complaint
from .consent import ConsentEvent, ConsentState, Objection, Suppression
from .mail import Campaign, MailLink, OutboxMessage
from .organization import Organization
from .publication import ChangeNotice, PolicyVersion
from .retention import AnonymousFact
from .rights import (
    ExportFile,
    IdentityDocument,
    RateEvent,
    RecordRevision,
    RequestSystemPart,
    RightsRequest,
)
from .staff import ApiKey, StaffSession, StaffTotp, StaffUser
from .subject import Record, Subject, SubjectContact
from .systems import HeldRow, ManualTask, WebhookDelivery

__all__ = [
    "AnonymousFact",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Breach",
    "Campaign",
    "ChangeNotice",
    "Complaint",
    "ConsentEvent",
    "ConsentState",
    "CookieConsent",
    "ExportFile",
    "HeldRow",
    "IdentityDocument",
    "ImportRun",
    "MailLink",
    "ManualTask",
    "Objection",
    "Organization",
    "OrganizationScoped",
    "OutboxMessage",
    "ParentalConsent",
    "PolicyVersion",
    "RateEvent",
    "Record",
    "RecordRevision",
    "RequestSystemPart",
    "RightsRequest",
    "Sealed",
    "StaffSession",
    "StaffTotp",
    "StaffUser",
    "Subject",
    "SubjectContact",
    "Submission",
    "Suppression",
    "WebhookDelivery",
    "sealed_models",
    "table_is_scoped",
    "utcnow",
]
