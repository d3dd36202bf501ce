"""Who the organization is and how to reach it."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from ._base import CountryCode, Strict
from .text import Language, Text


class Address(Strict):
    street: str
    postal_code: str
    city: str
    country: CountryCode
    attention: str | None = Field(default=None, description="'Attn:' line, e.g. the privacy office")

    def one_line(self) -> str:
        parts = [self.attention, self.street, f"{self.postal_code} {self.city}", self.country]
        return ", ".join(p for p in parts if p)


class Registration(Strict):
    """A registry number other than the company / VAT number (KRS, REGON, a DPA filing...)."""

    kind: str
    number: str


class DataProtectionOfficer(Strict):
    name: str
    email: EmailStr
    address: Address | None = None


class SupervisoryAuthority(Strict):
    name: Text
    address: Address
    website: str
    email: EmailStr | None = None


class Organization(Strict):
    legal_name: str
    legal_form: str | None = None
    trade_names: list[str] = Field(default_factory=list)
    parent: str | None = Field(default=None, description="e.g. 'Iotum Inc.' for Callbridge")
    address: Address
    company_number: str | None = None
    vat_number: str | None = None
    registrations: list[Registration] = Field(default_factory=list)
    website: str | None = None
    privacy_email: EmailStr | None = None
    contact_email: EmailStr | None = None
    dpo: DataProtectionOfficer | None = None
    supervisory_authority: SupervisoryAuthority
    country: CountryCode
    role: Literal["controller", "processor", "both"] = "controller"
    processor_statement: Text | None = Field(
        default=None, description="How the organization acts as processor for its clients"
    )


class Languages(Strict):
    default: Language = "en"
    others: list[Language] = Field(default_factory=list)

    @property
    def all(self) -> list[Language]:
        return [self.default, *[lang for lang in self.others if lang != self.default]]
