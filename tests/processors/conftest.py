"""A policy with a processor chain: the test policy's hosting company, a mailer that engaged
a US sub-processor, a sub-processor nobody engaged, and recipients that are not processors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from charter.runtime import Runtime, open_runtime

from ..conftest import POLICY

RECIPIENTS = """\
  - id: mailer
    name: Mailer BV
    role: processor
    purpose: {en: Sending our newsletter, fr: Envoi de la lettre, nl: Verzenden van de nieuwsbrief}
    categories: [contact]
    country: NL
    agreement_signed: "2024-03-01"
    agreement_reviewed: "2026-03-01"
    privacy_url: https://mailer.example/privacy
  - id: mail_cloud
    name: Mail Cloud Inc.
    role: sub_processor
    processor_of: mailer
    purpose: {en: Servers of the mailer, fr: Serveurs du routeur, nl: Servers van de mailer}
    categories: [contact]
    country: US
    transfer_mechanism: scc
    agreement_signed: "2024-02-01"
  - id: backup
    name: Backup Ltd
    role: sub_processor
    purpose: {en: Off-site backups, fr: Sauvegardes externes, nl: Externe back-ups}
    categories: [contact, billing]
    country: US
  - id: accountant
    name: Our accountant
    role: third_party
    purpose: {en: Keeping the books, fr: Tenir la comptabilité, nl: De boekhouding}
    categories: [billing]
    country: BE
  - id: school_network
    name: School network
    role: joint_controller
    purpose: {en: Shared courses, fr: Cours communs, nl: Gedeelde cursussen}
    country: FR
"""


def register_policy_text() -> str:
    text = POLICY.read_text()
    for anchor, extra in (
        ("systems:\n", RECIPIENTS + "systems:\n"),
        ("    retention: prospects\n", "    recipients: [mailer]\n    retention: prospects\n"),
        ("    retention: after_contract\n",
         "    recipients: [hosting, backup]\n    retention: after_contract\n"),
    ):
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, extra)
    return text


@pytest.fixture
def register_runtime(runtime: Runtime, tmp_path: Path) -> Runtime:
    path = tmp_path / "register-policy.yaml"
    path.write_text(register_policy_text())
    return open_runtime(runtime.settings.model_copy(update={"policy": path}),
                        engine=runtime.engine)


@pytest.fixture
def register_client(register_runtime: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(register_runtime), base_url="http://127.0.0.1") as client:
        yield client
