"""The complaints register: a person's complaint about how their data is handled, or one a
supervisory authority passes on, recorded with its date of receipt and worked until it is
answered and closed. Who complained and what was said is sealed; the audit log only learns
the reference, the channel and the dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Complaint, utcnow
from ..policy.commitments import Rights
from ..rights import repository as rights
from ..rights.clock import due_date
from ..runtime import Runtime
from ..subjects.service import find_subject, valid_email
from . import repository

CHANNELS = ("email", "post", "phone", "web", "authority")
OUTCOMES = ("upheld", "partly", "rejected")
LIMITS = {"name": 200, "contact": 300, "statement": 10_000, "authority_reference": 64}
# The rights clock with no promise of its own: one month date to date, next working day.
ONE_MONTH = Rights(deadline="one-month")


class ComplaintInvalid(InvalidInput):
    """Every bad field at once, so a form is corrected in one go."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ComplaintInput:
    """A complaint as typed into the Portal form or given to the CLI: dates are text
    (YYYY-MM-DD), so a bad one is reported with the other fields."""

    channel: str
    statement: str
    received_on: str = ""
    name: str = ""
    contact: str = ""
    from_authority: bool = False
    authority_reference: str = ""
    authority_deadline: str = ""
    email: str = ""
    request_reference: str = ""


@dataclass(frozen=True)
class OpenComplaints:
    """Complaints waiting for an answer, for the dashboard: no personal data."""

    count: int
    overdue: int
    next_due: date | None


def today(runtime: Runtime) -> date:
    return local_date(utcnow(), runtime.policy.organization.country)


def _day(text: str, field: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"{field}: a date written YYYY-MM-DD")
        return None


def _check(session: CharterSession, runtime: Runtime, given: ComplaintInput
           ) -> tuple[date | None, date | None, int | None, list[str]]:
    """The received day, the authority's deadline, the person's id, and every problem."""
    problems: list[str] = []
    now = today(runtime)
    received = _day(given.received_on, "received on", problems) if given.received_on else now
    if received is not None and received > now:
        problems.append("received on: a day in the future")
    if given.channel not in CHANNELS:
        problems.append(f"channel: one of {', '.join(CHANNELS)}")
    if given.channel == "authority" and not given.from_authority:
        problems.append("channel: 'authority' is for a complaint an authority passes on")
    if given.from_authority and not given.authority_reference.strip():
        problems.append("authority reference: required when an authority passes it on")
    deadline = None
    if given.authority_deadline:
        deadline = _day(given.authority_deadline, "authority deadline", problems)
        if not given.from_authority:
            problems.append("authority deadline: only for a complaint an authority passes on")
        elif deadline and received and deadline < received:
            problems.append("authority deadline: before the day of receipt")
    if not given.statement.strip():
        problems.append("statement: say what the complaint is about")
    if not given.from_authority and not given.name.strip():
        problems.append("name: who complains (an authority may withhold it, a person not)")
    for field, limit in LIMITS.items():
        if len(getattr(given, field)) > limit:
            problems.append(f"{field.replace('_', ' ')}: at most {limit} characters")
    return received, deadline, _links(session, runtime, given, problems), problems


def _links(session: CharterSession, runtime: Runtime, given: ComplaintInput,
           problems: list[str]) -> int | None:
    """The person the complaint concerns, if named; a named request must exist."""
    reference = given.request_reference.strip()
    if reference and rights.request_by_reference(session, runtime.organization_id,
                                                 reference) is None:
        problems.append(f"request: there is no request {reference}")
    if not given.email.strip():
        return None
    try:
        subject = find_subject(session, runtime, email=valid_email(given.email))
    except InvalidInput:
        problems.append("person: not a valid e-mail address")
        return None
    if subject is None:
        problems.append("person: no one is known under this e-mail address")
        return None
    return subject.id


def record_complaint(session: CharterSession, runtime: Runtime, given: ComplaintInput, *,
                     actor: str) -> Complaint:
    """Number and store a complaint. It is owed an answer one month after receipt, counted as
    the rights clock counts (the policy's shorter promise is about requests, not
    complaints), unless the authority passing it on set its own deadline."""
    received, deadline, subject_id, problems = _check(session, runtime, given)
    if problems or received is None:
        raise ComplaintInvalid(problems)
    due = deadline or due_date(received, ONE_MONTH, runtime.policy.organization.country)
    sealed = {"name": given.name.strip(), "contact": given.contact.strip(),
              "statement": given.statement.strip(), "notes": []}
    complaint = _insert(session, runtime, sealed, received_on=received, due_on=due,
                        channel=given.channel, from_authority=given.from_authority,
                        authority_reference=given.authority_reference.strip() or None,
                        subject_id=subject_id,
                        request_reference=given.request_reference.strip() or None,
                        recorded_by=actor)
    record_event(session, runtime.organization_id, actor=actor, action="complaint.recorded",
                 target=target(complaint), details={
                     "channel": complaint.channel, "from_authority": complaint.from_authority,
                     "received_on": received.isoformat(), "due_on": due.isoformat(),
                     "person_linked": subject_id is not None,
                     "request_linked": complaint.request_reference is not None})
    return complaint


def _insert(session: CharterSession, runtime: Runtime, sealed: dict[str, Any], *,
            received_on: date, **fields: Any) -> Complaint:
    org = runtime.organization_id
    for _attempt in range(5):  # two complaints recorded at once may pick the same number
        number = repository.complaints_in_year(session, org, received_on.year) + 1
        try:
            with session.begin_nested():
                complaint = Complaint(organization_id=org, reference=f"C-{received_on.year}-"
                                      f"{number:04d}", received_on=received_on, status="open",
                                      **fields)
                runtime.cipher.seal(complaint, sealed)
                session.add(complaint)
                session.flush()
            return complaint
        except IntegrityError:
            continue
    raise Conflict("could not number the complaint; try again")


def target(complaint: Complaint) -> str:
    return f"complaint:{complaint.reference}"


def find_complaint(session: CharterSession, runtime: Runtime, reference: str) -> Complaint:
    found = repository.complaint_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise NotFound(f"no complaint {reference}")
    return found


def read_complaint(session: CharterSession, runtime: Runtime, complaint: Complaint, *,
                   actor: str) -> dict[str, Any]:
    """What the complaint holds. Reading it is an access to personal data: audited."""
    record_event(session, runtime.organization_id, actor=actor, action="complaint.viewed",
                 target=target(complaint))
    held: dict[str, Any] = runtime.cipher.unseal(complaint)
    return held


def _not_closed(complaint: Complaint) -> None:
    if complaint.status == "closed":
        raise Conflict(f"complaint {complaint.reference} is closed")


def _remember(runtime: Runtime, complaint: Complaint, **more: Any) -> None:
    runtime.cipher.seal(complaint, {**runtime.cipher.unseal(complaint), **more})


def add_note(session: CharterSession, runtime: Runtime, complaint: Complaint, *, text: str,
             actor: str) -> None:
    """A step in the handling (a call, a check, a letter), kept sealed with who and when."""
    _not_closed(complaint)
    if not text.strip() or len(text) > LIMITS["statement"]:
        raise InvalidInput(f"note: some text, at most {LIMITS['statement']} characters")
    notes = [*runtime.cipher.unseal(complaint).get("notes", []),
             {"at": utcnow().isoformat(timespec="seconds"), "by": actor, "text": text.strip()}]
    _remember(runtime, complaint, notes=notes)
    record_event(session, runtime.organization_id, actor=actor, action="complaint.noted",
                 target=target(complaint))


def answer(session: CharterSession, runtime: Runtime, complaint: Complaint, *, outcome: str,
           text: str, actor: str) -> None:
    """The answer given to the complainant (or the authority), with its outcome."""
    problems = []
    if outcome not in OUTCOMES:
        problems.append(f"outcome: one of {', '.join(OUTCOMES)}")
    if not text.strip() or len(text) > LIMITS["statement"]:
        problems.append(f"answer: the text given, at most {LIMITS['statement']} characters")
    if problems:
        raise ComplaintInvalid(problems)
    if complaint.status != "open":
        raise Conflict(f"complaint {complaint.reference} is already {complaint.status}")
    complaint.status, complaint.outcome, complaint.answered_at = "answered", outcome, utcnow()
    _remember(runtime, complaint, answer=text.strip())
    record_event(session, runtime.organization_id, actor=actor, action="complaint.answered",
                 target=target(complaint), details={"outcome": outcome})


def close(session: CharterSession, runtime: Runtime, complaint: Complaint, *, reason: str = "",
          actor: str) -> None:
    """Nothing more to do. A complaint closed without an answer (withdrawn, dropped by the
    authority) says why, so the register shows it was not simply left."""
    _not_closed(complaint)
    if complaint.status == "open":
        if not reason.strip():
            raise InvalidInput("reason: say why it is closed without an answer")
        add_note(session, runtime, complaint, text=f"Closed without an answer: {reason}",
                 actor=actor)
    answered = complaint.status == "answered"
    complaint.status = "closed"
    record_event(session, runtime.organization_id, actor=actor, action="complaint.closed",
                 target=target(complaint), details={"answered": answered})


def open_complaints(session: CharterSession, runtime: Runtime) -> OpenComplaints:
    """Complaints still owed an answer, for the dashboard (one aggregate query)."""
    count, overdue, next_due = repository.unanswered_counts(session, runtime.organization_id,
                                                            today(runtime))
    return OpenComplaints(count=count, overdue=overdue, next_due=next_due)


def is_overdue(complaint: Complaint, day: date) -> bool:
    return complaint.status == "open" and complaint.due_on < day
