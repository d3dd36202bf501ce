"""The privacy center: a person asks, confirms it is them, sends proof when asked, and
downloads their data — in their language, without an account."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..errors import InvalidInput
from ..i18n import gettext_for
from ..policy.commitments import ALL_RIGHTS
from ..subjects.service import valid_email
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import attach_form_token, form_token_ok, new_form_token
from ..web.templating import link_gone, page_language, render
from .erasure import ground_label
from .exports import open_export
from .fulfilment import act_if_immediate
from .intake import (
    MAX_DOCUMENT,
    kind_label,
    open_request,
    receive_proof,
    request_for_link,
    verify_by_link,
)
from .lifecycle import ERASURE_GROUNDS

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone


def _deadline_words(request: Request, language: str) -> str:
    _ = gettext_for(language)
    days = runtime_of(request).policy.rights.deadline_days
    return str(_("one month") if days is None else _("%(n)s days") % {"n": days})


def _form(request: Request, language: str, *, errors: list[str] | None = None,
          values: dict[str, str] | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    token = new_form_token()
    response = render(request, "public/request_new.html", {
        "csrf_token": token, "errors": errors or [], "values": values or {},
        "kinds": [(k, kind_label(k, language).capitalize()) for k in ALL_RIGHTS],
        "purposes": [(p.id, p.label.get(language, runtime.policy.languages.default))
                     for p in runtime.policy.purposes
                     if p.legal_basis in ("consent", "legitimate_interests") or p.marketing],
        "grounds": [(g, ground_label(g, language)) for g in ERASURE_GROUNDS],
        "deadline_words": _deadline_words(request, language),
        "request_email": runtime.policy.rights.request_email
        or runtime.policy.organization.privacy_email or ""},
        language=language, status_code=status)
    return attach_form_token(request, response, token)


@router.get("/requests/new", response_class=HTMLResponse)
def new_request_form(request: Request) -> Response:
    return _form(request, page_language(request))


@router.post("/requests/new", response_class=HTMLResponse)
def new_request(request: Request, kind: str = Form(""), email: str = Form(""),
                details: str = Form(""), purpose: str = Form(""), ground: str = Form(""),
                csrf_token: str = Form(""),
                session: CharterSession = TRANSACTION) -> Response:
    language = page_language(request)
    _ = gettext_for(language)
    runtime = runtime_of(request)
    values = {"kind": kind, "email": email, "details": details, "purpose": purpose,
              "ground": ground}
    if not form_token_ok(request, csrf_token):
        return _form(request, language, errors=[_("The form expired; please try again.")],
                     values=values, status=400)
    errors = []
    if kind not in ALL_RIGHTS:
        errors.append(_("Choose what you want us to do."))
    try:
        valid_email(email)
    except InvalidInput:
        errors.append(_("Give a valid e-mail address."))
    if len(details) > 5000:
        errors.append(_("The details are too long (5000 characters at most)."))
    if purpose and runtime.policy.purpose(purpose) is None:
        errors.append(_("Choose a use of your data from the list."))
    if ground and ground not in ERASURE_GROUNDS:
        errors.append(_("Choose a reason for the erasure from the list."))
    if errors:
        return _form(request, language, errors=errors, values=values, status=422)
    try:
        open_request(session, runtime, kind=kind, email=email, details=details,
                     channel="web_form", language=language,
                     extra={"purpose": purpose} if purpose else None,
                     ground=ground if ground and kind == "erasure" else None,
                     ip=request.client.host if request.client else None, actor="subject")
    except InvalidInput:  # too many requests: the same answer, nothing more is sent
        session.rollback()
    return render(request, "public/message.html", {
        "title": _("Check your inbox"),
        "text": _("We have sent a link to your address. Your request is handled once you "
                  "have used it, to make sure it comes from you.")}, language=language)


@router.get("/requests/verify/{token}", response_class=HTMLResponse)
def verify_form(token: str, request: Request,
                session: CharterSession = TRANSACTION) -> Response:
    """A button, not an action: mail scanners open links."""
    rights_request = request_for_link(session, runtime_of(request), token, "verify")
    language = page_language(request, rights_request.language if rights_request else None)
    if rights_request is None or rights_request.stage != "awaiting_verification":
        return link_gone(request, language)
    _ = gettext_for(language)
    return render(request, "public/confirm.html", {
        "title": _("Confirm your request"),
        "text": kind_label(rights_request.kind, language).capitalize(),
        "button": _("Yes, this is my request"), "action": f"/requests/verify/{token}"},
        language=language)


@router.post("/requests/verify/{token}", response_class=HTMLResponse)
def verify(token: str, request: Request,
           session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    rights_request = verify_by_link(session, runtime, token)
    language = page_language(request, rights_request.language if rights_request else None)
    if rights_request is None:
        return link_gone(request, language)
    act_if_immediate(session, runtime, rights_request, actor="subject")
    _ = gettext_for(language)
    return render(request, "public/message.html", {
        "title": _("Your request is confirmed"),
        "text": _("Its reference is %(reference)s. We will write to you by %(date)s at the "
                  "latest.") % {"reference": rights_request.reference,
                                "date": rights_request.deadline.isoformat()}},
        language=language)


@router.get("/requests/proof/{token}", response_class=HTMLResponse)
def proof_form(token: str, request: Request,
               session: CharterSession = TRANSACTION) -> Response:
    rights_request = request_for_link(session, runtime_of(request), token, "proof")
    language = page_language(request, rights_request.language if rights_request else None)
    if rights_request is None or rights_request.stage != "awaiting_proof":
        return link_gone(request, language)
    return render(request, "public/proof_upload.html", {"token": token}, language=language)


@router.post("/requests/proof/{token}", response_class=HTMLResponse)
def proof_upload(token: str, request: Request, document: UploadFile = File(...),
                 session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    content = document.file.read(MAX_DOCUMENT + 1)
    language = page_language(request)
    _ = gettext_for(language)
    try:
        received = receive_proof(session, runtime, token, name=document.filename or "document",
                                 media_type=document.content_type or "", content=content)
    except InvalidInput:
        return render(request, "public/proof_upload.html", {
            "token": token, "error": _("Send a file of at most 5 MB.")}, language=language,
            status_code=422)
    if received is None:
        return link_gone(request, language)
    return render(request, "public/message.html", {
        "title": _("Thank you"), "text": _("We have received your document.")},
        language=language)


@router.get("/exports/{token}")
def download(token: str, request: Request,
             session: CharterSession = TRANSACTION) -> Response:
    """The package of an access or portability request, while its link lives."""
    found = open_export(session, runtime_of(request), token)
    if found is None:
        return link_gone(request, page_language(request))
    export, data = found
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="your-data-{export.uid[:8]}.zip"',
        "Cache-Control": "no-store"})
