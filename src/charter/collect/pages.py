"""The declared forms, rendered in the visitor's language and accepted only as declared;
and the page where a parent confirms a child's sign-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ..consent.pages import CHANNEL_LABELS
from ..db import CharterSession
from ..i18n import gettext_for
from ..models import utcnow
from ..policy import Policy
from ..policy.processing import CollectionPoint
from ..runtime import Runtime
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import (
    evidence_of,
    form_token_matches,
    signed_form_token,
    signed_form_token_ok,
)
from ..web.templating import link_gone, page_language, render, templates_for
from .fields import (
    Problem,
    SubmissionInvalid,
    check_submission,
    consent_key,
    consent_keys,
    declared_field,
)
from .minors import confirm_parental_consent, waiting_for
from .service import Signals, collection_point, submit

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone
INPUT_KIND = {"email": "email", "phone": "tel", "date": "date", "integer": "number",
              "boolean": "checkbox", "text": "textarea", "url": "url", "choice": "select",
              "country": "select"}
AUTOCOMPLETE = {"email": "email", "phone": "tel", "first_name": "given-name",
                "last_name": "family-name", "street": "street-address",
                "postal_code": "postal-code", "city": "address-level2", "country": "country",
                "company": "organization"}


@dataclass
class FormField:
    name: str
    label: str
    kind: str
    required: bool
    autocomplete: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    hint: str | None = None


@dataclass
class FormView:
    id: str
    title: str
    fields: list[FormField]
    consents: list[dict[str, str]]


def embed_token(runtime: Runtime, point_id: str) -> str:
    """What a form embedded in the organization's own site sends instead of a CSRF token."""
    return runtime.blind_index.token(f"embed:{runtime.organization_id}:{point_id}")


def form_view(policy: Policy, point: CollectionPoint, language: str) -> FormView:
    _ = gettext_for(language)
    default = policy.languages.default
    fields = []
    for collected in point.fields:
        declared = declared_field(policy, collected.category or "", collected.category_field)
        kind = declared.type
        label = (declared.label.get(language, default) if declared.label
                 else collected.name.replace("_", " ").capitalize())
        choices: list[tuple[str, str]] = []
        if kind == "choice":
            choices = [(c, c) for c in declared.choices]
        elif kind == "country":
            names = Locale(language).territories
            choices = sorted(((str(code), str(name)) for code, name in names.items()
                              if str(code).isalpha() and len(str(code)) == 2),
                             key=lambda item: item[1])
        fields.append(FormField(collected.name, label, INPUT_KIND.get(kind, "text"),
                                collected.required, AUTOCOMPLETE.get(collected.category_field),
                                choices))
    if point.asks_age:
        fields.append(FormField("age", _("Your age"), "number", True) if point.age_question
                      == "age" else FormField("birth_date", _("Date of birth"), "date", True,
                                              "bday"))
        if policy.minors:
            hint = _("Needed if you are under %(age)s.") % {"age": policy.minors.minimum_age}
            fields.append(FormField("parent_email", _("E-mail address of a parent or guardian")
                                    if not policy.minors.school_consent else
                                    _("E-mail address of a parent, a guardian or your school"),
                                    "email", False, None, [], hint))
    several = len({c for _p, c in consent_keys(point)}) > 1
    consents = [{"key": consent_key(option.purpose, channel),
                 "text": option.text.get(language, default),
                 "channel_label": _(CHANNEL_LABELS[channel]) if several else ""}
                for option in point.consent_options for channel in option.channels]
    return FormView(point.id, point.label.get(language, default), fields, consents)


def _form_page(request: Request, point: CollectionPoint, language: str, *,
               errors: list[Problem] | None = None, values: dict[str, Any] | None = None,
               ticked: list[str] | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    view = form_view(runtime.policy, point, language)
    labels = {f.name: f.label for f in view.fields}
    return render(request, "public/form.html", {
        "form": view, "csrf_token": signed_form_token(runtime, point.id),
        "values": values or {}, "ticked": set(ticked or []),
        "errors": [{"field": p.field, "label": labels.get(p.field, p.field),
                    "message": p.message} for p in errors or []],
        "messages": {p.field: p.message for p in errors or []}}, language=language,
        status_code=status)


async def form_data(request: Request) -> FormData:
    return await request.form()


@router.get("/forms/{point_id}", response_class=HTMLResponse)
def show_form(point_id: str, request: Request) -> Response:
    point = collection_point(runtime_of(request).policy, point_id, ("form",))
    return _form_page(request, point, page_language(request))


@router.post("/forms/{point_id}", response_class=HTMLResponse)
def submit_form(point_id: str, request: Request, form: FormData = Depends(form_data),
                session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    point = collection_point(runtime.policy, point_id, ("form",))
    language = page_language(request)
    _ = gettext_for(language)
    embedded = form_token_matches(embed_token(runtime, point.id),
                                  str(form.get("embed_token") or ""))
    if not embedded and not signed_form_token_ok(runtime, point.id,
                                                 str(form.get("csrf_token") or "")):
        return _form_page(request, point, language, status=400, errors=[
            Problem("form", _("The form expired; please try again."))])
    values = {k: v for k, v in form.multi_items() if k not in ("csrf_token", "embed_token",
                                                                 "consent")}
    consents = [str(v) for v in form.getlist("consent")]
    try:
        checked = check_submission(runtime.policy, point, values, consents,
                                   today=utcnow().date())
    except SubmissionInvalid as exc:
        return _form_page(request, point, language, errors=exc.problems, values=values,
                          ticked=consents, status=422)
    outcome = submit(session, runtime, point, checked, channel="web_form", language=language,
                     signals=Signals.from_headers(request.headers),
                     evidence=evidence_of(request))
    if outcome.status == "pending_parental_consent":
        text = _("We have written to your parent or guardian: nothing is used until they "
                 "agree.")
    elif outcome.pending:
        text = _("Check your inbox: a message asks you to confirm your subscription.")
    else:
        text = _("We have received your details.")
    return render(request, "public/message.html", {"title": _("Thank you"), "text": text},
                  language=language)


@router.get("/parental/{token}", response_class=HTMLResponse)
def parental_form(token: str, request: Request,
                  session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    child = waiting_for(session, runtime, token)
    language = page_language(request, child.language if child else None)
    _ = gettext_for(language)
    if child is None:
        return link_gone(request, language)
    return render(request, "public/confirm.html", {
        "title": _("Your consent is needed for a minor"),
        "text": _("Do you agree that %(organization)s uses the data given, for the purposes "
                  "described in its privacy notice?") % {
                      "organization": runtime.policy.organization.legal_name},
        "button": _("I agree"), "action": f"/parental/{token}"}, language=language)


@router.post("/parental/{token}", response_class=HTMLResponse)
def parental_confirm(token: str, request: Request,
                     session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    language = page_language(request)
    _ = gettext_for(language)
    if not confirm_parental_consent(session, runtime, token, evidence=evidence_of(request)):
        return link_gone(request, language)
    return render(request, "public/message.html", {
        "title": _("Thank you"), "text": _("Your consent is recorded.")}, language=language)


def form_snippet(runtime: Runtime, point_id: str, language: str) -> str:
    """The HTML of a form to paste into the organization's own site."""
    point = collection_point(runtime.policy, point_id, ("form",))
    base = runtime.settings.public_url
    template = templates_for(language).get_template("public/form_snippet.html")
    return template.render(form=form_view(runtime.policy, point, language), values={},
                           messages={}, lang=language,
                           organization=runtime.policy.organization,
                           action=f"{base}/forms/{point.id}?lang={language}",
                           embed_token=embed_token(runtime, point.id),
                           privacy_url=f"{base}/privacy?lang={language}")
