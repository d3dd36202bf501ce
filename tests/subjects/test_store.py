from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from charter.cli import main
from charter.errors import InvalidInput
from charter.models import Base, Record, Subject
from charter.runtime import Runtime
from charter.subjects import find_subject, view_subject
from charter.subjects.repository import records_of

from ..collect.test_forms import post_form
from ..factories import person
from ..rights.helpers import ask_and_confirm, deliver
from ..smtp import Inbox

SECRET_VALUES = ["sophie.peeters@example.org", "Peeters", "Sophie", "+32470123456",
                 "BE0999888777", "Brasserie Lambert"]


def _raw_dump(runtime: Runtime) -> bytes:
    """Every value of every table, read with plain SQL."""
    chunks: list[bytes] = []
    with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):
                for value in row:
                    chunks.append(value if isinstance(value, bytes | memoryview) and
                                  not isinstance(value, str) else str(value).encode())
    return b"\n".join(bytes(c) for c in chunks)


def test_no_personal_data_in_clear_in_the_database(runtime: Runtime) -> None:
    person(runtime, billing={"company": "Brasserie Lambert", "vat_number": "BE0999888777"})
    dump = _raw_dump(runtime)
    assert len(dump) > 200  # the dump did read the stored rows
    for value in SECRET_VALUES:
        assert value.encode() not in dump, value
        assert value.lower().encode() not in dump.lower(), value


def test_a_second_submission_attaches_to_the_same_subject(runtime: Runtime) -> None:
    first = person(runtime, email="Sophie.Peeters@Example.org")
    second = person(runtime, email="  sophie.peeters@example.org ", last_name="Peeters-Maes")
    assert first.id == second.id
    with runtime.transaction() as session:
        assert len(list(session.scalars(
            select(Subject).where(Subject.organization_id == runtime.organization_id)))) == 1
        view = view_subject(session, runtime, first.id, allowed_categories=None, actor="test")
    assert view.records["contact"][0]["last_name"] == "Peeters-Maes"


def test_subject_found_by_email_and_by_phone_in_any_format(runtime: Runtime) -> None:
    subject = person(runtime)
    with runtime.transaction() as session:
        assert find_subject(session, runtime, email="SOPHIE.PEETERS@example.org").id == subject.id
        assert find_subject(session, runtime, phone="0470 12 34 56").id == subject.id
        assert find_subject(session, runtime, email="nobody@example.org") is None


def test_view_shows_only_allowed_categories_and_is_audited(runtime: Runtime) -> None:
    subject = person(runtime, billing={"company": "Atelier Claes", "vat_number": "BE0111"})
    with runtime.transaction() as session:
        view = view_subject(session, runtime, subject.id, allowed_categories={"billing"},
                            actor="staff:7")
    assert list(view.records) == ["billing"]
    assert view.records["billing"][0]["company"] == "Atelier Claes"
    assert view.hidden_categories == ["contact"]
    with runtime.engine.connect() as connection:
        actor, action, details = connection.execute(text(
            "SELECT actor, action, details FROM audit_events ORDER BY seq DESC")).first()
    assert (actor, action) == ("staff:7", "subject.viewed")
    assert '"billing"' in details and "contact" not in details


@pytest.mark.parametrize("bad", [
    {"email": "not-an-email"},
    {"phone": "12"},
    {"billing": {"company": "X", "iban_secret": "BE71"}},
])
def test_rejected_input_stores_nothing(runtime: Runtime, bad: dict[str, object]) -> None:
    kwargs: dict[str, object] = {"email": "lucas.maes@example.org", **bad}
    with pytest.raises(InvalidInput):
        person(runtime, **kwargs)  # type: ignore[arg-type]
    with runtime.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM subjects")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM records")).scalar() == 0


def test_retention_due_and_legal_hold_follow_the_policy(runtime: Runtime) -> None:
    collected = datetime(2024, 3, 31, 9, 0, tzinfo=UTC)
    subject = person(runtime, billing={"company": "Solvane"}, collected_at=collected,
                     last_contact_at=collected)
    with runtime.transaction() as session:
        records = {r.category: r for r in records_of(session, runtime.organization_id,
                                                     subject.id)}
    contact = records["contact"]
    # contact serves courses (2 years after contract end: unknown yet) -> no due date yet
    assert contact.retention_due_at is None
    billing = records["billing"]
    assert billing.legal_hold_until is not None
    assert billing.legal_hold_until.date().isoformat() == \
        f"{billing.collected_at.year + 7}-{billing.collected_at:%m-%d}"


def test_records_are_bound_to_their_row(runtime: Runtime) -> None:
    """A ciphertext copied into another subject's row does not decrypt."""
    from charter.crypto import DecryptionFailed

    a = person(runtime, email="a.person@example.org")
    b = person(runtime, email="b.person@example.org")
    with runtime.transaction() as session:
        org = runtime.organization_id
        ra = records_of(session, org, a.id)[0]
        rb = records_of(session, org, b.id)[0]
        rb.sealed = ra.sealed
        with pytest.raises(DecryptionFailed):
            runtime.cipher.unseal(rb)
        session.rollback()
    assert isinstance(ra, Record)


def test_nothing_a_person_sends_is_stored_in_clear(mail_client: TestClient,
                                                   mail_runtime: Runtime, inbox: Inbox,
                                                   cli_args: list[str]) -> None:
    """The whole journey — a form with its consent, the newsletter, a rights request in the
    person's own words, a complaint, the mail written to them — leaves nothing readable in
    the database."""
    said = {"email": "Zoe.Vandamme@example.org", "first_name": "Zoë", "last_name": "Vandamme",
            "phone": "0470 98 76 54", "target_language": "nl", "company": "Vandamme Bakery"}
    assert post_form(mail_client, "enrolment", said).status_code == 200
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "rectification",
                              said["email"], "Please write Vandamme-Lefèvre, I married in "
                              "Leuven.")
    complaint = CliRunner().invoke(main, [*cli_args, "complaint", "add", "--channel", "post",
                                          "--name", "Zoë Vandamme", "--statement",
                                          "You phoned me at 0470987654 after I said no."])
    assert complaint.exit_code == 0, complaint.output
    deliver(mail_runtime)  # the outbox now holds what was written to her
    assert inbox.to(said["email"]) or inbox.to(said["email"].lower())
    dump = _raw_dump(mail_runtime)
    assert request.reference.encode() in dump and b"C-20" in dump  # their rows were read
    for value in ("zoe.vandamme@example.org", "Vandamme", "Zoë", "+32470987654",
                  "0470987654", "Vandamme Bakery", "Lefèvre", "Leuven", "phoned me"):
        assert value.lower().encode() not in dump.lower(), value
