"""Every message Charter sends exists in English, French and Dutch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from charter.mail.compose import KINDS, compose
from charter.policy import load_policy

from ..conftest import POLICY

WHEN = datetime(2026, 9, 5, tzinfo=UTC)
CONTEXT = {
    "purpose_label": "Newsletter", "confirm_url": "https://x/c", "verify_url": "https://x/v",
    "request_label": "access", "reference": "R-2026-0001", "received_at": WHEN, "due_at": WHEN,
    "expires_at": WHEN, "reason": "A reason.", "summary": ["One line."], "held": ["Invoices."],
    "download_url": "https://x/d", "download_expires_at": WHEN, "changes": ["A change."],
    "notice_url": "https://x/privacy", "respond_url": "https://x/r", "window_ends_at": WHEN,
    "silence_means": "acceptance", "minimum_age": 16, "form_label": "Enrolment",
    "deadline": WHEN, "lift_on": WHEN.date(), "subject_line": "Hello", "body": "Body.",
    "unsubscribe_url": "https://x/u", "preferences_url": "https://x/p",
    "upload_url": "https://x/proof", "action_label": "erasure", "person_email": "a@b.c",
    "requests": [{"reference": "R-2026-0001", "kind": "access", "deadline": WHEN,
                  "overdue": True}], "portal_url": "https://x/requests",
    "tasks": [{"reference": "R-2026-0001", "system": "Accounting program", "action": "erasure",
               "due_on": WHEN, "overdue": True}],
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_message_in_each_language(kind: str) -> None:
    policy = load_policy(POLICY).policy
    texts = {lang: compose(kind, lang, policy, **CONTEXT) for lang in ("en", "fr", "nl")}
    for composed in texts.values():
        assert composed.subject and "\n" not in composed.subject
        assert "Test Language School SRL" in composed.text  # the signature
    if kind != "campaign":  # a campaign's subject and text are the sender's own
        assert len({t.subject for t in texts.values()}) == 3, texts
        assert len({t.text for t in texts.values()}) == 3
    undated = ("newsletter_confirmation", "campaign", "denial", "preferences_link",
               "proof_needed", "recipient_notice")
    assert "5 septembre 2026" in texts["fr"].text or kind in undated
    assert "5 september 2026" in texts["nl"].text or kind in undated


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    policy = load_policy(POLICY).policy
    with pytest.raises(Exception, match="confirm_url"):
        compose("newsletter_confirmation", "en", policy, purpose_label="Newsletter")
