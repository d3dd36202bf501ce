"""Everything a command, a request or a job needs, built once from the settings."""

from __future__ import annotations

import hashlib
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from .crypto import BlindIndex, FieldCipher, Keyring, load_keyring
from .db import CharterSession, make_engine, make_sessionmaker, transaction
from .models import Organization
from .policy import LoadedPolicy, Policy, load_policy
from .settings import Settings


def organization_slug(policy: Policy) -> str:
    return re.sub(r"[^a-z0-9]+", "-", policy.organization.legal_name.lower()).strip("-")[:64]


@dataclass
class Runtime:
    settings: Settings
    loaded: LoadedPolicy
    engine: Engine
    sessions: sessionmaker[CharterSession]
    keyring: Keyring
    connectors: dict[str, Any] = field(default_factory=dict)
    """Connectors to the declared systems by system id, when not the built-in ones (tests
    put their doubles here; see charter.rights.connectors)."""

    @property
    def policy(self) -> Policy:
        return self.loaded.policy

    @cached_property
    def policy_version(self) -> str:
        """The policy text's fingerprint, stored with every consent given under it."""
        return "sha256:" + hashlib.sha256(self.loaded.source.encode()).hexdigest()[:16]

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.keyring)

    @cached_property
    def blind_index(self) -> BlindIndex:
        return BlindIndex(self.keyring)

    @cached_property
    def organization_id(self) -> int:
        """The organization this policy describes, created on first use."""
        slug = organization_slug(self.policy)
        with transaction(self.sessions) as session:
            org_id = session.scalar(select(Organization.id).where(Organization.slug == slug))
            if org_id is None:
                org = Organization(
                    slug=slug,
                    legal_name=self.policy.organization.legal_name,
                    country=self.policy.organization.country,
                )
                session.add(org)
                session.flush()
                org_id = org.id
            return org_id

    def transaction(self) -> AbstractContextManager[CharterSession]:
        return transaction(self.sessions)


def open_runtime(settings: Settings, *, engine: Engine | None = None) -> Runtime:
    """Load the policy and the keyring and connect. Migrations are not run here."""
    loaded = load_policy(settings.policy)
    keyring = load_keyring(
        settings.key_file, settings.key.get_secret_value() if settings.key else None
    )
    engine = engine or make_engine(settings.resolved_database_url)
    return Runtime(
        settings=settings,
        loaded=loaded,
        engine=engine,
        sessions=make_sessionmaker(engine),
        keyring=keyring,
    )
