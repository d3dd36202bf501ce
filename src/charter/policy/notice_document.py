"""The structure of a privacy notice: sections of paragraphs, lists and tables, each text
carrying the language it is in (a policy text missing a translation falls back to the
default language, and says so). Rendered to HTML, Markdown or plain text by
:mod:`charter.policy.notice_render`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    """A piece of text, and its language when it differs from the notice's."""

    text: str
    language: str | None = None
    link: str | None = None


Inline = list[Words]


@dataclass
class Paragraph:
    parts: Inline


@dataclass
class Bullets:
    items: list[Inline]


@dataclass
class Table:
    header: list[str]
    rows: list[list[Inline]]


Block = Paragraph | Bullets | Table


@dataclass
class Section:
    id: str
    heading: str
    blocks: list[Block] = field(default_factory=list)

    def say(self, *parts: Words | str) -> None:
        self.blocks.append(Paragraph([p if isinstance(p, Words) else Words(p) for p in parts]))

    def bullets(self, items: list[Inline]) -> None:
        if items:
            self.blocks.append(Bullets(items))


@dataclass
class NoticeDocument:
    language: str
    title: str
    intro: str
    sections: list[Section]
    version: str
    effective: str
