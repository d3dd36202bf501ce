"""What changed between two versions of a policy, and whether it matters to the people whose
data is processed: a new purpose, data category, recipient or transfer, a longer retention or
a new legal basis is material (people are told, and may object before it applies).

Each change names the purposes it affects, so that an objection to it can stop exactly those
purposes for the person who objects: a new category, the purposes that use it; a new
recipient or transfer, the purposes that recipient serves (those naming it, or using the data
it receives)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._base import EEA
from .document import Policy
from .processing import Recipient


@dataclass(frozen=True)
class PolicyChange:
    kind: str
    """purpose_added, category_added, recipient_added, transfer_added, retention_longer,
    basis_changed — material; purpose_removed, recipient_removed, retention_shorter,
    cookies_changed, text_changed — not"""
    item: str
    material: bool
    before: str | None = None
    after: str | None = None
    categories: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    """the purposes the change affects: an objection to it acts on these"""

    def line(self) -> str:
        if self.before and self.after:
            arrow = f": {self.before} → {self.after}"
        else:  # something new (or gone) has one side only; never print "None"
            arrow = f": {self.before or self.after}" if self.before or self.after else ""
        return f"{'MATERIAL' if self.material else 'minor   '} {self.kind} {self.item}{arrow}"


def _retention_days(policy: Policy, rule_id: str | None) -> tuple[int, str] | None:
    rule = policy.retention_rule(rule_id) if rule_id else None
    return (rule.duration.in_days(), f"{rule.duration.root} after {rule.trigger}") if rule \
        else None


def _using(policy: Policy, categories: list[str]) -> list[str]:
    """The purposes that use any of these categories."""
    return [p.id for p in policy.purposes if set(p.categories) & set(categories)]


def _served_by(policy: Policy, recipient: Recipient, categories: list[str]) -> list[str]:
    """The purposes a recipient serves, as the record of processing reads them: those that
    name it, and — for a processor — those without a ``recipients`` key that use data it
    receives. When that finds none, every purpose using that data: an objection to the
    recipient must stop something."""
    processor = recipient.role in ("processor", "sub_processor")
    served = [p.id for p in policy.purposes if recipient.id in p.recipients or (
        processor and "recipients" not in p.model_fields_set
        and set(p.categories) & set(categories))]
    return served or _using(policy, categories)


def diff_policies(old: Policy, new: Policy) -> list[PolicyChange]:
    changes: list[PolicyChange] = []
    old_purposes = {p.id: p for p in old.purposes}
    for purpose in new.purposes:
        before = old_purposes.get(purpose.id)
        if before is None:
            changes.append(PolicyChange("purpose_added", purpose.id, True,
                                        after=purpose.legal_basis, categories=purpose.categories,
                                        purposes=[purpose.id]))
            continue
        if purpose.legal_basis != before.legal_basis:
            changes.append(PolicyChange("basis_changed", purpose.id, True, before.legal_basis,
                                        purpose.legal_basis, purpose.categories, [purpose.id]))
        was, now = _retention_days(old, before.retention), _retention_days(new, purpose.retention)
        if was and now and now[1] != was[1]:
            longer = now[0] > was[0] or (now[0] == was[0] and now[1] != was[1])
            changes.append(PolicyChange("retention_longer" if longer else "retention_shorter",
                                        purpose.id, longer, was[1], now[1], purpose.categories,
                                        [purpose.id]))
        added = sorted(set(purpose.categories) - set(before.categories))
        if added:
            changes.append(PolicyChange("purpose_widened", purpose.id, True,
                                        after=", ".join(added), categories=added,
                                        purposes=[purpose.id]))
        if purpose.label != before.label or purpose.description != before.description:
            changes.append(PolicyChange("text_changed", f"purpose {purpose.id}", False))
    for purpose_id in sorted(set(old_purposes) - {p.id for p in new.purposes}):
        changes.append(PolicyChange("purpose_removed", purpose_id, False))
    old_categories = {c.id for c in old.data_categories}
    for category in new.data_categories:
        if category.id not in old_categories:
            changes.append(PolicyChange("category_added", category.id, True,
                                        categories=[category.id],
                                        purposes=_using(new, [category.id])))
    old_recipients = {r.id: r for r in old.recipients}
    for recipient in new.recipients:
        before_r = old_recipients.get(recipient.id)
        outside = {c for c in recipient.all_countries() if c not in EEA}
        served = _served_by(new, recipient, recipient.categories)
        if before_r is None:
            changes.append(PolicyChange("recipient_added", recipient.id, True,
                                        after=recipient.name, categories=recipient.categories,
                                        purposes=served))
            if outside:
                changes.append(PolicyChange("transfer_added", recipient.id, True,
                                            after=", ".join(sorted(outside)),
                                            categories=recipient.categories, purposes=served))
            continue
        was_outside = {c for c in before_r.all_countries() if c not in EEA}
        if outside - was_outside:
            changes.append(PolicyChange("transfer_added", recipient.id, True,
                                        ", ".join(sorted(was_outside)) or None,
                                        ", ".join(sorted(outside)), recipient.categories,
                                        served))
        elif recipient.transfer_mechanism != before_r.transfer_mechanism and outside:
            changes.append(PolicyChange("transfer_changed", recipient.id, False,
                                        before_r.transfer_mechanism,
                                        recipient.transfer_mechanism))
        new_categories = sorted(set(recipient.categories) - set(before_r.categories))
        if new_categories:
            changes.append(PolicyChange("recipient_widened", recipient.id, True,
                                        after=", ".join(new_categories),
                                        categories=new_categories,
                                        purposes=_served_by(new, recipient, new_categories)))
    for recipient_id in sorted(set(old_recipients) - {r.id for r in new.recipients}):
        changes.append(PolicyChange("recipient_removed", recipient_id, False))
    if [c.model_dump() for c in old.cookies] != [c.model_dump() for c in new.cookies]:
        changes.append(PolicyChange("cookies_changed", "cookies", False))
    return changes
