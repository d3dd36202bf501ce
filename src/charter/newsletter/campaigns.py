"""Campaigns: one message per person who, at the moment of sending, has current consent for
the purpose on the e-mail channel and is neither restricted nor suppressed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..audit import record_event
from ..consent.repository import audience
from ..consent.service import consent_purpose
from ..db import CharterSession
from ..errors import InvalidInput
from ..mail.service import queue_message
from ..models import Campaign
from ..runtime import Runtime
from ..subjects import contact_of
from ..subjects.repository import subject_by_id
from .service import purpose_label, unsubscribe_links


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def check_letters(runtime: Runtime, letters: dict[str, Letter]) -> None:
    languages = runtime.policy.languages.all
    unknown = sorted(set(letters) - set(languages))
    if unknown:
        raise InvalidInput(f"language: {', '.join(unknown)} is not a language of the policy "
                           f"({', '.join(languages)})")
    default = runtime.policy.languages.default
    if default not in letters:
        raise InvalidInput(f"language: the letter in the default language ({default}) is needed")
    for language, letter in letters.items():
        if not letter.subject.strip() or len(letter.subject) > 200 or "\n" in letter.subject:
            raise InvalidInput(f"subject ({language}): one line of 1 to 200 characters")
        if not letter.body.strip():
            raise InvalidInput(f"body ({language}): empty")


def campaign_purpose(runtime: Runtime, purpose_id: str) -> None:
    """A campaign is direct marketing: its purpose rests on consent and says so."""
    consent_purpose(runtime, purpose_id)
    purpose = runtime.policy.purpose(purpose_id)
    if purpose is not None and not purpose.marketing:
        raise InvalidInput(f"purpose: {purpose_id!r} is not flagged as marketing in the policy")


def audience_size(session: CharterSession, runtime: Runtime, purpose: str) -> int:
    campaign_purpose(runtime, purpose)
    people = audience(runtime.organization_id, purpose, "email").order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(people)) or 0


def send_campaign(
    session: CharterSession,
    runtime: Runtime,
    *,
    purpose: str,
    letters: dict[str, Letter],
    actor: str,
    on_recipient: Callable[[], None] | None = None,
) -> Campaign:
    """Queue the campaign for everyone allowed, each in their language (else the default)."""
    campaign_purpose(runtime, purpose)
    check_letters(runtime, letters)
    default = runtime.policy.languages.default
    org = runtime.organization_id
    campaign = Campaign(
        organization_id=org, purpose=purpose, title=letters[default].subject.strip(),
        content=json.dumps({lang: vars(letter) for lang, letter in letters.items()},
                           ensure_ascii=False),
        created_by=actor, recipients=0)
    session.add(campaign)
    session.flush()
    for subject_id in list(session.scalars(audience(org, purpose, "email"))):
        subject = subject_by_id(session, org, subject_id)
        email = contact_of(session, runtime, subject).get("email") if subject else None
        if subject is None or not email:
            continue
        language = subject.language if subject.language in letters else default
        letter = letters[language]
        links = unsubscribe_links(session, runtime, subject, purpose)
        queue_message(
            session, runtime, kind="campaign", to=email, language=language,
            subject_id=subject.id, marketing=True, purpose=purpose, campaign_id=campaign.id,
            audited=False,
            headers={k: v for k, v in links.items() if k.startswith("List-")},
            context={"subject_line": letter.subject.strip(), "body": letter.body.strip(),
                     "purpose_label": purpose_label(runtime.policy, purpose, language),
                     "unsubscribe_url": links["unsubscribe_url"],
                     "preferences_url": links["preferences_url"]},
        )
        campaign.recipients += 1
        if on_recipient:
            on_recipient()
    record_event(session, org, actor=actor, action="campaign.sent",
                 target=f"campaign:{campaign.id}",
                 details={"purpose": purpose, "recipients": campaign.recipients})
    return campaign
