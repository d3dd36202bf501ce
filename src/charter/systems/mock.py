"""The test double of a connector, as httpx pairs ``BaseTransport`` with ``MockTransport``:
a handler decides what each call answers, and every call is recorded. Put it where a real
connector would go (``runtime.connectors[system_id]``) to test how requests go on when a
system answers, fails, or answers later — without patching Charter's insides.

    def handler(call: ConnectorCall) -> SystemAnswer:
        if call.number == 1:
            raise ConnectionError("down")
        return SystemAnswer(found=True, data={"billing": [{"invoice": "2026-014"}]})

    runtime.connectors["accounting"] = MockConnector(handler)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..db import CharterSession
from ..rights.connectors import Change, Person, SystemAnswer
from ..runtime import Runtime


@dataclass(frozen=True)
class ConnectorCall:
    """One call: which action, for whom, and its number among all calls (from 1)."""

    action: str  # find, access, portability, erasure, restriction, lift, rectification
    person: Person
    number: int
    changes: list[Change] = field(default_factory=list)
    restricted: SystemAnswer | None = None


Handler = Callable[[ConnectorCall], SystemAnswer]


class MockConnector:
    """A connector whose answers come from ``handler``; ``calls`` lists what it was asked."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.calls: list[ConnectorCall] = []

    def _call(self, action: str, person: Person, *, changes: list[Change] | None = None,
              restricted: SystemAnswer | None = None) -> SystemAnswer:
        call = ConnectorCall(action, person, len(self.calls) + 1, changes=changes or [],
                             restricted=restricted)
        self.calls.append(call)
        return self.handler(call)

    def find(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        return self._call("find", person)

    def export(self, session: CharterSession, runtime: Runtime, person: Person, *,
               provided_only: bool) -> SystemAnswer:
        return self._call("portability" if provided_only else "access", person)

    def erase(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        return self._call("erasure", person)

    def restrict(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        return self._call("restriction", person)

    def lift(self, session: CharterSession, runtime: Runtime, person: Person,
             restricted: SystemAnswer) -> SystemAnswer:
        return self._call("lift", person, restricted=restricted)

    def rectify(self, session: CharterSession, runtime: Runtime, person: Person,
                changes: list[Change], *, actor: str) -> SystemAnswer:
        return self._call("rectification", person, changes=list(changes))
