"""Parse an actor sheet (the Markdown-like text of a directory page) into a typed
:class:`Sheet`, keeping the line number of everything it finds.

The format, in document order: a title line; ``Mis à jour le <day> <month>
<year>``; prose paragraphs (one per line), capitalised section headings and
bullet items whose bold lead names a project; a ``CONTACT`` heading followed by
a URL and an e-mail address; a list of resources (``- **title**`` each followed
by an ``[Enregistrer](#)`` line); then page furniture, which is ignored.

>>> sheet = parse_sheet(
...     "Atelier Test\\n\\nMis à jour le 1er mars 2022\\n\\n"
...     "L'association fait de la **recherche-action**.\\n\\n"
...     "- le **Projet A** : un projet.\\n\\nCONTACT\\n\\n<https://example.org/>\\n\\n"
...     "- **Guide pratique du...**\\n[Enregistrer](#)\\n",
...     "atelier.txt",
... )
>>> sheet.title.value, sheet.title.line, sheet.updated.value.isoformat()
('Atelier Test', 1, '2022-03-01')
>>> [p.bold for p in sheet.paragraphs]
[['recherche-action']]
>>> sheet.items[0].lead, sheet.items[0].line
('Projet A', 7)
>>> sheet.contact.urls[0].value
'https://example.org/'
>>> r = sheet.resources[0]
>>> r.title, r.truncated, r.position, r.line
('Guide pratique du...', True, 1, 13)

Anything that is not a sheet raises :class:`~actorgraph.errors.IngestError`
naming the file and line:

>>> parse_sheet("Mis à jour le 31 février 2021\\n", "x.txt")
Traceback (most recent call last):
...
actorgraph.errors.IngestError: x.txt:1: no title line before "Mis à jour le …"
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from ..errors import IngestError
from ..slug import slugify

T = TypeVar("T")

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
}

_UPDATED = re.compile(r"^\s*mis\s+[àa]\s+jour\s+le\b\s*(.*)$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})(?:er)?\s+([^\s\d]+)\s+(\d{4})\s*\.?$", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_ITEM = re.compile(
    r"^\s*[-*]\s+(?:(?P<article>(?:le|la|les|l['’]|the)\s*))?\*\*(?P<lead>.+?)\*\*\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SAVE = re.compile(r"^\s*\[enregistrer\]\([^)]*\)\s*$", re.IGNORECASE)
_URL = re.compile(r"<?(https?://[^\s<>]+)>?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: The heading that opens the contact block.
CONTACT = "CONTACT"


@dataclass(frozen=True)
class Located(Generic[T]):
    """A value and the (1-based) line it was read from."""

    value: T
    line: int


@dataclass(frozen=True)
class Paragraph:
    """A prose line: its text without markup, and its bold phrases."""

    text: str
    line: int
    section: str | None
    bold: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Item:
    """A bullet item whose bold lead names a project or programme."""

    lead: str
    article: str | None
    text: str
    line: int
    section: str | None
    bold: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResourceItem:
    """An entry of the resource list."""

    title: str
    line: int
    position: int

    @property
    def truncated(self) -> bool:
        return self.title.rstrip().endswith(("...", "…"))

    @property
    def bare_title(self) -> str:
        """The title without its trailing ellipsis."""
        return self.title.rstrip().removesuffix("...").removesuffix("…").rstrip()


@dataclass(frozen=True)
class Contact:
    urls: list[Located[str]]
    emails: list[Located[str]]
    line: int


@dataclass
class Sheet:
    """Everything read from one sheet, with line numbers."""

    file: str
    text: str
    title: Located[str]
    updated: Located[dt.date] | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    headings: list[Located[str]] = field(default_factory=list)
    contact: Contact | None = None
    resources: list[ResourceItem] = field(default_factory=list)
    ignored: list[Located[str]] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def file_name(self) -> str:
        return Path(self.file).name


def plain(text: str) -> str:
    """Text without bold marks, links reduced to their text.

    >>> plain("incubé à la [Fing](#), en **design**")
    'incubé à la Fing, en design'
    """
    return _LINK.sub(r"\1", text).replace("**", "")


def bold_phrases(text: str) -> list[str]:
    """The bold phrases of a line, links reduced to their text."""
    return [phrase for m in _BOLD.finditer(text) if (phrase := plain(m.group(1)).strip())]


def is_heading(line: str) -> bool:
    """A capitalised section heading (``QUOI, QUI ET COMMENT ?``, ``CONTACT``).

    >>> is_heading("QUOI, QUI ET COMMENT ?"), is_heading("CONTACT"), is_heading("MEL et DITP")
    (True, True, False)
    """
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and "**" not in line


def parse_date(text: str, file: str, line: int) -> dt.date:
    """A French date (``2 février 2021``, ``1er mars 2022``), checked.

    >>> parse_date("2 février 2021", "f", 3)
    datetime.date(2021, 2, 2)
    >>> parse_date("31 février 2021", "f", 3)
    Traceback (most recent call last):
    ...
    actorgraph.errors.IngestError: f:3: Mis à jour: impossible date "31 février 2021" (day is out of range for month)
    """
    m = _DATE.match(text.strip())
    if not m:
        raise IngestError(
            f'unreadable date "{text.strip()}"; expected e.g. "2 février 2021"',
            file=file,
            line=line,
            field="Mis à jour",
        )
    day, month_name, year = m.groups()
    month = MONTHS.get(month_name.lower())
    if month is None:
        raise IngestError(
            f'unknown month "{month_name}" in "{text.strip()}"',
            file=file,
            line=line,
            field="Mis à jour",
        )
    try:
        return dt.date(int(year), month, int(day))
    except ValueError as exc:
        raise IngestError(
            f'impossible date "{text.strip()}" ({exc})', file=file, line=line, field="Mis à jour"
        ) from None


def decode(data: bytes, file: str) -> str:
    """The text of a sheet's bytes: UTF-8 (BOM allowed), no binary content."""
    if not data.strip():
        raise IngestError("the sheet is empty", file=file, line=1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(
            "binary content (NUL byte), not a text sheet",
            file=file,
            line=data[:nul].count(b"\n") + 1,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=file,
            line=data[: exc.start].count(b"\n") + 1,
        ) from None
    return text


def read_sheet(path: Path) -> Sheet:
    """Read and parse the sheet at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the sheet: {exc.strerror or exc}", file=path) from None
    return parse_sheet(decode(data, str(path)), str(path))


def parse_sheet(text: str, file: str) -> Sheet:
    """Parse the text of a sheet; ``file`` names it in errors and provenance."""
    if not text.strip():
        raise IngestError("the sheet is empty", file=file, line=1)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        bad = _CONTROL.search(raw)
        if bad:
            raise IngestError(
                f"control character U+{ord(bad.group()):04X}: binary content, not a text sheet",
                file=file,
                line=number,
                column=bad.start() + 1,
            )
    numbered = [(n, raw.strip()) for n, raw in enumerate(lines, 1)]
    content = [(n, s) for n, s in numbered if s]
    if not content:
        raise IngestError("the sheet is empty", file=file, line=1)

    first_line, first = content[0]
    if (
        _UPDATED.match(first)
        or is_heading(first)
        or _ITEM.match(first)
        or first.startswith(("-", "*", "[", "<"))
    ):
        what = '"Mis à jour le …"' if _UPDATED.match(first) else f'"{first[:40]}"'
        raise IngestError(f"no title line before {what}", file=file, line=first_line)
    title = plain(first).strip().strip("#").strip()
    try:
        slugify(title)
    except ValueError:
        raise IngestError(
            f'no title: "{title[:40]}" has no Latin letter or digit to name the actor by',
            file=file,
            line=first_line,
            field="title",
        ) from None
    sheet = Sheet(file=file, text=text, title=Located(title, first_line))

    section: str | None = None
    in_contact = False
    i = 1
    while i < len(content):
        number, line = content[i]
        i += 1
        updated = _UPDATED.match(line)
        if updated:
            if sheet.updated is not None:
                raise IngestError(
                    'a second "Mis à jour le …" line', file=file, line=number, field="Mis à jour"
                )
            sheet.updated = Located(parse_date(updated.group(1), file, number), number)
            continue
        if is_heading(line):
            section = line
            sheet.headings.append(Located(line, number))
            in_contact = line.strip(" :").upper() == CONTACT
            if in_contact:
                sheet.contact = Contact([], [], number)
            continue
        item = _ITEM.match(line)
        if item:
            following = content[i][1] if i < len(content) else ""
            if _SAVE.match(following) or (not item.group("rest").strip() and in_contact):
                # An entry of the resource list.
                sheet.resources.append(
                    ResourceItem(
                        plain(item.group("lead")).strip(), number, len(sheet.resources) + 1
                    )
                )
                if _SAVE.match(following):
                    i += 1
                in_contact = False
                continue
            rest = item.group("rest").strip()
            rest = rest[1:].strip() if rest.startswith((":", "–", "-")) else rest
            sheet.items.append(
                Item(
                    lead=plain(item.group("lead")).strip(),
                    article=(item.group("article") or "").strip() or None,
                    text=plain(rest).strip(),
                    line=number,
                    section=section,
                    bold=bold_phrases(rest),
                )
            )
            continue
        if in_contact and sheet.contact is not None:
            urls = _URL.findall(line)
            emails = _EMAIL.findall(line) if not urls else []
            if urls or emails:
                sheet.contact.urls.extend(Located(u.rstrip(".,;"), number) for u in urls)
                sheet.contact.emails.extend(Located(e, number) for e in emails)
                continue
        if sheet.resources or _SAVE.match(line) or _LINK.fullmatch(line):
            # Page furniture after the resource list, or a stray button.
            sheet.ignored.append(Located(line, number))
            continue
        sheet.paragraphs.append(Paragraph(plain(line).strip(), number, section, bold_phrases(line)))
    return sheet


__all__ = [
    "Contact",
    "Item",
    "Located",
    "Paragraph",
    "ResourceItem",
    "Sheet",
    "decode",
    "parse_date",
    "parse_sheet",
    "plain",
    "read_sheet",
]
