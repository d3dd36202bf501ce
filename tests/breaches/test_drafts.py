"""The drafts staff check and send: the notification to the authority with everything
Art. 33(3) asks for, and the communication to the people (Art. 34(2)) in each language of the
policy, Charter's sentences translated and staff's texts inserted as written."""

from __future__ import annotations

from fastapi.testclient import TestClient

from charter.runtime import Runtime

from ..factories import staff_login
from .helpers import DESCRIPTION, act, details, events, recorded


def test_the_notification_to_the_authority_is_prefilled(client: TestClient,
                                                        runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=10, risk="high",
                         nature=["confidentiality", "integrity"])
    page = client.get(f"/breaches/{reference}").text
    download = client.get(f"/breaches/{reference}/authority.txt")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/plain")
    assert f'filename="{reference}-authority.txt"' in download.headers["content-disposition"]
    text = download.text
    for expected in [
            "Notification of a personal data breach (GDPR Art. 33)",
            "To: Data Protection Authority", "Rue de la Presse 35, 1000 Bruxelles, BE",
            f"Our reference: {reference}",
            "Test Language School SRL; Rue de la Loi 16, 1000 Bruxelles, BE; VAT BE0123456789",
            "Contact point for more information (Art. 33(3)(b)): privacy@langschool.be",
            "Nature: confidentiality (data disclosed", "integrity (data altered",
            "Categories of personal data: Contact details, Billing details",
            "People concerned: about 120", "Personal data records concerned: about 340",
            "Detected (became aware): ", "Occurred: (not known yet)", DESCRIPTION,
            "3. Likely consequences (Art. 33(3)(c))\nPhishing mails using the names",
            "4. Measures taken or proposed (Art. 33(3)(d))\nTaken:\nThe laptop's account was",
            "Proposed:\nFull-disk encryption on every laptop by June.",
            "High risk: the people concerned will be told."]:
        assert expected in text, expected
    assert "Reasons for the delay" not in text  # on time: none asked
    assert "Notification to the authority (draft)" in page
    assert "To: Data Protection Authority" in page and "Rue de la Presse 35" in page
    [downloaded] = events(runtime, "breach.draft_downloaded")
    assert details(downloaded) == {"draft": "authority"}


def test_a_late_notification_carries_the_reasons_for_the_delay(client: TestClient,
                                                               runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=90.5)
    draft = client.get(f"/breaches/{reference}/authority.txt").text
    assert "6. Reasons for the delay (Art. 33(1))" in draft
    assert "This notification comes 90 hours after we became aware" in draft
    assert "(to be given: a late notification must say why)" in draft
    act(client, csrf, reference, "authority", decision="notify",
        authority_reference="DOS-2026-0042", delay_reason="The supplier told us only today.")
    final = client.get(f"/breaches/{reference}/authority.txt").text
    assert "Your reference: DOS-2026-0042" in final
    assert "The supplier told us only today." in final and "to be given" not in final


def test_notices_to_the_people_in_every_language_of_the_policy(client: TestClient,
                                                              runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=2, risk="high",
                         contact="Marie Dubois <dpo@langschool.be>")
    page = client.get(f"/breaches/{reference}").text
    for language in ("en", "fr", "nl"):
        assert f'<pre class="mail" lang="{language}">' in page
        assert f'href="/breaches/{reference}/notice-{language}.txt"' in page
    english = client.get(f"/breaches/{reference}/notice-en.txt").text
    french = client.get(f"/breaches/{reference}/notice-fr.txt").text
    dutch = client.get(f"/breaches/{reference}/notice-nl.txt").text
    assert "What happened" in english and "Contact details, Billing details" in english
    assert "Check your bank and card statements" in english  # billing is user.financial
    assert "lodge a complaint with Data Protection Authority, Rue de la Presse 35" in english
    assert "Ce qui s'est passé" in french and "La violation concerne : Coordonnées, " \
        "Données de facturation." in french
    assert "auprès de l'autorité de contrôle, Autorité de protection des données" in french
    assert "Wat er is gebeurd" in dutch and "Contactgegevens, Factuurgegevens" in dutch
    assert "Gegevensbeschermingsautoriteit" in dutch
    for text in (english, french, dutch):
        assert DESCRIPTION in text  # staff's words, as written
        assert "Phishing mails using the names of the students." in text
        assert "The laptop's account was locked; passwords were reset." in text
        assert "Marie Dubois <dpo@langschool.be>" in text
    assert "What happened" not in french and "What happened" not in dutch
    assert client.get(f"/breaches/{reference}/notice-de.txt").status_code == 404
    downloads = [details(e) for e in events(runtime, "breach.draft_downloaded")]
    assert downloads == [{"draft": "notice", "language": lang} for lang in ("en", "fr", "nl")]


def test_what_people_can_do_follows_the_nature_of_the_breach(client: TestClient,
                                                             runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, nature=["availability"], categories=["contact"],
                         consequences="", measures_taken="")
    english = client.get(f"/breaches/{reference}/notice-en.txt").text
    assert "If you need a copy of your data, ask us for it." in english
    assert "Be careful with messages" not in english and "bank" not in english
    assert "We are still assessing the consequences." in english
    assert "We are taking measures to stop the breach" in english
