"""What the organization promises people: rights, minors, cookies, signals, changes, security."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from ._base import Identifier, Strict
from .text import Text

CookieCategory = Literal["necessary", "preferences", "analytics", "marketing"]


class Cookie(Strict):
    name: str
    provider: str
    category: CookieCategory
    duration: str = Field(description='"session", or a length such as "13 months"')
    party: Literal["first", "third"] = "first"
    purpose: Text
    vendor: str | None = None

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        if value == "session" or re.match(r"^\d+ (minute|hour|day|month|year)s?$", value):
            return value
        raise ValueError('"session" or a length such as "30 days" or "13 months"')


class Minors(Strict):
    minimum_age: int = Field(ge=0, le=21)
    parental_consent: bool = True
    school_consent: bool = False
    confirmation_window_days: int = Field(default=14, ge=1, le=90)
    statement: Text | None = None


RightName = Literal[
    "access",
    "rectification",
    "erasure",
    "portability",
    "restriction",
    "objection",
    "withdrawal",
]
ALL_RIGHTS: tuple[RightName, ...] = (
    "access",
    "rectification",
    "erasure",
    "portability",
    "restriction",
    "objection",
    "withdrawal",
)

WithdrawalChannel = Literal["preferences_page", "unsubscribe_link", "email", "account", "post"]
NoticeChannel = Literal["email", "notice_page"]
RequestChannel = Literal["email", "post", "web_form", "account", "phone", "in_person"]


class Rights(Strict):
    deadline: str = Field(default="one-month", description='"one-month" or "N days"')
    extension_allowed: bool = True
    verification: Literal["email_link", "account_login", "document"] = "email_link"
    channels: list[RequestChannel] = Field(
        default_factory=lambda: list[RequestChannel](["web_form", "email"])
    )
    request_email: str | None = None
    privacy_center_url: str | None = None
    offered: list[RightName] = Field(default_factory=lambda: list(ALL_RIGHTS))
    withdrawal_channels: list[WithdrawalChannel] = Field(
        default_factory=lambda: list[WithdrawalChannel](["preferences_page", "unsubscribe_link"])
    )
    export_retention_days: int = Field(default=30, ge=1, le=365)

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        if value == "one-month" or re.match(r"^\d+ days$", value):
            return value
        raise ValueError('"one-month" or a number of days such as "30 days"')

    @property
    def deadline_days(self) -> int | None:
        """The policy's own promise in days, if it sets one; None means the legal one month."""
        return None if self.deadline == "one-month" else int(self.deadline.split()[0])


class Signals(Strict):
    honour_gpc: bool = True
    honour_dnt: bool = False
    do_not_sell_link: bool = False
    dnt_statement: Text | None = None


class Changes(Strict):
    notice_window_days: int = Field(default=30, ge=0, le=365)
    silence_means: Literal["acceptance", "objection"] = "acceptance"
    notify_by: list[NoticeChannel] = Field(
        default_factory=lambda: list[NoticeChannel](["email", "notice_page"])
    )


class Newsletter(Strict):
    purpose: Identifier
    double_opt_in: bool = True
    manual_with_written_agreement: bool = False
    unsubscribe_in_footer: bool = True


class Claims(Strict):
    """Sentences the published notice states as facts; `charter check` compares them with
    what the rest of the policy declares, so a notice cannot promise what practice breaks."""

    uses_cookies: bool | None = None
    sells_personal_data: bool | None = None
    allows_third_party_tracking: bool | None = None
    transfers_outside_eea: bool | None = None
    collects_from_children: bool | None = None
    immediate_effect_of_changes: bool | None = None
    consent_by_use: bool | None = Field(
        default=None, description="the notice says using the site or giving data is consent"
    )
    disclaims_breach_liability: bool | None = Field(
        default=None, description="the notice says the organization is not liable for breaches"
    )


class Statement(Strict):
    """A commitment the notice must carry that no structured key holds (e.g. social networks)."""

    id: Identifier
    title: Text
    body: Text


RoleAction = Literal[
    "view_subjects",
    "edit_subjects",
    "handle_requests",
    "manage_breaches",
    "handle_complaints",
    "manage_policy",
    "manage_staff",
    "send_campaigns",
    "read_outbox",
    "view_audit",
    "export_records",
]
ALL_ACTIONS: tuple[RoleAction, ...] = (
    "view_subjects",
    "edit_subjects",
    "handle_requests",
    "manage_breaches",
    "handle_complaints",
    "manage_policy",
    "manage_staff",
    "send_campaigns",
    "read_outbox",
    "view_audit",
    "export_records",
)


class Role(Strict):
    id: Identifier
    label: Text
    categories: list[str] = Field(
        default_factory=list, description='data category ids this role may see, or ["*"]'
    )
    actions: list[RoleAction] = Field(default_factory=list)
