from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ..policy.text import Language


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000, description="who, when, how")
    document_base64: str | None = Field(
        default=None, max_length=7_000_000, description="the signed agreement (PDF, image)"
    )
    document_name: str | None = Field(default=None, max_length=200)
    obtained_at: AwareDatetime | None = Field(
        default=None, description="when it was given, with its time zone"
    )

    @field_validator("obtained_at")
    @classmethod
    def _not_in_future(cls, value: AwareDatetime | None) -> AwareDatetime | None:
        if value is not None and value > datetime.now(UTC):
            raise ValueError("a consent cannot be given in the future")
        return value


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    language: Language | None = None
    method: Literal["double_opt_in", "written", "verbal"] = "double_opt_in"
    evidence: Evidence | None = None


class SubscriptionOut(BaseModel):
    status: Literal["confirmation_sent", "subscribed"]


class InboundOut(BaseModel):
    unsubscribed: bool
