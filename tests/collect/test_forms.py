"""Declared forms over HTTP: rendered in the visitor's language, accepted only as declared,
attached to the same person by blind index; browser signals honoured and recorded."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.cli import main
from charter.collect.pages import embed_token
from charter.models import Record, Subject, Submission
from charter.runtime import Runtime
from charter.subjects import find_subject
from charter.web.app import create_app
from charter.web.forms import signed_form_token

from ..factories import policy_with

GOOD = {"email": "Lucas.Maes@example.org", "first_name": "Lucas", "last_name": "Maes",
        "phone": "0470 12 34 56", "target_language": "nl", "company": "Atelier Maes"}


def _token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def post_form(client: TestClient, point: str, data: dict[str, Any], *, lang: str = "en",
              headers: dict[str, str] | None = None) -> Any:
    token = _token(client, f"/forms/{point}?lang={lang}")
    return client.post(f"/forms/{point}?lang={lang}", data={**data, "csrf_token": token},
                       headers=headers or {})


def _count(runtime: Runtime, model: Any) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(
            model.organization_id == runtime.organization_id)) or 0


def test_the_form_speaks_the_visitors_language_and_ticks_nothing(client: TestClient) -> None:
    page = client.get("/forms/newsletter_signup", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "Inschrijving op de nieuwsbrief" in page.text
    assert "Stuur mij de nieuwsbrief over nieuwe cursussen." in page.text
    assert 'type="checkbox"' in page.text and " checked" not in page.text
    fr = client.get("/forms/enrolment?lang=fr")
    assert '<html lang="fr">' in fr.text and "Formulaire d&#39;inscription aux cours" in fr.text
    assert 'autocomplete="email"' in fr.text and 'type="tel"' in fr.text
    assert client.get("/forms/nope").status_code == 404
    assert client.get("/forms/legacy").status_code == 404  # not a form


def test_a_valid_submission_is_stored_sealed_and_a_second_one_attaches(
        client: TestClient, runtime: Runtime) -> None:
    first = post_form(client, "enrolment", GOOD)
    assert first.status_code == 200 and "We have received your details." in first.text
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email="lucas.maes@example.org")
        assert subject is not None
        records = session.scalars(select(Record).where(
            Record.organization_id == runtime.organization_id,
            Record.subject_id == subject.id)).all()
        assert sorted(r.category for r in records) == ["billing", "contact",
                                                       "language_profile"]
        contact = next(r for r in records if r.category == "contact")
        assert runtime.cipher.unseal(contact)["phone"] == "+32470123456"
        first_contact = contact.last_contact_at
    again = post_form(client, "enrolment", {**GOOD, "email": "lucas.maes@EXAMPLE.org"})
    assert again.status_code == 200
    assert _count(runtime, Subject) == 1 and _count(runtime, Submission) == 2
    with runtime.transaction() as session:
        contact = session.scalars(select(Record).where(
            Record.organization_id == runtime.organization_id,
            Record.category == "contact")).one()
        assert contact.last_contact_at > first_contact


def test_each_bad_field_is_named_and_nothing_is_stored(client: TestClient,
                                                       runtime: Runtime) -> None:
    bad = {**GOOD, "email": "lucas@", "phone": "12", "first_name": "", "shoe_size": "44"}
    response = post_form(client, "enrolment", bad)
    assert response.status_code == 422
    for field in ("email", "phone", "first_name", "shoe_size"):
        assert f'href="#f-{field}"' in response.text, field
    assert "not a field of this form" in response.text
    assert 'value="Atelier Maes"' in response.text  # what was typed is kept for the fix
    # each message sits by its field, and the field points to it
    assert 'aria-describedby="err-phone"' in response.text
    assert '<p class="error" id="err-phone">expected a phone number' in response.text
    assert _count(runtime, Subject) == 0 and _count(runtime, Submission) == 0


def test_an_embedded_form_posts_with_its_token(client: TestClient, runtime: Runtime,
                                               cli_args: list[str]) -> None:
    client.cookies.clear()
    refused = client.post("/forms/enrolment", data=GOOD)
    assert refused.status_code == 400 and _count(runtime, Subject) == 0
    snippet = CliRunner().invoke(main, [*cli_args, "forms", "snippet", "enrolment"])
    assert snippet.exit_code == 0, snippet.output
    token = embed_token(runtime, "enrolment")
    assert f'name="embed_token" value="{token}"' in snippet.output
    assert 'name="target_language"' in snippet.output
    embedded = client.post("/forms/enrolment", data={**GOOD, "embed_token": token})
    assert embedded.status_code == 200 and _count(runtime, Subject) == 1


def _api_key(cli_args: list[str], scope: str, name: str = "site") -> dict[str, str]:
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", name, "--scope", scope])
    return {"Authorization": f"Bearer {key.output.strip()}"}


def test_json_submissions_by_api(client: TestClient, runtime: Runtime,
                                 cli_args: list[str]) -> None:
    headers = _api_key(cli_args, "forms:submit")
    ok = client.post("/api/v1/forms/newsletter_signup/submissions", headers=headers, json={
        "fields": {"email": "zoe@example.org"}, "consents": ["newsletter:email"],
        "language": "fr"})
    assert ok.status_code == 201, ok.text
    assert ok.json() == {"status": "stored", "granted": [], "pending": ["newsletter:email"],
                         "refused": {}}  # the newsletter asks for a confirmation first
    bad = client.post("/api/v1/forms/enrolment/submissions", headers=headers, json={
        "fields": {"email": "x", "colour": "red"}, "consents": ["newsletter:email"]})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "email", "colour", "first_name", "last_name", "target_language", "consent:newsletter:email"}
    assert client.post("/api/v1/forms/nope/submissions", headers=headers,
                       json={"fields": {}}).status_code == 404
    assert client.post("/api/v1/forms/enrolment/submissions",
                       json={"fields": {}}).status_code == 401
    wrong = _api_key(cli_args, "consent:read", "reader")
    assert client.post("/api/v1/forms/enrolment/submissions", headers=wrong,
                       json={"fields": {}}).status_code == 403
    assert _count(runtime, Subject) == 1


def test_gpc_refuses_selling_and_is_recorded(full_client: TestClient, full_runtime: Runtime,
                                             cli_args: list[str]) -> None:
    data = {"email": "ines@example.org", "first_name": "Inès", "birth_date": "1990-04-01",
            "consent": ["newsletter:email", "partner_offers:email", "partner_offers:sms"]}
    response = post_form(full_client, "summer_camp", data, headers={"Sec-GPC": "1"})
    assert response.status_code == 200, response.text
    with full_runtime.transaction() as session:
        submission = session.scalars(select(Submission).where(
            Submission.organization_id == full_runtime.organization_id)).one()
        assert submission.gpc and not submission.dnt
    reader = _api_key(cli_args, "consent:read")
    for channel in ("email", "sms"):
        check = full_client.get("/api/v1/consent/check", headers=reader, params={
            "email": "ines@example.org", "purpose": "partner_offers", "channel": channel})
        assert check.json() == {"allowed": False, "reason": "gpc",
                                "purpose": "partner_offers", "channel": channel}
    # the same boxes without the signal: given
    post_form(full_client, "summer_camp", {**data, "email": "hugo@example.org"})
    check = full_client.get("/api/v1/consent/check", headers=reader, params={
        "email": "hugo@example.org", "purpose": "partner_offers", "channel": "sms"})
    assert check.json()["allowed"] is True


def test_gpc_must_be_exactly_one(full_client: TestClient, full_runtime: Runtime) -> None:
    data = {"email": "noa@example.org", "first_name": "Noa", "birth_date": "1990-04-01",
            "consent": ["partner_offers:sms"]}
    post_form(full_client, "summer_camp", data, headers={"Sec-GPC": "true"})
    with full_runtime.transaction() as session:
        assert not session.scalars(select(Submission.gpc).where(
            Submission.organization_id == full_runtime.organization_id)).one()


def test_do_not_track_is_recorded_and_honoured_where_the_policy_says(
        full_client: TestClient, full_runtime: Runtime, cli_args: list[str]) -> None:
    data = {"email": "dnt@example.org", "first_name": "Dina", "birth_date": "1990-04-01",
            "consent": ["partner_offers:sms"]}
    assert post_form(full_client, "summer_camp", data, headers={"DNT": "1"}).status_code == 200
    with full_runtime.transaction() as session:
        assert session.scalars(select(Submission.dnt).where(
            Submission.organization_id == full_runtime.organization_id)).one()
    reader = _api_key(cli_args, "consent:read")
    check = full_client.get("/api/v1/consent/check", headers=reader, params={
        "email": "dnt@example.org", "purpose": "partner_offers", "channel": "sms"})
    assert check.json()["reason"] == "dnt"


def test_signals_the_policy_does_not_honour_are_recorded_only(
        full_runtime: Runtime, tmp_path: Path, cli_args: list[str]) -> None:
    runtime = policy_with(full_runtime, tmp_path, (
        "signals: {honour_gpc: true, honour_dnt: true",
        "signals: {honour_gpc: false, honour_dnt: false"))
    data = {"email": "lea@example.org", "first_name": "Léa", "birth_date": "1990-04-01",
            "consent": ["partner_offers:sms"]}
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        answer = post_form(client, "summer_camp", data, headers={"Sec-GPC": "1", "DNT": "1"})
        assert answer.status_code == 200, answer.text
        check = client.get("/api/v1/consent/check", headers=_api_key(cli_args, "consent:read"),
                           params={"email": "lea@example.org", "purpose": "partner_offers",
                                   "channel": "sms"})
    assert check.json()["allowed"] is True  # the notice says so: the box ticked counts
    with runtime.transaction() as session:
        submission = session.scalars(select(Submission).where(
            Submission.organization_id == runtime.organization_id)).one()
        assert submission.gpc and submission.dnt  # but both signals are on record


def test_a_forged_expired_or_borrowed_token_is_refused(client: TestClient,
                                                       runtime: Runtime) -> None:
    past = int(time.time()) - 60
    expired = f"{past}.{runtime.blind_index.token(f'form:enrolment:{past}')}"
    borrowed = signed_form_token(runtime, "newsletter_signup")  # another form's token
    genuine = signed_form_token(runtime, "enrolment")
    forged = genuine.rsplit(".", 1)[0] + ".AAAA" + genuine.rsplit(".", 1)[1][4:]
    for token in ("", "garbage", forged, expired, borrowed):
        answer = client.post("/forms/enrolment", data={**GOOD, "csrf_token": token})
        assert answer.status_code == 400 and "The form expired" in answer.text, token
    assert _count(runtime, Subject) == 0  # nothing of any of them stored
    assert client.post("/forms/enrolment", data={**GOOD, "csrf_token": genuine}
                       ).status_code == 200


def test_one_unticked_box_per_purpose_and_channel(full_client: TestClient) -> None:
    page = full_client.get("/forms/summer_camp?lang=en").text
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    values = sorted(re.search(r'value="([^"]+)"', box).group(1) for box in boxes  # type: ignore[union-attr]
                    if 'name="consent"' in box)
    assert values == ["newsletter:email", "partner_offers:email", "partner_offers:sms"]
    assert not any(" checked" in box for box in boxes)
