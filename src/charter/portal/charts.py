"""Small bar charts drawn on the server as SVG: no script, nothing the page's CSP forbids
(colours are classes in charter.css, not inline styles), and each chart carries its figures
as a table for screen readers and for copying."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, BASELINE, LEFT = 560, 200, 170, 36


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    css_class: str  # chart-a, chart-b, chart-alert


def bar_chart(title: str, labels: list[str], series: list[Series]) -> Markup:
    """Grouped bars, one group per label; the y axis is scaled to the largest value."""
    if not labels or any(len(s.values) != len(labels) for s in series):
        raise ValueError("each series needs one value per label")
    top = max([1, *[v for s in series for v in s.values]])
    group = (WIDTH - LEFT) / len(labels)
    bar = max(2.0, group * 0.8 / len(series))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line class="axis" x1="{LEFT}" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}"/>',
             f'<text class="tick" x="{LEFT - 6}" y="{BASELINE - 140 + 4}" '
             f'text-anchor="end">{top}</text>',
             f'<text class="tick" x="{LEFT - 6}" y="{BASELINE + 4}" text-anchor="end">0</text>']
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + group * 0.1
        for j, s in enumerate(series):
            height = 140 * s.values[i] / top
            parts.append(f'<rect class="{s.css_class}" x="{x0 + j * bar:.1f}" '
                         f'y="{BASELINE - height:.1f}" width="{bar - 1:.1f}" '
                         f'height="{height:.1f}"><title>{escape(label)} · {escape(s.name)}: '
                         f'{s.values[i]}</title></rect>')
        parts.append(f'<text class="tick" x="{x0 + group * 0.4:.1f}" y="{BASELINE + 16}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    legend_x = LEFT
    for s in series:
        parts.append(f'<rect class="{s.css_class}" x="{legend_x}" y="4" width="10" '
                     f'height="10"/><text class="tick" x="{legend_x + 14}" y="13">'
                     f'{escape(s.name)}</text>')
        legend_x += 24 + 7 * len(s.name)
    parts.append("</svg>")
    return Markup("".join(parts) + _table(title, labels, series))


def _table(title: str, labels: list[str], series: list[Series]) -> str:
    head = "".join(f"<th scope=\"col\">{escape(s.name)}</th>" for s in series)
    rows = "".join(
        f"<tr><th scope=\"row\">{escape(label)}</th>"
        + "".join(f"<td>{s.values[i]}</td>" for s in series) + "</tr>"
        for i, label in enumerate(labels))
    return (f'<details class="chart-data"><summary>Figures</summary><table>'
            f'<caption>{escape(title)}</caption><thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table></details>')
