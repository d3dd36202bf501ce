"""`charter demo`: an example policy, realistic sample people, and a staff login."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.progress import track

from .accounts.repository import user_by_email
from .accounts.service import add_staff_user, set_password
from .consent.service import consent_channels, record_consent
from .dates import local_date
from .db import CharterSession
from .models import Subject, utcnow
from .newsletter.campaigns import Letter, send_campaign
from .newsletter.service import consent_text
from .policy import Policy
from .policy.processing import CollectionPoint
from .rights.intake import open_request
from .runtime import Runtime
from .settings import Settings
from .setup import prepare, write_policy_from_example
from .subjects import RecordInput, store_subject_data
from .subjects.repository import subject_count

FIRST = [
    "Sophie",
    "Lucas",
    "Emma",
    "Noah",
    "Louise",
    "Arthur",
    "Olivia",
    "Jules",
    "Elise",
    "Victor",
    "Marie",
    "Thomas",
    "Lotte",
    "Wout",
    "Anouk",
    "Ruben",
    "Camille",
    "Hugo",
    "Zoë",
    "Mehdi",
    "Inès",
    "Bram",
    "Fien",
    "Youssef",
    "Chloé",
    "Maxime",
]
LAST = [
    "Peeters",
    "Janssens",
    "Maes",
    "Dubois",
    "Lambert",
    "Claes",
    "Dupont",
    "Willems",
    "Goossens",
    "Martin",
    "Wouters",
    "De Smet",
    "Leroy",
    "Mertens",
    "Simon",
    "Laurent",
    "Vermeulen",
    "Jacobs",
    "El Amrani",
    "Nowak",
    "Renard",
    "Desmet",
]
CITIES = [
    ("1410", "Waterloo"),
    ("1348", "Louvain-la-Neuve"),
    ("1000", "Bruxelles"),
    ("3000", "Leuven"),
    ("4000", "Liège"),
    ("9000", "Gent"),
    ("2000", "Antwerpen"),
    ("5000", "Namur"),
]
STREETS = [
    "Rue de la Station",
    "Chaussée de Bruxelles",
    "Kerkstraat",
    "Rue du Marché",
    "Avenue des Combattants",
    "Stationsstraat",
    "Rue Haute",
    "Dorpsstraat",
]
LANGUAGES = ["French", "Dutch", "English", "German", "Spanish", "Italian"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def _value(name: str, kind: str, person: dict[str, str], rng: random.Random) -> Any:
    """A plausible value for a field, by its name first and its type second."""
    lowered = name.lower()
    by_name = {
        "first_name": person["first"],
        "given_name": person["first"],
        "last_name": person["last"],
        "surname": person["last"],
        "family_name": person["last"],
        "name": f"{person['first']} {person['last']}",
        "full_name": f"{person['first']} {person['last']}",
        "email": person["email"],
        "phone": person["phone"],
        "city": person["city"],
        "postal_code": person["postal_code"],
    }
    if lowered in by_name:
        return by_name[lowered]
    if "salutation" in lowered or lowered == "title":
        return rng.choice(["Ms", "Mr", "Mx"])
    if "street" in lowered or (
        "address" in lowered and "ip" not in lowered and "email" not in lowered
    ):
        return (
            f"{rng.choice(STREETS)} {rng.randint(1, 180)}, {person['postal_code']} {person['city']}"
        )
    if "language" in lowered or "tongue" in lowered:
        return rng.choice(LANGUAGES)
    if "level" in lowered:
        return rng.choice(["A1", "A2", "B1", "B2", "C1", "C2"])
    if "company" in lowered or "organisation" in lowered or "organization" in lowered:
        return rng.choice(["Brasserie Lambert", "Atelier Claes", "Mertens Logistics", "Solvane"])
    if "vat" in lowered:
        return f"BE0{rng.randint(100000000, 999999999)}"
    if "objective" in lowered or "goal" in lowered:
        return rng.choice(["Business meetings", "Travel", "Exam preparation", "Moving abroad"])
    return {
        "email": person["email"],
        "phone": person["phone"],
        "integer": rng.randint(1, 10),
        "boolean": rng.random() < 0.5,
        "country": "BE",
        "ip": f"192.0.2.{rng.randint(1, 254)}",
        "date": (utcnow() - timedelta(days=rng.randint(6000, 20000))).date().isoformat(),
        "iban": f"BE{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
        f"{rng.randint(1000, 9999)}",
        "url": "https://example.org/",
        "text": "Would like more information about the courses.",
    }.get(kind, "sample")


def _records(
    policy: Policy,
    point: CollectionPoint,
    person: dict[str, str],
    rng: random.Random,
    collected: datetime,
) -> list[RecordInput]:
    by_category: dict[str, dict[str, Any]] = {}
    for collected_field in point.fields:
        category = policy.category(collected_field.category or "")
        if category is None:
            continue
        declared = {f.name: f for f in category.fields}
        name = collected_field.category_field
        kind = declared[name].type if name in declared else "string"
        by_category.setdefault(category.id, {})[name] = _value(name, kind, person, rng)
    last_contact = collected + timedelta(days=rng.randint(0, 400))
    return [
        RecordInput(
            category=cat,
            fields=values,
            source=point.id,
            collected_at=collected,
            last_contact_at=min(last_contact, utcnow()),
        )
        for cat, values in by_category.items()
    ]


def add_sample_people(runtime: Runtime, count: int, *, seed: int = 7) -> int:
    rng = random.Random(seed)
    policy = runtime.policy
    points = [p for p in policy.collection_points if p.fields]
    if not points:
        return 0
    languages = policy.languages.all
    for n in track(range(count), description="sample people"):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        postal_code, city = rng.choice(CITIES)
        slug = f"{first}.{last}".lower().replace(" ", "").replace("ë", "e").replace("é", "e")
        person = {
            "first": first,
            "last": last,
            "city": city,
            "postal_code": postal_code,
            "email": f"{slug}{n}@example.org",
            "phone": f"+324{rng.randint(70, 99)}{rng.randint(100000, 999999)}",
        }
        collected = utcnow() - timedelta(days=rng.randint(1, 4 * 365))
        records: list[RecordInput] = []
        for point in rng.sample(points, k=rng.randint(1, min(3, len(points)))):
            records.extend(_records(policy, point, person, rng, collected))
        if not records:
            continue
        with runtime.transaction() as session:
            subject = store_subject_data(
                session,
                runtime,
                email=person["email"],
                phone=person["phone"],
                language=rng.choice(languages),
                records=records,
                actor="demo",
            )
            if rng.random() < 0.6:
                _consent_to_everything(session, runtime, subject, collected)
    return count


def _consent_to_everything(
    session: CharterSession, runtime: Runtime, subject: Subject, when: datetime
) -> None:
    """Half the sample people ticked the boxes of the forms they filled in."""
    for purpose, channel in consent_channels(runtime.policy):
        text = consent_text(runtime.policy, purpose, subject.language)
        record_consent(
            session,
            runtime,
            subject,
            purpose=purpose,
            channel=channel,
            action="grant",
            method="online_checkbox",
            actor="demo",
            text=text,
            occurred_at=when,
            evidence={"ip": "192.0.2.10", "user_agent": "demo"},
        )


DEMO_LETTER = {
    "en": Letter(
        "Our autumn courses",
        "Group courses in English, Dutch and French start on "
        "6 October. Places are limited: reply to this message to book yours.",
    ),
    "fr": Letter(
        "Nos cours d'automne",
        "Les cours de groupe d'anglais, de néerlandais et de "
        "français commencent le 6 octobre. Les places sont limitées : répondez à ce "
        "message pour réserver la vôtre.",
    ),
    "nl": Letter(
        "Onze najaarscursussen",
        "De groepscursussen Engels, Nederlands en Frans "
        "starten op 6 oktober. De plaatsen zijn beperkt: antwoord op dit bericht om "
        "de uwe te reserveren.",
    ),
}


def send_demo_campaign(runtime: Runtime) -> int:
    """One campaign, so the outbox shows what a newsletter looks like (nothing is sent
    without an SMTP server)."""
    newsletter = runtime.policy.newsletter
    if newsletter is None:
        return 0
    languages = runtime.policy.languages.all
    letters: dict[str, Letter] = {
        lang: letter for lang, letter in DEMO_LETTER.items() if lang in languages
    }
    with runtime.transaction() as session:
        return send_campaign(
            session, runtime, purpose=newsletter.purpose, letters=letters, actor="demo"
        ).recipients


SAMPLE_REQUESTS = (
    ("access", 20, "verified", "I would like a copy of everything you hold about me."),
    ("erasure", 33, "verified", "I no longer take courses with you: please delete my data."),
    ("rectification", 3, "verified", "My surname is misspelled on my invoices."),
    ("objection", 1, None, "I object to receiving offers by phone."),
)


def add_sample_requests(runtime: Runtime) -> None:
    """A few requests at different stages, one of them overdue, so the queue shows them."""
    today = local_date(utcnow(), runtime.policy.organization.country)
    with runtime.transaction() as session:
        for n, (kind, days_ago, verified, details) in enumerate(SAMPLE_REQUESTS):
            email = f"{FIRST[n].lower()}.{LAST[n].lower()}@example.org"
            open_request(session, runtime, kind=kind, email=email, channel="email",
                         details=details, received_on=today - timedelta(days=days_ago),
                         verified_by="demo" if verified else None, actor="demo")


def prepare_demo(settings: Settings, *, example: str, subjects: int) -> tuple[Runtime, DemoLogin]:
    if not settings.policy.exists():
        write_policy_from_example(example, settings.policy, force=False)
    runtime = prepare(settings)
    with runtime.transaction() as session:
        empty = subject_count(session, runtime.organization_id) == 0
    if empty:
        add_sample_people(runtime, subjects)
        send_demo_campaign(runtime)
        add_sample_requests(runtime)
    domain = (runtime.policy.organization.privacy_email or "admin@example.org").split("@")[1]
    login = DemoLogin(email=f"demo-admin@{domain}", password=secrets.token_urlsafe(12))
    with runtime.transaction() as session:
        existing = user_by_email(session, runtime.organization_id, login.email)
        if existing is None:
            add_staff_user(
                session,
                runtime,
                email=login.email,
                role="admin",
                password=login.password,
                actor="demo",
            )
        else:  # a password cannot be read back: a new one is set and printed each run
            set_password(session, runtime, existing, login.password, actor="demo")
    return runtime, login
