"""The package a person downloads after an access or portability request: JSON and CSV per
system and category, and (for access) a letter giving Art. 15(1)(a)-(h) for them. The ZIP is
encrypted on disk, reached through an expiring link, and deleted when the policy's retention
for exports ends."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
import zipfile
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import select

from ..db import CharterSession
from ..i18n import gettext_for, local_text, template_environment
from ..mail.links import one_time_link, resolve
from ..models import ExportFile, RightsRequest, utcnow
from ..runtime import Runtime
from ..wording import LEGAL_BASIS, RIGHTS, retention_words
from . import repository
from .connectors import SystemAnswer

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _letters(language: str) -> Environment:
    return template_environment(TEMPLATES, language, html=True)


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v
                         for k, v in row.items()})
    return out.getvalue()


def access_letter(runtime: Runtime, request: RightsRequest,
                  answers: dict[str, SystemAnswer]) -> str:
    """Art. 15(1)(a)-(h) for this person: what we found and what we do with it."""
    policy = runtime.policy
    lang, default = request.language, policy.languages.default
    found = {c for a in answers.values() for c in a.data if c not in ("consents",)}
    purposes = [p for p in policy.purposes if found & set(p.categories)]
    sources = {row.get("source") for a in answers.values() for cat, rows in a.data.items()
               for row in rows if cat != "consents"}
    _ = gettext_for(lang)

    def basis(purpose: Any) -> str:
        return str(_(LEGAL_BASIS[purpose.legal_basis])) if purpose.legal_basis else ""

    def retention(purpose: Any) -> str:
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        return retention_words(rule.duration, rule.trigger, lang) if rule else ""

    recipients = {r.id: r for r in policy.recipients}
    return _letters(lang).get_template("letter.html").render(
        policy=policy, organization=policy.organization, request=request, lang=lang,
        default=default, local=local_text,
        categories=[c for c in policy.data_categories if c.id in found],
        purposes=[{"purpose": p, "basis": basis(p), "retention": retention(p),
                   "recipients": [recipients[r] for r in p.recipients if r in recipients]}
                  for p in purposes],
        sources=[p for p in policy.collection_points if p.id in sources],
        all_recipients=policy.recipients_of(found),
        systems={s.id: s for s in policy.systems}, answers=answers,
        rights=[str(_(RIGHTS[r])) for r in RIGHTS], generated=utcnow())


def build_package(runtime: Runtime, request: RightsRequest,
                  answers: dict[str, SystemAnswer], *, letter: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for system, answer in answers.items():
            for category, rows in answer.data.items():
                base = f"{system}/{category}"
                package.writestr(f"{base}.json", json.dumps(rows, ensure_ascii=False, indent=2))
                package.writestr(f"{base}.csv", _csv(rows))
        if letter:
            package.writestr("letter.html", access_letter(runtime, request, answers))
    return buffer.getvalue()


def _folder(runtime: Runtime) -> Path:
    folder = runtime.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _context(runtime: Runtime, uid: str) -> str:
    return f"export:{runtime.organization_id}:{uid}"


def _write(path: Path, data: bytes) -> None:
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def store_export(session: CharterSession, runtime: Runtime, request: RightsRequest,
                 package: bytes) -> tuple[str, ExportFile]:
    """Encrypt and keep the package; returns the download link's token and the row."""
    uid = uuid.uuid4().hex
    blob, key_id = runtime.cipher.encrypt_bytes(package, context=_context(runtime, uid))
    _write(_folder(runtime) / f"{uid}.bin", blob)
    expires = utcnow() + timedelta(days=runtime.policy.rights.export_retention_days)
    export = ExportFile(organization_id=runtime.organization_id, request_id=request.id,
                        uid=uid, key_id=key_id, expires_at=expires)
    session.add(export)
    token = one_time_link(session, runtime, "export", request.subject_id, request_id=request.id,
                          purpose=uid, expires_at=expires)
    return token, export


def open_export(session: CharterSession, runtime: Runtime, token: str
                ) -> tuple[ExportFile, bytes] | None:
    """The package behind a live link, decrypted; None when gone."""
    link = resolve(session, runtime, token, "export")
    export = (repository.export_by_uid(session, runtime.organization_id, link.purpose)
              if link and link.purpose else None)
    path = _folder(runtime) / f"{export.uid}.bin" if export else None
    if export is None or export.deleted_at is not None or path is None or not path.exists():
        return None
    data = runtime.cipher.decrypt_bytes(path.read_bytes(), key_id=export.key_id,
                                        context=_context(runtime, export.uid))
    export.downloaded_at = export.downloaded_at or utcnow()
    return export, data


def delete_expired_exports(session: CharterSession, runtime: Runtime) -> int:
    return _delete(runtime, repository.exports_expired(session, runtime.organization_id,
                                                       utcnow()))


def reencrypt_exports(session: CharterSession, runtime: Runtime) -> int:
    """Key rotation: live export files move to the active key too."""
    live = session.scalars(select(ExportFile).where(
        ExportFile.deleted_at.is_(None), ExportFile.key_id != runtime.keyring.active)
        .execution_options(all_organizations=True))  # rotation spans organizations
    count = 0
    for export in live:
        path = runtime.settings.data_dir / "exports" / f"{export.uid}.bin"
        context = f"export:{export.organization_id}:{export.uid}"
        if path.exists():
            data = runtime.cipher.decrypt_bytes(path.read_bytes(), key_id=export.key_id,
                                                context=context)
            blob, export.key_id = runtime.cipher.encrypt_bytes(data, context=context)
            _write(path, blob)
        else:
            export.key_id = runtime.keyring.active
        count += 1
    return count


def _delete(runtime: Runtime, exports: list[ExportFile]) -> int:
    for export in exports:
        (_folder(runtime) / f"{export.uid}.bin").unlink(missing_ok=True)
        export.deleted_at = utcnow()
    return len(exports)


def delete_exports_of(session: CharterSession, runtime: Runtime, email_index: str) -> int:
    """Erasure: the packages of this person's earlier access requests go too."""
    return _delete(runtime, repository.live_exports_for(session, runtime.organization_id,
                                                        email_index))


def delete_exports_of_request(session: CharterSession, runtime: Runtime,
                              request_id: int) -> int:
    """The packages of one request (asked from another address of the same person)."""
    return _delete(runtime, repository.live_exports_of_request(
        session, runtime.organization_id, request_id))
