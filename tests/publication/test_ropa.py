"""The record of processing (Art. 30): each purpose lists the recipients it declares, not every
recipient sharing a data category; the DPO, the security measures and DPV terms for transfer
safeguards are in every format; an organization that is also a processor gets its Art. 30(2)
record."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from fastapi.testclient import TestClient

from charter.policy import Policy, load_policy
from charter.policy.processing import TransferMechanism
from charter.policy.ropa import rows, to_csv, to_html, to_jsonld
from charter.policy.ropa_entries import TRANSFER_SAFEGUARDS, purpose_recipients, record
from charter.runtime import Runtime, open_runtime

from ..conftest import POLICY
from ..factories import staff_login

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "charter" / "examples"
SCC = "https://w3id.org/dpv/legal/eu/gdpr#A46-2-c"
DPF = "https://w3id.org/dpv/legal/eu/gdpr#A45-3"

CLOUD = {"id": "cloud", "name": "Cloud Classrooms Inc.", "role": "processor",
         "purpose": {"en": "Online classrooms"}, "categories": ["contact"], "country": "US",
         "transfer_mechanism": "scc"}
PRESS = {"id": "press", "name": "Local newspaper", "role": "third_party",
         "purpose": {"en": "Publishing results"}, "categories": ["contact"], "country": "BE"}
SECURITY = [{"en": "Encrypted backups", "fr": "Sauvegardes chiffrées",
             "nl": "Versleutelde back-ups"},
            {"en": "Two-factor login for staff", "fr": "Connexion à deux facteurs",
             "nl": "Aanmelding met twee factoren"}]


def _policy(change: Callable[[dict[str, Any]], None] | None = None) -> Policy:
    """The test policy, changed in place by ``change`` before validation."""
    data = yaml.safe_load(POLICY.read_text())
    if change:
        change(data)
    return Policy.model_validate(data)


def _purpose(data: dict[str, Any], purpose_id: str) -> dict[str, Any]:
    return next(p for p in data["purposes"] if p["id"] == purpose_id)


def _with_dpo_security_and_transfer(data: dict[str, Any]) -> None:
    data["organization"]["dpo"] = {"name": "Dana Officer", "email": "dpo@langschool.be"}
    data["security"] = SECURITY
    data["recipients"].append(CLOUD)
    _purpose(data, "courses")["recipients"] = ["hosting", "cloud"]


def _as_processor(data: dict[str, Any]) -> None:
    """A school that also runs courses for companies, on their behalf, on a US platform."""
    _with_dpo_security_and_transfer(data)
    data["organization"]["role"] = "both"
    data["recipients"].append({
        "id": "platform", "name": "Course Platform LLC", "role": "sub_processor",
        "purpose": {"en": "E-learning platform"}, "categories": ["contact", "language_profile"],
        "country": "US", "countries": ["CA"], "transfer_mechanism": "dpf"})
    data["purposes"].append({
        "id": "company_courses",
        "label": {"en": "Courses we run for companies for their staff"},
        "categories": ["contact", "language_profile"], "subject_categories": ["students"],
        "recipients": ["platform"], "retention": "after_contract",
        "on_behalf_of": {"en": "Companies that book in-house courses, named in each contract"}})


def _csv_rows(policy: Policy) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(policy))))


def _names(text: str) -> set[str]:
    return {part.rsplit(" (", 1)[0] for part in text.split("; ") if part}


def test_callbridge_purposes_list_exactly_their_declared_recipients() -> None:
    policy = load_policy(EXAMPLES / "callbridge.yaml").policy
    by_id = {r.id: r for r in policy.recipients}
    document = json.loads(to_jsonld(policy))
    processes = {p["@id"]: p for p in document["dpv:hasProcess"]}
    for purpose, line in zip(policy.purposes, rows(policy, "controller"), strict=True):
        declared = {by_id[r].name for r in purpose.recipients}
        assert _names(line["recipients"]) == declared, purpose.id
        assert {t.split(": ", 1)[0] for t in line["transfers"].split("; ") if t} <= declared
        named = {r["dpv:hasName"] for r in processes[f"#process-{purpose.id}"]["dpv:hasRecipient"]}
        assert named == declared, purpose.id
    collaboration = rows(policy, "controller")[0]
    assert collaboration["purpose"] == "Samenwerkingstoepassingen leveren en ondersteunen"
    for stranger in ("advertising_partners", "third_party_marketers", "analytics",
                     "user_management_platform"):
        assert by_id[stranger].name not in collaboration["recipients"]
        assert by_id[stranger].name not in collaboration["transfers"]
    assert "Iotum Global Holdings Inc.: US (EU-US Data Privacy Framework" in \
        collaboration["transfers"]
    assert f"Iotum Global Holdings Inc.: {DPF}" in collaboration["dpv_transfer_safeguards"]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_lists_its_declared_recipients(example: Path) -> None:
    policy = load_policy(example).policy
    for activity in record(policy, "controller"):
        assert activity.purpose is not None
        if "recipients" in activity.purpose.model_fields_set:
            assert [r.id for r in activity.recipients] == [
                r.id for r in policy.recipients if r.id in activity.purpose.recipients]


def test_without_a_recipients_key_a_purpose_has_the_processors_holding_its_data() -> None:
    def change(data: dict[str, Any]) -> None:
        data["recipients"] += [
            PRESS,  # a third party holding contact details
            {**CLOUD, "id": "for_clients", "name": "Engaged for clients",
             "role": "sub_processor", "country": "BE"}]  # engaged by no processor of ours
        _purpose(data, "invoicing")["recipients"] = []

    policy = _policy(change)
    courses, invoicing = (policy.purpose("courses"), policy.purpose("invoicing"))
    assert courses and invoicing
    assert [r.id for r in purpose_recipients(policy, courses)] == ["hosting"]
    assert purpose_recipients(policy, invoicing) == []  # "none", said explicitly


def test_sub_processors_follow_the_processor_that_engaged_them() -> None:
    def change(data: dict[str, Any]) -> None:
        data["recipients"] += [
            CLOUD,
            {**CLOUD, "id": "video", "name": "Video Calls Ltd", "role": "sub_processor",
             "processor_of": "cloud", "country": "GB", "transfer_mechanism": "adequacy"},
            {**CLOUD, "id": "billing_cloud", "name": "Billing Cloud", "role": "sub_processor",
             "processor_of": "cloud", "categories": ["billing"]}]
        _purpose(data, "courses")["recipients"] = ["cloud"]

    policy = _policy(change)
    courses = policy.purpose("courses")
    assert courses
    assert [r.id for r in purpose_recipients(policy, courses)] == ["cloud", "video"]
    line = rows(policy, "controller")[0]
    assert "Video Calls Ltd: GB (adequacy decision (Art. 45(3) GDPR))" in line["transfers"]


def test_every_transfer_mechanism_has_a_dpv_term() -> None:
    assert set(TRANSFER_SAFEGUARDS) == set(get_args(TransferMechanism))
    assert all(s.iri.startswith("https://w3id.org/dpv") for s in TRANSFER_SAFEGUARDS.values())


def test_json_ld_names_the_dpo_the_security_measures_and_dpv_safeguards() -> None:
    document = json.loads(to_jsonld(_policy(_with_dpo_security_and_transfer)))
    dpo = document["dpv:hasDataController"]["dpv:hasDataProtectionOfficer"]
    assert dpo == {"@type": "dpv:DataProtectionOfficer", "dpv:hasName": "Dana Officer",
                   "dpv:hasContact": "dpo@langschool.be"}
    measures = document["dpv:hasTechnicalOrganisationalMeasure"]
    assert [m["dct:description"] for m in measures] == ["Encrypted backups",
                                                        "Two-factor login for staff"]
    assert {m["@type"] for m in measures} == {"dpv:TechnicalOrganisationalMeasure"}
    for process in document["dpv:hasProcess"]:
        assert process["dpv:hasTechnicalOrganisationalMeasure"] == [
            {"@id": "#security-1"}, {"@id": "#security-2"}]
    courses = next(p for p in document["dpv:hasProcess"] if p["@id"] == "#process-courses")
    cloud = next(r for r in courses["dpv:hasRecipient"] if r["dpv:hasName"] == CLOUD["name"])
    assert cloud["dpv:hasLegalBasis"]["@id"] == SCC
    hosting = next(r for r in courses["dpv:hasRecipient"] if r["dpv:hasName"] != CLOUD["name"])
    assert "dpv:hasLegalBasis" not in hosting  # in Belgium: no transfer
    assert '"SCC"' not in json.dumps(document) and "dct:hasPart" not in document


def test_csv_and_html_carry_the_same() -> None:
    policy = _policy(_with_dpo_security_and_transfer)
    courses = _csv_rows(policy)[0]
    assert courses["dpo"] == "Dana Officer <dpo@langschool.be>"
    assert courses["security"] == "Encrypted backups; Two-factor login for staff"
    assert courses["dpv_transfer_safeguards"] == f"Cloud Classrooms Inc.: {SCC}"
    assert courses["transfers"] == ("Cloud Classrooms Inc.: US (standard contractual clauses "
                                    "adopted by the Commission (Art. 46(2)(c) GDPR))")
    assert courses["record"] == "Art. 30(1)" and courses["controller"].startswith(
        "Test Language School SRL, Rue de la Loi 16")
    html = to_html(policy)
    assert "Data protection officer: Dana Officer &lt;dpo@langschool.be&gt;" in html
    assert "<li>Encrypted backups</li><li>Two-factor login for staff</li>" in html
    assert f'Cloud Classrooms Inc.: <a href="{SCC}">{SCC}</a>' in html
    assert "Art. 30(2)" not in html
    assert "Data protection officer: none designated" in to_html(_policy())


def test_the_processor_record_in_every_format() -> None:
    policy = _policy(_as_processor)
    controller_lines = [r for r in _csv_rows(policy) if r["record"] == "Art. 30(1)"]
    processor_lines = [r for r in _csv_rows(policy) if r["record"] == "Art. 30(2)"]
    assert "Courses we run for companies for their staff" not in {
        r["purpose"] for r in controller_lines}  # not the school's own processing
    [line] = processor_lines
    assert line["controller"] == "Companies that book in-house courses, named in each contract"
    assert line["processor"].startswith("Test Language School SRL") and line["legal_basis"] == ""
    assert line["recipients"] == "Course Platform LLC (sub_processor)"
    assert line["transfers"].startswith("Course Platform LLC: US, CA (EU-US Data Privacy")
    assert line["dpv_transfer_safeguards"] == f"Course Platform LLC: {DPF}"
    assert line["security"] == "Encrypted backups; Two-factor login for staff"
    assert line["dpo"] == "Dana Officer <dpo@langschool.be>"

    html = to_html(policy)
    part = html[html.index("Processing carried out as processor (Art. 30(2) GDPR)"):]
    assert "Processor: Test Language School SRL" in part and "Dana Officer" in part
    assert "Companies that book in-house courses" in part and "Course Platform LLC" in part
    assert f'<a href="{DPF}">' in part and "Security measures" in part

    document = json.loads(to_jsonld(policy))
    assert "#process-company_courses" not in {p["@id"] for p in document["dpv:hasProcess"]}
    processor = document["dct:hasPart"]
    assert processor["@type"] == "dpv:ROPA"
    assert processor["dpv:hasDataProcessor"] == {"@id": "#organization"}
    [process] = processor["dpv:hasProcess"]
    assert process["dpv:hasDataController"]["dct:description"].startswith("Companies")
    assert "dpv:hasLegalBasis" not in process  # the client's to decide
    [platform] = process["dpv:hasRecipient"]
    assert platform["@type"] == "dpv:DataSubProcessor"
    assert platform["dpv:hasLegalBasis"]["@id"] == DPF
    assert process["dpv:hasTechnicalOrganisationalMeasure"] == [
        {"@id": "#security-1"}, {"@id": "#security-2"}]


def test_a_processor_that_marks_no_purpose_records_its_statement() -> None:
    policy = load_policy(EXAMPLES / "callbridge.yaml").policy  # role: both
    [line] = rows(policy, "processor")
    statement = policy.organization.processor_statement
    assert statement and line["purpose"] == statement.get("nl", "nl")
    assert line["controller"] == "Clients of Iotum Inc., each named in its contract"
    assert _names(line["recipients"]) == {r.name for r in policy.recipients
                                          if r.role == "sub_processor"}
    assert SCC in line["dpv_transfer_safeguards"]
    assert rows(_policy(), "processor") == []  # a controller only


@pytest.fixture
def processor_runtime(runtime: Runtime, tmp_path: Path) -> Runtime:
    path = tmp_path / "processor.yaml"
    data = yaml.safe_load(POLICY.read_text())
    _as_processor(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return open_runtime(runtime.settings.model_copy(update={"policy": path}),
                        engine=runtime.engine)


@pytest.fixture
def processor_client(processor_runtime: Runtime) -> Iterator[TestClient]:
    from charter.web.app import create_app

    with TestClient(create_app(processor_runtime), base_url="http://127.0.0.1") as client:
        yield client


def test_the_portal_shows_and_serves_the_processor_record(
        processor_client: TestClient, processor_runtime: Runtime) -> None:
    staff_login(processor_client, processor_runtime, "dpo")
    page = processor_client.get("/records")
    assert page.status_code == 200 and "As processor (Art. 30(2))" in page.text
    assert "Companies that book in-house courses" in page.text
    download = processor_client.get("/records/ropa.csv")
    assert download.status_code == 200 and "Art. 30(2)" in download.text
