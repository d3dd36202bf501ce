"""The retention page of the Portal: the plan (what the next sweep removes, what the law
holds and why, Charter's own by-products) and the statistics left by anonymisation, as a
chart with the k-anonymity floor applied. Counts only: no personal data, no audit event."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..portal.charts import Series, bar_chart
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from .plan import plan
from .stats import statistics

router = APIRouter(include_in_schema=False)


@router.get("/retention", response_class=HTMLResponse)
def retention_page(request: Request, staff: Staff = Depends(require("export_records")),
                   session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    found = plan(session, runtime)
    cells = statistics(session, runtime, ["month"])
    shown = [c for c in cells if c.count is not None][-12:]
    chart = bar_chart("Anonymised records by month collected",
                      [c.key[0] for c in shown],
                      [Series("records", [c.count or 0 for c in shown], "chart-a")]
                      ) if shown else None
    return render_staff(request, staff, "retention/plan.html", {
        "plan": found, "chart": chart, "suppressed": len(cells) - len([
            c for c in cells if c.count is not None]),
        "k": runtime.policy.statistics.minimum_cell})
