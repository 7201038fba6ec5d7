"""Spreadsheets reconciled row by row (``actorgraph reconcile``).

**Reading.** A table as a French spreadsheet exports it: separated by commas,
semicolons (Excel in French) or tabs — found by reading the first rows —,
encoded in UTF-8 (with or without a byte order mark), UTF-16 with its mark
("Unicode text"), or Windows-1252 (older Excel "CSV"). The first non-empty row
names the columns. A row that cannot be read — a quote left open or closed
in the middle of a field, more or fewer fields than the header — is set
aside with its line number, and the others are reconciled.

**Writing.** The same columns, then ``actorgraph_id``, ``actorgraph_name``,
``actorgraph_score`` and ``actorgraph_match`` (the best candidate, its score,
whether it was accepted: ``true`` or ``false``), then one column per data
extension property (``actorgraph_<property>``, filled for accepted matches
only; several values joined by `` | ``; entities by their names). UTF-8, the
input's separator.

>>> table = read_table("nom;dep\\r\\nMairie de Sète;34\\r\\n".encode("cp1252"), "x.csv")
>>> table.delimiter, table.encoding, table.header, table.rows
(';', 'cp1252', ['nom', 'dep'], [(2, ['Mairie de Sète', '34'])])
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..progress import Progress, ignore
from .extend import extend
from .matcher import Query, Reconciler
from .vocab import Property

PREFIX = "actorgraph_"
RESULT_COLUMNS = ("id", "name", "score", "match")
_DELIMITERS = (";", ",", "\t", "|")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
#: Queries handed to the matcher at once (progress is told between them).
_CHUNK = 500


@dataclass
class Table:
    """A table read from a file: its header, its rows with their line numbers,
    and the rows that could not be read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str
    encoding: str
    broken: list[tuple[int, str]] = field(default_factory=list)

    def column(self, name: str) -> int:
        """The position of the column ``name`` (a :class:`UsageError` if absent or twice)."""
        found = [i for i, h in enumerate(self.header) if h == name]
        if not found:
            wanted = name.strip().lower()
            found = [i for i, h in enumerate(self.header) if h.strip().lower() == wanted]
        if len(found) != 1:
            what = "no column" if not found else "several columns"
            raise UsageError(
                f"{what} named {name!r}; the columns are "
                + ", ".join(repr(h) for h in self.header),
                field="--column",
            )
        return found[0]


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in (see the module's doc)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined: Latin-1 reads them as controls.
        return data.decode("latin-1"), "latin-1"


def sniff(text: str, name: str = "") -> str:
    """The separator of ``text``: the one that splits the header into the most
    columns that the next rows also have (``.tsv`` files: a tab when it does)."""
    sample = text[:65536]
    lines = [line for line in sample.splitlines() if line.strip()][:30]
    if not lines:
        return ","
    best: tuple[float, str] = (0.0, ",")
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        steady = sum(1 for r in rows[1:] if len(r) == width) / max(1, len(rows) - 1)
        preferred = 0.5 if name.lower().endswith(".tsv") and delimiter == "\t" else 0.0
        score = steady * 10 + min(width, 50) / 100 + preferred
        if score > best[0]:
            best = (score, delimiter)
    return best[1]


def read_table(data: bytes, name: str = "") -> Table:
    """The table in ``data`` (see the module's doc); ``name`` for messages and
    for the ``.tsv`` hint."""
    text, encoding = decode(data)
    if not text.strip():
        raise UsageError("the file is empty", file=name or None)
    delimiter = sniff(text, name)
    # Lines as the csv module counts them (\r\n, \r or \n; not str.splitlines's others).
    lines = _LINE.findall(text)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    broken: list[tuple[int, str]] = []
    offset = 0  # lines before the part being read
    while offset < len(lines):
        reader = csv.reader(
            io.StringIO("".join(lines[offset:]), newline=""), delimiter=delimiter, strict=True
        )
        last = 0
        resume = None
        while True:
            start = offset + last + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                reason = str(exc)
                if "unexpected end of data" in reason:
                    reason = "a quoted field is never closed"
                if offset + reader.line_num > start or "never closed" in reason:
                    # A quote opened on this line ran over the next ones: read
                    # again from the line after it, so they are not lost with it.
                    broken.append((start, f"{reason} (a quote opened on this line)"))
                    resume = start
                    break
                last = reader.line_num
                broken.append((start, reason))
                continue
            last = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [h.strip() for h in row]
                continue
            if len(row) != len(header):
                broken.append((start, f"{len(row)} fields where the header has {len(header)}"))
                continue
            rows.append((start, row))
        if resume is None:
            break
        offset = resume
    if header is None:
        raise UsageError("the file has no header row", file=name or None)
    return Table(header, rows, delimiter, encoding, broken)


# ------------------------------------------------------------------ reconciling


@dataclass
class Outcome:
    """What :func:`reconcile_table` did."""

    header: list[str]
    rows: list[list[str]]
    matched: int = 0
    unmatched: int = 0
    empty: int = 0


def _score(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _cell(values: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for v in values:
        if "name" in v:
            out.append(str(v["name"]))
        elif v:
            out.append(str(next(iter(v.values()))))
    return " | ".join(out)


def reconcile_table(
    table: Table,
    reconciler: Reconciler,
    column: str,
    *,
    types: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
    extend_with: Sequence[Property] = (),
    progress: Progress = ignore,
) -> Outcome:
    """Each row's ``column`` reconciled, with the values of the columns of
    ``properties`` (column → property id) as the query's properties; the
    result and extension columns added (see the module's doc)."""
    at = table.column(column)
    by_column = {table.column(c): pid for c, pid in (properties or {}).items()}
    added = [PREFIX + c for c in RESULT_COLUMNS] + [PREFIX + p.id for p in extend_with]
    clash = sorted(set(added) & set(table.header))
    if clash:
        raise UsageError(
            f"the table already has column(s) {', '.join(clash)}: rename them first",
            field="--column",
        )
    outcome = Outcome(table.header + added, [])
    queries: list[Query | None] = []
    for _, row in table.rows:
        text = row[at].strip()
        props = tuple((pid, (row[i].strip(),)) for i, pid in by_column.items() if row[i].strip())
        queries.append(Query(text, tuple(types), 1, props) if text or props else None)
    best = []
    for start in range(0, len(queries), _CHUNK):
        progress("matching", start, len(queries))
        for query in queries[start : start + _CHUNK]:
            found = reconciler.reconcile(query) if query is not None else []
            best.append(found[0] if found else None)
    progress("matching", len(queries), len(queries))
    matched_ids = sorted({c.id for c in best if c is not None and c.match})
    values: dict[str, Any] = {}
    if extend_with and matched_ids:
        progress("extending", 0, 1)
        values = extend(reconciler, matched_ids, extend_with)["rows"]
    for (_, row), query, cand in zip(table.rows, queries, best, strict=True):
        if query is None:
            outcome.empty += 1
        elif cand is not None and cand.match:
            outcome.matched += 1
        else:
            outcome.unmatched += 1
        cells = (
            [cand.id, cand.name, _score(cand.score), "true" if cand.match else "false"]
            if cand is not None
            else ["", "", "", "false"]
        )
        extra = [
            _cell(values.get(cand.id, {}).get(p.id, [])) if cand is not None and cand.match else ""
            for p in extend_with
        ]
        outcome.rows.append([*row, *cells, *extra])
    return outcome


def write_table(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str) -> str:
    """The table as CSV text (``\\r\\n`` line ends, fields quoted where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


__all__ = [
    "PREFIX",
    "RESULT_COLUMNS",
    "Outcome",
    "Table",
    "decode",
    "read_table",
    "reconcile_table",
    "sniff",
    "write_table",
]
