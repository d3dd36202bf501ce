"""Erasure beyond the systems' parts: its Art. 17(1) ground, chosen by the person and
confirmed (or set) by staff, refused without one; and after it, the person's earlier exports
and requests no longer lead to them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from charter.audit.repository import events_about
from charter.cli import main
from charter.errors import Conflict
from charter.rights import repository
from charter.rights.connectors import Change
from charter.rights.fulfilment import approve_changes, attest, fulfil
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..factories import person, staff_login
from ..smtp import Inbox, link_in, text_of
from .helpers import BASE, ask, ask_and_confirm, deliver, latest, refresh

EMAIL = "sophie.peeters@example.org"


def _act(runtime: Runtime, reference: str, action: Any, **kwargs: Any) -> None:
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        action(session, runtime, found, actor="staff:1", **kwargs)


def _events(runtime: Runtime, reference: str) -> dict[str, dict[str, Any]]:
    with runtime.transaction() as session:
        return {e.action: json.loads(e.details) for e in events_about(
            session, runtime.organization_id, f"request:{reference}")}


def test_the_person_may_give_the_ground_in_their_language_and_by_api(
        mail_client: TestClient, mail_runtime: Runtime, cli_args: list[str]) -> None:
    page = mail_client.get("/requests/new?lang=fr").text
    assert 'name="ground"' in page
    assert "Je retire mon consentement et rien d&#39;autre ne vous permet de garder mes " \
           "données (art. 17(1)(b))" in page
    assert ask(mail_client, "erasure", EMAIL, ground="d", lang="fr").status_code == 200
    assert latest(mail_runtime).ground == "d"
    refused = ask(mail_client, "erasure", "bram@example.org", ground="z")
    assert refused.status_code == 422 and "Choose a reason for the erasure" in refused.text
    assert ask(mail_client, "access", "ann@example.org", ground="d").status_code == 200
    assert latest(mail_runtime).ground is None  # a ground is for an erasure only
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "app", "--scope",
                                    "requests:write", "--scope", "requests:read"])
    headers = {"Authorization": f"Bearer {key.output.strip()}"}
    created = mail_client.post("/api/v1/requests", headers=headers, json={
        "type": "erasure", "email": "jan@example.org", "ground": "c"})
    assert created.status_code == 201 and created.json()["ground"] == "c"
    for bad in ({"type": "access", "email": "x@example.org", "ground": "c"},
                {"type": "erasure", "email": "x@example.org", "ground": "g"}):
        assert mail_client.post("/api/v1/requests", headers=headers,
                                json=bad).status_code == 422, bad


def test_an_erasure_without_a_ground_is_refused_until_staff_give_one(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    runtime = mail_runtime
    person(runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, runtime, inbox, "erasure", EMAIL, ground="")
    with pytest.raises(Conflict, match=r"ground of Art. 17\(1\)"):
        _act(runtime, request.reference, fulfil)
    with pytest.raises(Conflict, match=r"ground of Art. 17\(1\)"):  # nor by hand
        _act(runtime, request.reference, attest, system="accounting", note="erased in BOB")
    refused = CliRunner().invoke(main, [*cli_args, "requests", "fulfil", request.reference])
    assert refused.exit_code == 5 and "ground of Art. 17(1)" in refused.output
    assert refused.output.count("\n") == 1  # one line, no traceback
    waiting = refresh(runtime, request.reference)
    with runtime.transaction() as session:  # nothing was touched
        assert find_subject(session, runtime, email=EMAIL) is not None
        assert repository.parts_of(session, runtime.organization_id, waiting.id) == []
    bad = CliRunner().invoke(main, [*cli_args, "requests", "fulfil", request.reference,
                                    "--ground", "g"])
    assert bad.exit_code == 2
    done = CliRunner().invoke(main, [*cli_args, "requests", "fulfil", request.reference,
                                     "--ground", "a"])
    assert done.exit_code == 0, done.output
    _act(runtime, request.reference, attest, system="accounting", note="erased in BOB")
    erased = refresh(runtime, request.reference)
    assert (erased.status, erased.ground) == ("fulfilled", "a")
    events = _events(runtime, request.reference)
    assert events["request.fulfilling"] == {"ground": "a"}
    assert events["request.fulfilled"] == {"ground": "a"}
    shown = CliRunner().invoke(main, [*cli_args, "requests", "show", request.reference])
    assert json.loads(shown.output)["ground"] == "a"


def test_staff_confirm_or_change_the_persons_ground_and_the_page_shows_it(
        client: TestClient, runtime: Runtime, cli_args: list[str]) -> None:
    person(runtime, email=EMAIL)
    added = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "erasure",
                                      "--email", EMAIL, "--channel", "post", "--verified",
                                      "--ground", "b"])
    assert added.exit_code == 0, added.output
    reference = added.output.split(":")[0]
    csrf = staff_login(client, runtime, "dpo")
    page = client.get(f"/requests/{reference}").text
    assert "I withdraw my consent and nothing else allows you to keep my data" in page
    assert '<option value="b" selected>' in page  # the person's choice, to confirm
    changed = client.post(f"/requests/{reference}/fulfil",
                          data={"csrf_token": csrf, "ground": "a"}, follow_redirects=False)
    assert changed.status_code == 303
    client.post(f"/requests/{reference}/attest",
                data={"csrf_token": csrf, "system": "accounting", "note": "erased in BOB"})
    erased = refresh(runtime, reference)
    assert (erased.status, erased.ground) == ("fulfilled", "a")
    page = client.get(f"/requests/{reference}").text
    assert "<strong>Ground:</strong> You no longer need my data for the purposes" in page
    assert _events(runtime, reference)["request.fulfilled"] == {"ground": "a"}


def test_after_an_erasure_earlier_exports_and_requests_lead_nowhere(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    runtime = mail_runtime
    old, new = "sophie.old@example.org", EMAIL
    person(runtime, email=old, billing={"company": "Brasserie Lambert"})
    access = ask_and_confirm(mail_client, runtime, inbox, "access", old, "All of it please.")
    _act(runtime, access.reference, fulfil)
    _act(runtime, access.reference, attest, system="accounting", note="checked",
         extract={"billing": [{"invoice": "2026-014", "company": "Brasserie Lambert"}]})
    deliver(runtime)
    download = link_in(inbox.messages[-1], "/exports/").removeprefix(BASE)
    assert mail_client.get(download).status_code == 200
    # she changes her address: her next requests come from the new one
    moved = ask_and_confirm(mail_client, runtime, inbox, "rectification", old, "New address.")
    _act(runtime, moved.reference, approve_changes, changes=[Change("contact", "email", new)])
    _act(runtime, moved.reference, attest, system="accounting", note="changed")
    running = ask_and_confirm(mail_client, runtime, inbox, "access", new)
    _act(runtime, running.reference, fulfil)  # the accounting part is still to come
    erasure = ask_and_confirm(mail_client, runtime, inbox, "erasure", new, ground="b")
    _act(runtime, erasure.reference, fulfil)
    _act(runtime, erasure.reference, attest, system="accounting", note="erased in BOB")
    assert refresh(runtime, erasure.reference).status == "fulfilled"
    assert mail_client.get(download).status_code == 404  # the earlier package is gone
    for earlier in (access, moved):
        kept = refresh(runtime, earlier.reference)
        assert (kept.reference, kept.kind, kept.status, kept.received_on, kept.closed_at) == \
            (earlier.reference, earlier.kind, "fulfilled", earlier.received_on,
             refresh(runtime, earlier.reference).closed_at)
        assert kept.closed_at is not None and kept.stage == "erased"
        assert (kept.subject_id, kept.email_index) == (None, "")
        assert runtime.cipher.unseal(kept) == {}
        with runtime.transaction() as session:
            for part in repository.parts_of(session, runtime.organization_id, kept.id):
                assert runtime.cipher.unseal(part)["data"] == {}
        assert "request.forgotten" in _events(runtime, earlier.reference)
    csrf = staff_login(mail_client, runtime, "dpo")
    assert csrf
    page = mail_client.get(f"/requests/{access.reference}")
    assert page.status_code == 200 and access.reference in page.text
    assert old not in page.text and "All of it please." not in page.text
    assert "only the reference, the kind, the dates and the outcome" in page.text
    # the erasure keeps what proves it was answered, and where the answer went
    assert runtime.cipher.unseal(refresh(runtime, erasure.reference))["email"] == new
    # the request still owed an answer keeps the address until it is answered, then not
    assert runtime.cipher.unseal(refresh(runtime, running.reference))["email"] == new
    _act(runtime, running.reference, attest, system="accounting", note="nothing left")
    answered = refresh(runtime, running.reference)
    assert (answered.status, answered.stage) == ("fulfilled", "erased")
    assert runtime.cipher.unseal(answered) == {}
    deliver(runtime)
    assert "Your request is complete" in inbox.messages[-1]["Subject"]
    assert inbox.messages[-1]["To"] == new and text_of(inbox.messages[-1])
    # the answer's own package stays until its retention ends: its link works
    late = link_in(inbox.messages[-1], "/exports/").removeprefix(BASE)
    assert mail_client.get(late).status_code == 200
