from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..newsletter.schemas import Evidence
from ..policy.text import Language


class BrowserSignals(BaseModel):
    """The visitor's signals, forwarded by the site that collected the submission."""

    model_config = ConfigDict(extra="forbid")

    gpc: bool = False
    dnt: bool = False


class VisitorEvidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=300)


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] = Field(description="the collection point's declared fields only")
    consents: list[str] = Field(default_factory=list, description='"purpose:channel" ticked')
    language: Language | None = None
    birth_date: str | None = None
    age: int | None = Field(None, description="when the point asks the age in years")
    parent_email: str | None = None
    confirmer: Literal["parent", "school"] | None = None
    signals: BrowserSignals = Field(default_factory=BrowserSignals)
    evidence: VisitorEvidence = Field(default_factory=VisitorEvidence)


class SubmissionOut(BaseModel):
    status: Literal["stored", "pending_parental_consent"]
    granted: list[str]
    pending: list[str]
    refused: dict[str, str]


class ConsentCheckOut(BaseModel):
    allowed: bool
    reason: str
    purpose: str
    channel: str


class ConsentIn(BaseModel):
    """Consent given in writing, by phone, or by accepting terms, recorded by staff."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    purpose: str
    channel: Literal["email", "phone", "sms", "post"] = "email"
    method: Literal["written", "verbal", "implied_by_terms"]
    text: str = Field(min_length=1, max_length=2000, description="what the person agreed to")
    language: Language | None = None
    evidence: Evidence


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    purpose: str | None = None
    channel: Literal["email", "phone", "sms", "post"] | None = None


class ConsentOut(BaseModel):
    receipt_id: str
    receipt_url: str


class WithdrawalOut(BaseModel):
    withdrawn: int
