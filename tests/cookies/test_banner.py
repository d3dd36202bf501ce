"""`/consent.js` built from the policy, and the proof log of choices, over HTTP."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.models import CookieConsent
from charter.runtime import Runtime, open_runtime
from charter.web.app import create_app


def _config(script: str) -> dict[str, Any]:
    first = script.split("\n", 1)[0]
    assert first.startswith("window.CharterConsentConfig = ")
    return dict(json.loads(first.removeprefix("window.CharterConsentConfig = ").rstrip(";")))


def test_no_cookie_to_ask_about_means_no_banner(client: TestClient) -> None:
    script = client.get("/consent.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "CharterConsentConfig" not in script.text and "no banner" in script.text


def test_the_banner_is_built_from_the_cookie_table(full_client: TestClient) -> None:
    script = full_client.get("/consent.js", headers={"Accept-Language": "fr-BE,fr"})
    config = _config(script.text)
    assert "Sec-GPC" in script.headers["vary"]
    assert config["language"] == "fr" and config["texts"]["rejectAll"] == "Tout refuser"
    assert [c["id"] for c in config["categories"]] == ["necessary", "analytics", "marketing"]
    analytics = config["categories"][1]
    assert analytics["vendors"] == [{"id": "google", "name": "Google", "cookies": [
        {"name": "_ga", "duration": "13 mois", "purpose": "Statistics"}]}]
    assert config["honourGpc"] is True and config["doNotSellLink"] is True
    assert config["gpc"] is False
    assert _config(full_client.get("/consent.js", headers={"Sec-GPC": "1"}).text)["gpc"] is True
    assert "window.CharterConsent = " in script.text  # the banner code follows its config


def _choice(runtime: Runtime, **change: Any) -> dict[str, Any]:
    return {"consentId": str(uuid.uuid4()), "policyVersion": runtime.policy_version,
            "language": "en", "action": "custom", "choices": {"analytics": True,
                                                               "marketing": False},
            "vendors": {"google": True, "meta": False}, "doNotSell": False, "gpc": False,
            **change}


def _logged(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(CookieConsent).where(
            CookieConsent.organization_id == runtime.organization_id)) or 0


def test_choices_are_logged_as_proof_and_bad_ones_refused(full_client: TestClient,
                                                          full_runtime: Runtime) -> None:
    assert full_client.post("/api/v1/cookie-consents",
                            json=_choice(full_runtime)).status_code == 201
    for bad in ({"choices": {"tracking": True}}, {"consentId": "not-a-uuid-at-all"},
                {"policyVersion": "cookies:old"}, {"action": "maybe"}, {"email": "x@y.z"},
                {"choices": {"analytics": True}},  # an answer missing
                {"vendors": {f"made-up-{n}": True for n in range(50)}},
                {"vendors": {"google": True}},  # a provider left unanswered
                {"vendors": {"google": True, "meta": True}},  # Meta on, marketing off
                {"action": "reject_all"},  # yet analytics is on
                {"gpc": True, "choices": {"analytics": True, "marketing": True}}):
        response = full_client.post("/api/v1/cookie-consents", json=_choice(full_runtime, **bad))
        assert response.status_code == 422, bad
    assert _logged(full_runtime) == 1


def test_only_the_organizations_sites_may_post_from_the_browser(full_runtime: Runtime) -> None:
    settings = full_runtime.settings.model_copy(update={"embed_origins":
                                                        "https://www.langschool.be"})
    runtime = open_runtime(settings, engine=full_runtime.engine)
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        ours = client.options("/api/v1/cookie-consents",
                              headers={"Origin": "https://www.langschool.be"})
        assert ours.headers["access-control-allow-origin"] == "https://www.langschool.be"
        theirs = client.options("/api/v1/cookie-consents",
                                headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in theirs.headers
        framed = client.get("/forms/enrolment")
        assert "frame-ancestors 'self' https://www.langschool.be" in \
            framed.headers["content-security-policy"]
        assert "x-frame-options" not in framed.headers
        assert client.get("/login").headers["x-frame-options"] == "DENY"
