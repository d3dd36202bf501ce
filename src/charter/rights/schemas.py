from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..policy.commitments import RightName
from ..policy.text import Language


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RightName
    email: str = Field(max_length=320)
    details: str = Field(default="", max_length=5000)
    language: Language | None = None
    channel: Literal["api", "web_form", "account"] = "api"
    purpose: str | None = Field(default=None, description="withdrawal, objection: which purpose")
    target_url: str | None = Field(
        default=None, description="portability: another controller's HTTPS endpoint"
    )
    ground: Literal["a", "b", "c", "d", "e", "f"] | None = Field(
        default=None, description="erasure: the ground of Art. 17(1) the person invokes, "
        "(a) to (f); staff confirm it"
    )
    verified_by: str | None = Field(
        default=None, max_length=64,
        description="the person is logged in to your service as this account: no e-mail "
        "confirmation is asked",
    )


class RequestOut(BaseModel):
    """The status of a request, in the Data Rights Protocol's words (its 3.03 schema)."""

    reference: str
    type: str
    status: Literal["open", "in_progress", "fulfilled", "denied", "expired", "revoked"]
    reason: str | None = Field(
        description="in_progress: need_user_verification while the person has to prove who "
        "they are; denied: suspected_fraud, insuf_verification, no_match, claim_not_covered, "
        "outside_jurisdiction, too_many_requests or other"
    )
    processing_details: str | None = Field(
        description="denied: the reason told to the person, in their words"
    )
    stage: str
    ground: str | None = Field(description="erasure: the ground of Art. 17(1), (a) to (f)")
    received_on: date
    due_on: date
