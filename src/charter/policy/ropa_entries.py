"""What the record of processing (GDPR Art. 30) holds, read from the policy: the activities
of the controller (Art. 30(1)) and of the processor (Art. 30(2)), who receives the data of
each, and the transfers outside the EEA with their safeguard as a W3C DPV term."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from ._base import EEA
from .document import Policy
from .processing import Purpose, Recipient

DPV = "https://w3id.org/dpv#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"

RecordKind = Literal["controller", "processor"]


class Safeguard(NamedTuple):
    iri: str
    label: str


TRANSFER_SAFEGUARDS: dict[str, Safeguard] = {
    "adequacy": Safeguard(f"{EU_GDPR}A45-3", "adequacy decision (Art. 45(3) GDPR)"),
    # The EU-US Data Privacy Framework is an adequacy decision under Art. 45(3) (Commission
    # Implementing Decision (EU) 2023/1795); DPV has no term of its own for it.
    "dpf": Safeguard(f"{EU_GDPR}A45-3",
                     "EU-US Data Privacy Framework, an adequacy decision (Art. 45(3) GDPR)"),
    "scc": Safeguard(f"{EU_GDPR}A46-2-c",
                     "standard contractual clauses adopted by the Commission "
                     "(Art. 46(2)(c) GDPR)"),
    "bcr": Safeguard(f"{EU_GDPR}A46-2-b", "binding corporate rules (Art. 46(2)(b) and 47 GDPR)"),
    # DPV has one term per Art. 49 derogation (A49-1-a...); the policy does not say which.
    "derogation": Safeguard(f"{DPV}DataTransferLegalBasis",
                            "a derogation for a specific situation (Art. 49 GDPR)"),
}
"""Each ``transfer_mechanism`` of a recipient as the DPV term for it (DPV GDPR extension)."""


@dataclass(frozen=True)
class Transfer:
    recipient: Recipient
    countries: list[str]  # those outside the EEA

    @property
    def safeguard(self) -> Safeguard | None:
        mechanism = self.recipient.transfer_mechanism
        return TRANSFER_SAFEGUARDS[mechanism] if mechanism else None


@dataclass(frozen=True)
class Activity:
    """One line of the record. ``purpose`` is None for the processor's work when the policy
    marks no purpose as done on behalf of clients: its ``processor_statement`` stands in."""

    kind: RecordKind
    purpose: Purpose | None
    recipients: list[Recipient]

    @property
    def transfers(self) -> list[Transfer]:
        return transfers_of(self.recipients)


def transfers_of(recipients: list[Recipient]) -> list[Transfer]:
    moved = [Transfer(r, [c for c in r.all_countries() if c not in EEA]) for r in recipients]
    return [t for t in moved if t.countries]


def purpose_recipients(policy: Policy, purpose: Purpose) -> list[Recipient]:
    """Who receives the data of this purpose: the recipients it declares, and the
    sub-processors those processors engaged (``processor_of``). A purpose without a
    ``recipients`` key has the processors holding its data, since a processor acts for every
    purpose whose data it holds; a third party, a joint controller or a sub-processor engaged
    for clients is never presumed. ``recipients: []`` says there is none."""
    wanted = set(purpose.categories)
    if "recipients" in purpose.model_fields_set:
        named = set(purpose.recipients)
    else:
        named = {r.id for r in policy.recipients
                 if r.role == "processor" and wanted & set(r.categories)}
    engaged = {r.id for r in policy.recipients
               if r.processor_of in named and (not r.categories or wanted & set(r.categories))}
    return [r for r in policy.recipients if r.id in named | engaged]


def acts_as_processor(policy: Policy) -> bool:
    return policy.organization.role in ("processor", "both") or any(
        p.on_behalf_of for p in policy.purposes)


def record(policy: Policy, kind: RecordKind) -> list[Activity]:
    """The controller's activities: every purpose not done on behalf of someone else. The
    processor's: every purpose done on behalf of a controller; a processor whose policy
    marks none gets one line from its statement, with all its sub-processors."""
    if kind == "controller":
        return [Activity(kind, p, purpose_recipients(policy, p))
                for p in policy.purposes if not p.on_behalf_of]
    if not acts_as_processor(policy):
        return []
    marked = [Activity(kind, p, purpose_recipients(policy, p))
              for p in policy.purposes if p.on_behalf_of]
    return marked or [Activity(kind, None, [r for r in policy.recipients
                                            if r.role == "sub_processor"])]
