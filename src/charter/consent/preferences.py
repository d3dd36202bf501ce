"""The preferences link: how a person reaches the page that shows and changes their consents."""

from __future__ import annotations

from datetime import timedelta

from ..db import CharterSession
from ..mail.repository import sent_since
from ..mail.service import mail_subject
from ..models import utcnow
from ..runtime import Runtime
from ..subjects.repository import subject_by_email_index

LINKS_PER_DAY = 3


def mail_preferences_link(session: CharterSession, runtime: Runtime, email: str) -> bool:
    """Send the preferences link to a known address (a few a day at most); False if not."""
    org = runtime.organization_id
    subject = subject_by_email_index(session, org, runtime.blind_index.email(email))
    if subject is None:
        return False
    if sent_since(session, org, subject.id, "preferences_link",
                  utcnow() - timedelta(days=1)) >= LINKS_PER_DAY:
        return False
    return mail_subject(session, runtime, subject, "preferences_link") is not None
