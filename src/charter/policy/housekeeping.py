"""How long Charter keeps what it makes itself while keeping the policy's promises — mail
it sent, the proof log of cookie choices, closed requests, form submissions, identity
documents — and the floor below which anonymised statistics are not shown."""

from __future__ import annotations

from pydantic import Field

from ._base import Strict
from .text import Duration


class ByProducts(Strict):
    outbox_messages: Duration = Field(
        default=Duration("30 days"),
        description="a sent (or finally failed) mail is deleted this long after it was sent")
    cookie_consents: Duration = Field(
        default=Duration("13 months"),
        description="a cookie choice in the proof log is deleted this long after it was made "
                    "(the banner asks again after 13 months at most)")
    closed_requests: Duration = Field(
        default=Duration("3 years"),
        description="a closed data-subject request, with its answer, is deleted this long "
                    "after it was closed (proof that the right was answered)")
    submissions: Duration = Field(
        default=Duration("3 years"),
        description="the proof of a form submission (what was sent, from where) is deleted "
                    "this long after it was received")
    closed_complaints: Duration = Field(
        default=Duration("5 years"),
        description="an answered or closed complaint is deleted this long after it was "
                    "received (the time to bring a claim about it)")
    identity_documents: Duration = Field(
        default=Duration("30 days"),
        description="a proof of identity still undecided is deleted this long after upload "
                    "(a decision deletes it at once)")


class Statistics(Strict):
    minimum_cell: int = Field(
        default=5, ge=2, le=100,
        description="k: a figure about fewer people than this is not shown (k-anonymity)")
