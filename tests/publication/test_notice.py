"""The privacy notice written from the policy: each seed's commitments are in its notice;
the visitor's language; immutable published versions; the record of processing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from charter.cli import main
from charter.policy import load_policy
from charter.policy.notice import build_notice
from charter.policy.notice_render import to_html, to_markdown, to_text
from charter.runtime import Runtime

from ..conftest import POLICY

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "charter" / "examples"

# What each seed promises, as its notice (in the seed's language) must say it.
SEED_COMMITMENTS: dict[str, list[str]] = {
    "call-international": [
        "CALL INTERNATIONAL sprl", "BE0452980892", "privacy@callinter.com",
        "We answer within 30 days",  # "We will respond ... within 30 days"
        "Google Analytics", "DoubleClick", "United States: no safeguard is stated",
        "IP address, browser type and language",  # the log files
        "If you are under 18, we use your data only with the consent of a parent",
        "Every message carries a link to unsubscribe",
        "two people",  # access to the BOB accounting program
        "SSL",
        "Rue de la Presse 35",  # where to complain
        "_ga", "IDE",  # the cookies the notice denies using
        "Global Privacy Control",
    ],
    "cll": [
        "CLL Centres de Langues", "VT 4001258", "privacy@cll.be",
        "We honour Do Not Track", "Google", "AdSense",
        "cannot be held responsible",  # the disclaimer, kept as the seed says it
        "Cyber-attacks", "Forums, chat rooms and private messaging",
        "under 13",
        "Objecting to changes",
    ],
    "qualifio": [
        "Qualifio", "3 years after our last contact with you",  # prospects
        "10 years after the end of the contract",  # contracts
        "HubSpot", "processor", "on their instructions",
        "Limitation of liability", "Applicable law and competent courts",
        "Tracking in our e-mails", "privacy@qualifio.com",
        "We answer within one month of receiving your request",
        "If you are under 13, we use your data only with the consent of a parent",
        "Rue de la Presse 35, 1000 Bruxelles",  # the authority, to complain to
        "Legal basis: the contract with you, or steps you asked for before one",
        "Legal basis: a legal obligation we are under",
        # the legitimate interest named, as Art. 13(1)(d) asks
        "Legal basis: our legitimate interests, which you may object to: Developing our "
        "business by prospecting companies and professionals",
        "our privacy center: https://privacy.example.test/requests/new",
    ],
    # written in French from the seed's English: the notice is in the policy's language
    "cambridge-school": [
        "Cambridge School of English Sp. z o.o., ul. Widok 10/LU1",  # the form said once
        "PL5252147188",
        "contact@cambridgeschool.online", "Nous répondons dans un délai de 30 jours",
        "Si vous avez moins de 13 ans", "d'un tuteur ou de l'école",  # school consent
        "Affiliation politique, race et religion (catégorie particulière, art. 9 du RGPD)",
        "6 ans après la fin du contrat", "UODO",
        "Google Ireland Ltd / Google LLC", "aucune garantie n'est indiquée",
        "confirmé leur adresse",  # double opt-in for the newsletter
        "_gat", "Durée: 1 minute", "Durée: 24 heures",
        "Nous ne donnons pas suite aux signaux Global Privacy Control",
        "Consentement par l'utilisation", "Nous ne vendons ni ne louons",
    ],
    "callbridge": [
        "Iotum Inc.", "privacy@callbridge.com", "Wij antwoorden binnen één maand",
        "als verwerker, volgens hun instructies",
        "het EU-VS-gegevensprivacykader (EU-U.S. Data Privacy Framework)",
        "de modelcontractbepalingen van de Europese Commissie",
        "Als u jonger bent dan 18 jaar", "Autoriteit Persoonsgegevens",
        "10 dagen nadat u uw toestemming hebt ingetrokken",
        "7 jaar na het verzamelen", "Verkoop mijn persoonlijke gegevens niet",
        "https://feedback-form.truste.com/watchdog/request",  # a link stays whole
        "Duur: 12 maanden",
    ],
}


def _notice(name: str, fmt: str = "txt") -> str:
    policy = load_policy(EXAMPLES / f"{name}.yaml").policy
    document = build_notice(policy, policy.languages.default, version="Version 1",
                            effective="2026-11-25",
                            privacy_center="https://privacy.example.test/requests/new")
    return {"txt": to_text, "md": to_markdown, "html": to_html}[fmt](document)


@pytest.mark.parametrize("name", sorted(SEED_COMMITMENTS))
def test_each_seed_promise_is_in_its_notice(name: str) -> None:
    text = " ".join(_notice(name).split())
    missing = [c for c in SEED_COMMITMENTS[name] if c not in text]
    assert missing == [], missing


def test_every_section_the_seeds_cover() -> None:
    html = _notice("call-international", "html")
    for section in ("controller", "data", "purposes", "recipients", "transfers", "rights",
                    "complaint", "minors", "cookies", "signals", "newsletter", "security",
                    "changes"):
        assert f'<section id="{section}">' in html, section
    assert "Version 1 · 2026-11-25" in html


def test_a_missing_translation_falls_back_visibly(tmp_path: Path) -> None:
    source = POLICY.read_text().replace(
        "{en: Invoicing, fr: Facturation, nl: Facturatie}", "{en: Invoicing, nl: Facturatie}")
    path = tmp_path / "policy.yaml"
    path.write_text(source)
    policy = load_policy(path).policy
    html = to_html(build_notice(policy, "fr", version="v", effective=None))
    assert '<span lang="en" class="fallback">Invoicing <small>[EN]</small></span>' in html
    check = CliRunner().invoke(main, ["check", str(path)])
    assert "no fr translation" in check.output


def test_privacy_page_in_the_visitors_language(client: TestClient) -> None:
    page = client.get("/privacy", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "Nieuwsbrief over onze cursussen" in page.text
    french = client.get("/privacy?lang=fr")
    assert '<html lang="fr">' in french.text and "information sur nos cours" in french.text


def test_the_cli_prints_every_format(cli_args: list[str], runtime: Runtime) -> None:
    for fmt, marker in (("html", '<article class="notice" lang="fr">'),
                        ("md", "## "), ("txt", "------")):
        result = CliRunner().invoke(main, [*cli_args, "notice", "--lang", "fr", "--format",
                                           fmt])
        assert result.exit_code == 0 and marker in result.output, (fmt, result.output[:300])


def test_gpc_declaration(client: TestClient) -> None:
    declared = client.get("/.well-known/gpc.json")
    assert declared.status_code == 200 and declared.json()["gpc"] is True


def test_record_of_processing(cli_args: list[str], client: TestClient,
                              runtime: Runtime) -> None:
    from ..factories import staff_login

    csv_out = CliRunner().invoke(main, [*cli_args, "ropa", "--format", "csv"]).output
    assert csv_out.startswith("purpose,legal_basis,dpv_legal_basis,")
    assert "Invoicing,legal_obligation,https://w3id.org/dpv/legal/eu/gdpr#A6-1-c" in csv_out
    document = json.loads(CliRunner().invoke(main, [*cli_args, "ropa", "--format",
                                                    "jsonld"]).output)
    assert document["@type"] == "dpv:ROPA" and "dpv" in document["@context"]
    newsletter = next(p for p in document["dpv:hasProcess"] if p["@id"] == "#process-newsletter")
    assert newsletter["dpv:hasLegalBasis"]["@id"].endswith("#A6-1-a")
    assert newsletter["dpv:hasStorageCondition"]["dpv:hasDuration"] == "P3Y"
    html = CliRunner().invoke(main, [*cli_args, "ropa", "--format", "html"]).output
    assert "Record of processing activities (Art. 30 GDPR)" in html
    staff_login(client, runtime, "support")
    assert client.get("/records").status_code == 403
    staff_login(client, runtime, "dpo")
    download = client.get("/records/ropa.jsonld")
    assert download.status_code == 200 and "ld+json" in download.headers["content-type"]
