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
    verified_by: str | None = Field(
        default=None, max_length=64,
        description="the person is logged in to your service as this account: no e-mail "
        "confirmation is asked",
    )


class RequestOut(BaseModel):
    reference: str
    type: str
    status: Literal["open", "in_progress", "fulfilled", "denied", "expired", "revoked"]
    stage: str
    received_on: date
    due_on: date
