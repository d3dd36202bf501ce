"""A notice document as HTML (a fragment for the page), Markdown or plain text. Text in
another language than the notice's carries its own `lang` and a visible [XX] mark."""

from __future__ import annotations

import textwrap
from html import escape

from .notice_document import Bullets, Inline, NoticeDocument, Paragraph, Table


def _html_inline(parts: Inline) -> str:
    out = []
    for part in parts:
        text = escape(part.text)
        if part.link:
            text = f'<a href="{escape(part.link)}">{text}</a>'
        if part.language:
            text = (f'<span lang="{part.language}" class="fallback">{text} '
                    f'<small>[{part.language.upper()}]</small></span>')
        out.append(text)
    return "".join(out)


def _plain_inline(parts: Inline, *, markdown: bool) -> str:
    out = []
    for part in parts:
        text = part.text
        if markdown and part.link and part.link.strip() != text.strip():
            text = f"[{text.strip()}]({part.link})"
        if part.language:
            text = f"{text} [{part.language.upper()}]"
        out.append(text)
    return "".join(out)


def to_html(notice: NoticeDocument) -> str:
    lines = [f'<article class="notice" lang="{notice.language}">',
             f"<h1>{escape(notice.title)}</h1>", f"<p>{escape(notice.intro)}</p>"]
    for section in notice.sections:
        lines.append(f'<section id="{section.id}"><h2>{escape(section.heading)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append(f"<p>{_html_inline(block.parts)}</p>")
            elif isinstance(block, Bullets):
                items = "".join(f"<li>{_html_inline(i)}</li>" for i in block.items)
                lines.append(f"<ul>{items}</ul>")
            elif isinstance(block, Table):
                head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.header)
                body = "".join("<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in row)
                               + "</tr>" for row in block.rows)
                lines.append(f'<div class="table"><table><thead><tr>{head}</tr></thead>'
                             f"<tbody>{body}</tbody></table></div>")
        lines.append("</section>")
    lines.append(f'<p class="version">{escape(notice.version)}'
                 + (f" · {escape(notice.effective)}" if notice.effective else "") + "</p>")
    lines.append("</article>")
    return "\n".join(lines)


def to_markdown(notice: NoticeDocument) -> str:
    lines = [f"# {notice.title}", "", notice.intro, ""]
    for section in notice.sections:
        lines += [f"## {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [_plain_inline(block.parts, markdown=True), ""]
            elif isinstance(block, Bullets):
                lines += [f"- {_plain_inline(i, markdown=True)}" for i in block.items] + [""]
            elif isinstance(block, Table):
                lines.append("| " + " | ".join(block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                for row in block.rows:
                    cells = [_plain_inline(c, markdown=True).replace("|", "\\|") for c in row]
                    lines.append("| " + " | ".join(cells) + " |")
                lines.append("")
    lines.append(f"_{notice.version}" + (f" · {notice.effective}" if notice.effective else "")
                 + "_")
    return "\n".join(lines) + "\n"


def to_text(notice: NoticeDocument, width: int = 78) -> str:
    # never break at a hyphen or inside a word: addresses and links must stay whole
    wrap = textwrap.TextWrapper(width=width, break_on_hyphens=False, break_long_words=False)
    item = textwrap.TextWrapper(width=width, break_on_hyphens=False, break_long_words=False,
                                initial_indent="  * ", subsequent_indent="    ")
    lines = [notice.title.upper(), "", *wrap.wrap(notice.intro), ""]
    for section in notice.sections:
        lines += [section.heading, "-" * len(section.heading)]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [*wrap.wrap(_plain_inline(block.parts, markdown=False)), ""]
            elif isinstance(block, Bullets):
                for entry in block.items:
                    lines += item.wrap(_plain_inline(entry, markdown=False))
                lines.append("")
            elif isinstance(block, Table):
                for row in block.rows:
                    # a cell's closing full stop would stand before the "; " that follows
                    cells = [_plain_inline(c, markdown=False).strip().removesuffix(".")
                             for c in row]
                    text = "; ".join(f"{h}: {c}" for h, c in zip(block.header, cells,
                                                                   strict=True) if c.strip())
                    lines += item.wrap(text)
                lines.append("")
    lines.append(notice.version + (f" · {notice.effective}" if notice.effective else ""))
    return "\n".join(lines) + "\n"


RENDERERS = {"html": to_html, "md": to_markdown, "txt": to_text}
