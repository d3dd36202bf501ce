"""What is processed: categories of people and data, purposes, retention, recipients, systems."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import EmailStr, Field, field_validator

from ._base import CountryCode, Identifier, Strict
from .systems import ManualTasks, SqlMapping, WebhookOptions
from .text import Duration, Text

FieldType = Literal[
    "string",
    "text",
    "email",
    "phone",
    "date",
    "integer",
    "boolean",
    "country",
    "language",
    "ip",
    "iban",
    "url",
    "choice",
]

LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
"""GDPR Art. 6(1)(a) to (f), in that order."""

LEGAL_BASIS_LETTER: dict[str, str] = {
    "consent": "a",
    "contract": "b",
    "legal_obligation": "c",
    "vital_interests": "d",
    "public_task": "e",
    "legitimate_interests": "f",
}

Art9Condition = Literal[
    "explicit_consent",
    "employment",
    "vital_interests",
    "not_for_profit",
    "made_public",
    "legal_claims",
    "substantial_public_interest",
    "health_care",
    "public_health",
    "research",
]
"""GDPR Art. 9(2)(a) to (j)."""


def dpv_legal_basis(basis: str) -> str:
    """The W3C DPV IRI of an Art. 6(1) legal basis, e.g. ``eu-gdpr:A6-1-a`` expanded."""
    return f"https://w3id.org/dpv/legal/eu/gdpr#A6-1-{LEGAL_BASIS_LETTER[basis]}"


class SubjectCategory(Strict):
    id: Identifier
    label: Text


class DataField(Strict):
    name: Identifier
    type: FieldType = "string"
    label: Text | None = None
    choices: list[str] = Field(default_factory=list)


class DataCategory(Strict):
    id: Identifier
    label: Text
    fideslang: str = Field(
        pattern=r"^[a-z_]+(\.[a-z_]+)*$", description="dotted name, e.g. user.contact.email"
    )
    fields: list[DataField] = Field(default_factory=list)
    special: bool = Field(default=False, description="special category under GDPR Art. 9")
    art9_condition: Art9Condition | None = None
    automatic: bool = Field(default=False, description="collected without the person typing it")
    description: Text | None = None
    anonymise_keep: list[Identifier] = Field(
        default_factory=list,
        description="fields kept, as they are, when a record of this category is anonymised "
                    "(e.g. a language or a country): statistics are shown only for groups of "
                    "at least statistics.minimum_cell people")

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}


class CollectedField(Strict):
    name: Identifier
    category: Identifier | None = None
    field: Identifier | None = Field(default=None, description="name inside the category")
    required: bool = False

    @property
    def category_field(self) -> str:
        return self.field or self.name


Channel = Literal["email", "phone", "sms", "post"]


class ConsentOption(Strict):
    purpose: Identifier
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["email"]))
    text: Text


class CollectionPoint(Strict):
    id: Identifier
    kind: Literal["form", "import", "api", "offline"]
    label: Text
    fields: list[CollectedField] = Field(default_factory=list)
    purposes: list[Identifier] = Field(default_factory=list)
    consent_options: list[ConsentOption] = Field(default_factory=list)
    asks_age: bool = False
    age_question: Literal["birth_date", "age"] = Field(
        "birth_date", description="how the age is asked: the date of birth, or the age in years")
    subject_categories: list[Identifier] = Field(default_factory=list)


RetentionTrigger = Literal[
    "collected",
    "last_contact",
    "contract_end",
    "account_closed",
    "consent_withdrawn",
]


class RetentionRule(Strict):
    id: Identifier
    duration: Duration
    trigger: RetentionTrigger
    action: Literal["delete", "anonymise"] = "delete"
    description: Text | None = None


class LegalHold(Strict):
    """Data the law makes us keep even when a purpose or a person no longer wants it."""

    id: Identifier
    label: Text
    categories: list[Identifier]
    duration: Duration
    trigger: RetentionTrigger
    basis: Text = Field(description="the statute, e.g. Belgian Code of Economic Law art. III.88")


TransferMechanism = Literal["adequacy", "scc", "dpf", "bcr", "derogation"]


class Recipient(Strict):
    id: Identifier
    name: str
    role: Literal["processor", "sub_processor", "third_party", "joint_controller"]
    purpose: Text
    categories: list[Identifier] = Field(default_factory=list)
    country: CountryCode
    countries: list[CountryCode] = Field(
        default_factory=list, description="further countries where the recipient processes"
    )
    transfer_mechanism: TransferMechanism | None = None
    processor_of: Identifier | None = Field(
        default=None, description="for a sub-processor: the id of the processor that engaged it"
    )
    agreement_signed: str | None = Field(
        default=None, description="date of the data-processing agreement (Art. 28(3)), YYYY-MM-DD"
    )
    agreement_reviewed: str | None = Field(
        default=None, description="when the agreement was last reviewed, YYYY-MM-DD"
    )
    privacy_url: str | None = None
    notify_email: EmailStr | None = Field(
        default=None,
        description="where to tell this recipient of rectifications, erasures and "
        "restrictions (Art. 19); without it, staff are given the task",
    )

    @field_validator("agreement_signed", "agreement_reviewed")
    @classmethod
    def _calendar_day(cls, value: str | None) -> str | None:
        """The register is shown to an authority: "2024" or "01/02/2024" would be ambiguous."""
        if value is None:
            return None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and date.fromisoformat(value):
                return value
        except ValueError:
            pass
        raise ValueError("a date written YYYY-MM-DD")

    def all_countries(self) -> list[str]:
        return [self.country, *[c for c in self.countries if c != self.country]]


class Purpose(Strict):
    id: Identifier
    label: Text
    description: Text | None = None
    legal_basis: LegalBasis | None = None
    legitimate_interest: Text | None = None
    statutory_basis: Text | None = Field(default=None, description="the law, for legal_obligation")
    marketing: bool = False
    profiling: bool = False
    sale_or_sharing: bool = False
    targeted_advertising: bool = False
    automated_decision: Text | None = Field(default=None, description="Art. 22 logic, if any")
    categories: list[Identifier] = Field(default_factory=list)
    subject_categories: list[Identifier] = Field(default_factory=list)
    recipients: list[Identifier] = Field(default_factory=list)
    retention: Identifier | None = None
    on_behalf_of: Text | None = Field(
        default=None,
        description="set when this is done as processor (Art. 28): the controller(s) it is "
        "done for and how to reach them, e.g. 'Our customers, each named in its data "
        "processing agreement'; the record of processing then lists it under Art. 30(2)",
    )

    @property
    def dpv_legal_basis(self) -> str | None:
        return dpv_legal_basis(self.legal_basis) if self.legal_basis else None


class System(Strict):
    id: Identifier
    kind: Literal["builtin", "sql", "manual", "webhook"]
    label: Text
    categories: list[Identifier] = Field(default_factory=list)
    description: Text | None = None
    url_env: str | None = Field(default=None, description="sql: env variable holding the URL")
    url: str | None = Field(default=None, description="webhook: the HTTPS endpoint")
    secret_env: str | None = Field(default=None, description="webhook: env variable of the secret")
    responsible: list[str] = Field(default_factory=list, description="manual: staff in charge")
    access_note: Text | None = Field(default=None, description="e.g. isolated computer, two people")
    max_staff_with_access: int | None = Field(default=None, ge=1)
    country: CountryCode | None = None
    sql: SqlMapping | None = Field(default=None, description="sql: tables, columns, erasure")
    manual: ManualTasks | None = Field(default=None, description="manual: tasks and checklist")
    webhook: WebhookOptions | None = None
