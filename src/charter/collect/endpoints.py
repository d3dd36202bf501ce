"""API: submissions to a declared collection point, for sites that post from their server."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..db import CharterSession
from ..models import ApiKey, utcnow
from ..web.deps import TRANSACTION, api_key, runtime_of
from .fields import check_submission
from .schemas import SubmissionIn, SubmissionOut
from .service import Signals, collection_point, submit

router = APIRouter(prefix="/api/v1", tags=["collection"])


@router.post("/forms/{point_id}/submissions", status_code=201)
def submit_json(
    point_id: str,
    payload: SubmissionIn,
    request: Request,
    key: ApiKey = Depends(api_key("forms:submit")),
    session: CharterSession = TRANSACTION,
) -> SubmissionOut:
    """Only the point's declared fields; 422 names every bad field and nothing is stored."""
    runtime = runtime_of(request)
    point = collection_point(runtime.policy, point_id, ("form", "api"))
    values = dict(payload.fields)
    for extra in ("birth_date", "age", "parent_email", "confirmer"):
        if getattr(payload, extra) is not None:
            values[extra] = getattr(payload, extra)
    checked = check_submission(runtime.policy, point, values, payload.consents,
                               today=utcnow().date())
    outcome = submit(session, runtime, point, checked, channel="api",
                     language=payload.language or runtime.policy.languages.default,
                     signals=Signals(gpc=payload.signals.gpc, dnt=payload.signals.dnt),
                     evidence={**payload.evidence.model_dump(exclude_none=True),
                               "via": f"apikey:{key.id}"},
                     actor=f"apikey:{key.id}")
    return SubmissionOut(status=outcome.status,
                         granted=outcome.granted, pending=outcome.pending,
                         refused=outcome.refused)
