"""The register of processors, from the policy alone: processors with their sub-processors
under them, the other recipients apart, `charter check`'s flags beside each, and the CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from charter.policy import parse_policy
from charter.processors.register import COLUMNS, build_register
from charter.runtime import Runtime

from ..factories import staff_login
from .conftest import register_policy_text


def test_processors_come_with_their_sub_processors_under_them() -> None:
    register = build_register(parse_policy(register_policy_text()).policy)
    assert [e.id for e in register.processors] == ["hosting", "mailer", "mail_cloud", "backup"]
    assert [e.id for e in register.others] == ["accountant", "school_network"]
    mailer, cloud, backup = register.processors[1:]
    assert mailer.does == "Sending our newsletter" and mailer.categories == ["Contact details"]
    assert mailer.purposes == ["Newsletter about our courses"]
    assert (mailer.agreement_signed, mailer.agreement_reviewed) == ("2024-03-01", "2026-03-01")
    assert mailer.privacy_url == "https://mailer.example/privacy" and mailer.flags == []
    assert cloud.processor_of == "mailer" and cloud.countries == ["US"]
    assert (cloud.outside_eea, cloud.transfer_mechanism, cloud.flags) == (["US"], "scc", [])
    assert backup.purposes == ["Organising the courses you enrol in"]
    assert backup.flags == [
        "Backup Ltd receives data in US with no transfer mechanism",
        "sub-processor Backup Ltd names no processor that engaged it",
        "no data-processing agreement is on record for Backup Ltd",
    ]
    accountant = register.others[0]
    assert accountant.flags == []  # a third party needs no Art. 28 contract
    assert accountant.outside_eea == []


def test_the_page_shows_the_register_with_its_flags(register_client: TestClient,
                                                    register_runtime: Runtime) -> None:
    staff_login(register_client, register_runtime, "dpo")
    page = register_client.get("/processors")
    assert page.status_code == 200
    text = page.text
    assert text.index("Mailer BV") < text.index("↳ Mail Cloud Inc.") < text.index("Backup Ltd")
    assert "engaged by mailer" in text
    assert text.index("Joint controllers and third parties") < text.index("Our accountant")
    assert "US: scc" in text and "US: no mechanism" in text
    assert "no data-processing agreement is on record for Backup Ltd" in text
    assert 'role="alert"' in text and "1 recipient(s) flagged" in text
    assert "reviewed 2026-03-01" in text and 'href="https://mailer.example/privacy"' in text
    assert 'href="/processors.csv"' in text


def test_the_csv_has_one_row_per_recipient(register_client: TestClient,
                                           register_runtime: Runtime) -> None:
    staff_login(register_client, register_runtime, "admin")
    response = register_client.get("/processors.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="processors.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == COLUMNS
    assert [r["id"] for r in rows] == ["hosting", "mailer", "mail_cloud", "backup",
                                       "accountant", "school_network"]
    cloud = rows[2]
    assert (cloud["processor_of"], cloud["outside_eea"], cloud["transfer_mechanism"]) == (
        "mailer", "US", "scc")
    assert rows[3]["flags"].count(";") == 2
    assert rows[0]["agreement_signed"] == "2025-09-01"


def test_only_roles_that_export_records(register_client: TestClient,
                                        register_runtime: Runtime) -> None:
    staff_login(register_client, register_runtime, "support")
    assert register_client.get("/processors").status_code == 403
    assert register_client.get("/processors.csv").status_code == 403
