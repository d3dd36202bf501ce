"""The consent ledger over HTTP: "may we?" with its reason, consents recorded by staff with
their proof, withdrawal as easy as giving, receipts the person can download."""

from __future__ import annotations

import base64
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.cli import main
from charter.consent.service import object_to_direct_marketing, suppress
from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import ConsentEvent, utcnow
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..smtp import Inbox, link_in


def _headers(cli_args: list[str], *scopes: str) -> dict[str, str]:
    flags = [flag for scope in scopes for flag in ("--scope", scope)]
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "desk", *flags]).output.strip()
    return {"Authorization": f"Bearer {key}"}


def _give(client: TestClient, headers: dict[str, str], email: str, **more: Any) -> Any:
    scan = base64.b64encode(b"%PDF signed").decode()
    return client.post("/api/v1/consents", headers=headers, json={
        "email": email, "purpose": "newsletter", "method": "written",
        "text": "I want the newsletter.", "evidence": {"document_base64": scan,
                                                       "obtained_at": "2026-02-01T09:00:00Z"},
        **more})


def _reason(client: TestClient, headers: dict[str, str], email: str,
            purpose: str = "newsletter") -> tuple[bool, str]:
    body = client.get("/api/v1/consent/check", headers=headers,
                      params={"email": email, "purpose": purpose, "channel": "email"}).json()
    return body["allowed"], body["reason"]


def test_every_reason_a_check_can_give(mail_client: TestClient, mail_runtime: Runtime,
                                       cli_args: list[str]) -> None:
    headers = _headers(cli_args, "consent:read", "consent:write")
    assert _reason(mail_client, headers, "nobody@example.org") == (False, "no_consent")
    for email in ("a@example.org", "b@example.org", "c@example.org", "d@example.org",
                  "e@example.org"):
        assert _give(mail_client, headers, email).status_code == 201
    assert _reason(mail_client, headers, "a@example.org") == (True, "granted")
    assert _reason(mail_client, headers, "a@example.org", "courses") == (
        True, "not_consent_based")
    withdrawn = mail_client.post("/api/v1/consents/withdrawals", headers=headers,
                                 json={"email": "b@example.org", "purpose": "newsletter"})
    assert withdrawn.json() == {"withdrawn": 1}
    assert _reason(mail_client, headers, "b@example.org") == (False, "withdrawn")
    with mail_runtime.transaction() as session:
        c = find_subject(session, mail_runtime, email="c@example.org")
        d = find_subject(session, mail_runtime, email="d@example.org")
        e = find_subject(session, mail_runtime, email="e@example.org")
        assert c and d and e and d.email_index
        c.restricted_at = utcnow()
        suppress(session, mail_runtime, d.email_index, reason="staff", actor="test")
        object_to_direct_marketing(session, mail_runtime, e, actor="test")
    assert _reason(mail_client, headers, "c@example.org") == (False, "restricted")
    assert _reason(mail_client, headers, "d@example.org") == (False, "suppressed")
    assert _reason(mail_client, headers, "e@example.org") == (False, "objected")


def test_bad_checks_and_consents_change_nothing(mail_client: TestClient,
                                                mail_runtime: Runtime,
                                                cli_args: list[str]) -> None:
    headers = _headers(cli_args, "consent:read", "consent:write")
    for params in ({"email": "x@example.org", "purpose": "nope"},
                   {"email": "x@example.org", "purpose": "newsletter", "channel": "pigeon"},
                   {"email": "not-an-address", "purpose": "newsletter"}):
        assert mail_client.get("/api/v1/consent/check", headers=headers,
                               params=params).status_code == 422, params
    cases = [
        {"purpose": "courses"},  # rests on the contract, not on consent
        {"method": "online_checkbox"},  # staff record written or verbal consent only
        {"evidence": {}},  # no proof
        {"evidence": {"document_base64": "***"}},
        {"evidence": {"note": "phone call", "obtained_at": "2999-01-01T00:00:00Z"}},
    ]
    for change in cases:
        assert _give(mail_client, headers, "x@example.org", **change).status_code == 422, change
    with mail_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ConsentEvent).where(
            ConsentEvent.organization_id == mail_runtime.organization_id)) == 0


def test_the_receipt_carries_kantara_and_iso_27560_fields(mail_client: TestClient,
                                                          cli_args: list[str]) -> None:
    headers = _headers(cli_args, "consent:read", "consent:write")
    given = _give(mail_client, headers, "ruben@example.org").json()
    receipt = mail_client.get(given["receipt_url"], headers=headers).json()
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["consentReceiptID"] == given["receipt_id"]
    assert receipt["piiPrincipalId"] == "ruben@example.org"
    assert receipt["piiControllers"][0]["piiController"] == "Test Language School SRL"
    assert receipt["collectionMethod"] == "written" and receipt["jurisdiction"] == "BE"
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["termination"] == "3 years after last contact"
    iso = receipt["iso27560"]
    assert iso["processing"]["legal_basis"] == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a"
    assert iso["event"]["event_type"] == "given" and iso["notice"]["text_sha256"]
    assert iso["event"]["event_time"].startswith("2026-02-01T09:00")
    assert mail_client.get("/api/v1/consents/nope/receipt", headers=headers).status_code == 404


def test_the_person_finds_their_preferences_and_receipts_by_mail(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    import re

    headers = _headers(cli_args, "consent:write")
    given = _give(mail_client, headers, "lotte@example.org").json()
    page = mail_client.get("/preferences?lang=nl")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token and "e-mailadres" in page.text.lower()
    for email in ("lotte@example.org", "stranger@example.org"):
        answer = mail_client.post("/preferences?lang=nl", data={
            "email": email, "csrf_token": token.group(1)})
        assert answer.status_code == 200  # the same answer: no hint who is known
    deliver_due(mail_runtime, SmtpTransport(mail_runtime.settings))
    assert [m["To"] for m in inbox.messages] == ["lotte@example.org"]
    path = link_in(inbox.messages[0], "/preferences/").split(".be", 1)[1]
    preferences = mail_client.get(path)
    assert given["receipt_id"] in preferences.text
    download = mail_client.get(f"{path}/receipts/{given['receipt_id']}")
    assert download.status_code == 200 and download.json()["piiPrincipalId"] == \
        "lotte@example.org"
    assert "attachment" in download.headers["content-disposition"]
    assert mail_client.get(f"{path}/receipts/someone-elses").status_code == 404


def test_an_objection_has_a_receipt_too(mail_client: TestClient, mail_runtime: Runtime,
                                        cli_args: list[str]) -> None:
    headers = _headers(cli_args, "consent:read", "consent:write")
    _give(mail_client, headers, "obj@example.org")
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email="obj@example.org")
        assert subject is not None
        object_to_direct_marketing(session, mail_runtime, subject, actor="test")
        events = session.scalars(select(ConsentEvent).where(
            ConsentEvent.organization_id == mail_runtime.organization_id,
            ConsentEvent.action == "object")).all()
    receipt = mail_client.get(f"/api/v1/consents/{events[0].receipt_id}/receipt",
                              headers=headers)
    assert receipt.status_code == 200
    assert receipt.json()["iso27560"]["event"]["event_type"] == "objected"
