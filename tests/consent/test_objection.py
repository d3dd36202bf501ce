"""An objection to direct marketing stops marketing and the profiling that serves it, at once,
and nothing else."""

from __future__ import annotations

from pathlib import Path

from charter.consent.service import decide, object_to_direct_marketing
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..factories import person, policy_with


def test_objecting_to_marketing_stops_profiling_too(full_runtime: Runtime,
                                                    tmp_path: Path) -> None:
    interest = "    legal_basis: legitimate_interests\n    legitimate_interest: {en: Helping"
    # course suggestions profile the learner's level
    runtime = policy_with(full_runtime, tmp_path, (interest, "    profiling: true\n" + interest))
    suggestions = runtime.policy.purpose("course_suggestions")
    assert suggestions is not None and suggestions.profiling and not suggestions.marketing
    person(runtime, email="yara@example.org")
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email="yara@example.org")
        assert subject is not None
        assert decide(session, runtime, subject, "course_suggestions", "email").allowed
        object_to_direct_marketing(session, runtime, subject, actor="subject")
        assert decide(session, runtime, subject, "course_suggestions", "email").reason == \
            "objected"
        assert decide(session, runtime, subject, "newsletter", "email").reason == "objected"
        assert decide(session, runtime, subject, "courses", "email").allowed  # the contract
