"""Where a person's data is: each declared system is asked through its connector's `find`
(reads only, no data comes back, only whether it holds them and in which categories).
Systems only people can open are not asked — that is what a request's task is for — and a
webhook must answer a lookup at once. Audited: who looked, for which systems, found or not."""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import record_event
from ..db import CharterSession
from ..logs import failure
from ..policy.processing import System
from ..rights.connectors import Awaiting, Person, PersonAnswers, connector_for
from ..runtime import Runtime
from ..subjects import find_subject
from ..subjects.service import contact_of, valid_email


@dataclass(frozen=True)
class Whereabouts:
    system: System
    state: str
    """found, not found, ask its people, answers later, failed (ErrorType)"""
    categories: list[str]


def locate(session: CharterSession, runtime: Runtime, email: str, *,
           actor: str) -> list[Whereabouts]:
    address = valid_email(email)  # InvalidInput when it is not one
    subject = find_subject(session, runtime, email=address)
    phone = contact_of(session, runtime, subject).get("phone") if subject else None
    person = Person(email=address, email_index=runtime.blind_index.email(address),
                    subject_id=subject.id if subject else None, phone=phone or None)
    found = []
    for system in runtime.policy.systems:
        connector = connector_for(runtime, system)
        if isinstance(connector, PersonAnswers):
            found.append(Whereabouts(system, "ask its people", []))
            continue
        try:
            with session.begin_nested():  # a lookup writes nothing, even when it fails
                answer = connector.find(session, runtime, person)
        except Awaiting:
            found.append(Whereabouts(system, "answers later", []))
            continue
        except Exception as exc:  # by type only: the message may quote the address
            found.append(Whereabouts(system, f"failed ({failure(exc).split()[0]})", []))
            continue
        found.append(Whereabouts(system, "found" if answer.found else "not found",
                                 sorted(answer.categories)))
    record_event(session, runtime.organization_id, actor=actor, action="systems.located",
                 target=f"subject:{subject.id}" if subject else "",
                 details={w.system.id: w.state for w in found})
    return found
