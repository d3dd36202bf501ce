"""`charter check` on recipients: transfers outside the EEA and processors' contracts. The
register of processors shows the same findings next to each recipient."""

from __future__ import annotations

from collections.abc import Iterator

from ._base import EEA
from .document import Policy
from .findings import Finding, error, warning
from .loader import Location


def transfer_findings(policy: Policy) -> Iterator[Finding]:
    for i, r in enumerate(policy.recipients):
        outside = [c for c in r.all_countries() if c not in EEA]
        if outside and r.transfer_mechanism is None:
            yield warning(
                ("recipients", i),
                f"{r.name} receives data in {', '.join(outside)} with no transfer mechanism",
                "Art. 44-49: transfers outside the EEA need a safeguard",
            )
    if policy.claims.transfers_outside_eea is False and any(
        c not in EEA for r in policy.recipients for c in r.all_countries()
    ):
        yield warning(
            ("claims", "transfers_outside_eea"),
            "the notice says data stays in the EEA, but a recipient is outside it",
            "Art. 13(1)(f) and Art. 5(1)(a): transparency",
        )


def processor_findings(policy: Policy) -> Iterator[Finding]:
    """Art. 28: a processor works under a contract, and a sub-processor under the processor
    that engaged it. A missing link is a warning: public notices seldom say who engaged whom."""
    processors = {r.id for r in policy.recipients if r.role == "processor"}
    chain = "Art. 28(2) and (4): a sub-processor is engaged by a processor, on the same terms"
    for i, r in enumerate(policy.recipients):
        where: Location = ("recipients", i, "processor_of")
        if r.processor_of is not None and r.role != "sub_processor":
            yield error(where, f"{r.name} is a {r.role}: only a sub-processor has one", chain)
        elif r.processor_of is not None and r.processor_of not in processors:
            yield error(where, f"{r.processor_of!r} is not a declared processor", chain)
        elif r.role == "sub_processor" and r.processor_of is None:
            yield warning(where, f"sub-processor {r.name} names no processor that engaged it",
                           chain)
        if r.role in ("processor", "sub_processor") and r.agreement_signed is None:
            yield warning(
                ("recipients", i, "agreement_signed"),
                f"no data-processing agreement is on record for {r.name}",
                "Art. 28(3): processing by a processor is governed by a contract",
            )


def recipient_findings(policy: Policy) -> dict[int, list[Finding]]:
    """The findings about each recipient, by its position: the register of processors shows
    them next to the recipient, in the words `charter check` uses."""
    found: dict[int, list[Finding]] = {}
    for f in (*transfer_findings(policy), *processor_findings(policy)):
        if f.location[0] == "recipients" and isinstance(f.location[1], int):
            found.setdefault(f.location[1], []).append(f)
    return found
