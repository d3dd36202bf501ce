"""The whole policy file, ``charter.yaml``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Strict
from .commitments import (
    ALL_ACTIONS,
    Changes,
    Claims,
    Cookie,
    Minors,
    Newsletter,
    Rights,
    Role,
    Signals,
    Statement,
)
from .housekeeping import ByProducts, Statistics
from .organization import Languages, Organization
from .processing import (
    CollectionPoint,
    DataCategory,
    LegalHold,
    Purpose,
    Recipient,
    RetentionRule,
    SubjectCategory,
    System,
)
from .text import Text

DEFAULT_ROLES: tuple[Role, ...] = (
    Role(id="admin", label=Text("Administrator"), categories=["*"], actions=list(ALL_ACTIONS)),
    Role(
        id="dpo",
        label=Text("Data protection officer"),
        categories=["*"],
        actions=[
            "view_subjects",
            "edit_subjects",
            "handle_requests",
            "manage_breaches",
            "handle_complaints",
            "manage_policy",
            "send_campaigns",
            "read_outbox",
            "view_audit",
            "export_records",
        ],
    ),
    Role(
        id="support",
        label=Text("Support agent"),
        categories=["contact", "identity", "language_profile"],
        actions=["view_subjects", "edit_subjects", "handle_requests"],
    ),
    Role(
        id="billing", label=Text("Billing clerk"), categories=["billing"], actions=["view_subjects"]
    ),
    Role(id="viewer", label=Text("Viewer"), categories=[], actions=[]),
)


class Policy(Strict):
    version: Literal[1] = Field(default=1, description="format version of this file")
    organization: Organization
    languages: Languages = Field(default_factory=Languages)
    effective_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    subject_categories: list[SubjectCategory] = Field(default_factory=list)
    data_categories: list[DataCategory] = Field(default_factory=list)
    collection_points: list[CollectionPoint] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default_factory=list)
    retention_rules: list[RetentionRule] = Field(default_factory=list)
    legal_holds: list[LegalHold] = Field(default_factory=list)
    by_products: ByProducts = Field(default_factory=ByProducts)
    statistics: Statistics = Field(default_factory=Statistics)
    recipients: list[Recipient] = Field(default_factory=list)
    systems: list[System] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    minors: Minors | None = None
    rights: Rights = Field(default_factory=Rights)
    signals: Signals = Field(default_factory=Signals)
    changes: Changes = Field(default_factory=Changes)
    newsletter: Newsletter | None = None
    security: list[Text] = Field(default_factory=list)
    claims: Claims = Field(default_factory=Claims)
    statements: list[Statement] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)

    def effective_roles(self) -> list[Role]:
        """The declared roles, or Charter's defaults when the policy declares none."""
        return self.roles or list(DEFAULT_ROLES)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.effective_roles() if r.id == role_id), None)

    def category(self, category_id: str) -> DataCategory | None:
        return next((c for c in self.data_categories if c.id == category_id), None)

    def system(self, system_id: str) -> System | None:
        return next((s for s in self.systems if s.id == system_id), None)

    def purpose(self, purpose_id: str) -> Purpose | None:
        return next((p for p in self.purposes if p.id == purpose_id), None)

    def retention_rule(self, rule_id: str) -> RetentionRule | None:
        return next((r for r in self.retention_rules if r.id == rule_id), None)

    def recipients_of(self, categories: set[str] | list[str]) -> list[Recipient]:
        """Recipients of any of these data categories: declared on the recipient, or by a
        purpose using the category that names the recipient."""
        wanted = set(categories)
        named = {r for p in self.purposes if wanted & set(p.categories) for r in p.recipients}
        return [r for r in self.recipients if wanted & set(r.categories) or r.id in named]

    def collection_point(self, point_id: str) -> CollectionPoint | None:
        return next((c for c in self.collection_points if c.id == point_id), None)
