"""One exception base for the whole package.

Library code raises these; only the command line (and a server) turns them
into exit codes or HTTP statuses.

>>> err = LoadError("unexpected end of file", file="data/graph/x.ttl", line=3)
>>> str(err)
'data/graph/x.ttl:3: unexpected end of file'
>>> err.exit_code
2
>>> NotFoundError("no query named 'x'").http_status, ServiceError("down").exit_code
(404, 3)
"""

from __future__ import annotations

from pathlib import Path

#: Exit codes of the command line (docs/architecture.md, "Edges"; a contract).
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_SERVICE = 3


class ActorGraphError(Exception):
    """An expected failure, described for the person who caused it.

    ``file``, ``line`` and ``field`` locate the problem; ``hint`` says what to
    do about it. ``exit_code`` is what the command line exits with,
    ``http_status`` what a server answers.
    """

    exit_code = EXIT_BAD_INPUT
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint

    def location(self) -> str:
        parts = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class LoadError(ActorGraphError):
    """A file could not be read or parsed."""

    http_status = 500  # the project's own files: not the client's fault


class UsageError(ActorGraphError):
    """A command or request is wrongly put: an unknown option value, a
    missing argument, a malformed parameter."""


class NotFoundError(ActorGraphError):
    """What was asked for does not exist: a query name, an entity, a file."""

    http_status = 404


class QueryError(UsageError):
    """A query is malformed, or given wrong parameters."""


class UnknownQuery(QueryError, NotFoundError):
    """No query of that name in the catalogue."""


class IngestError(ActorGraphError):
    """A source sheet could not be turned into graph data."""


class ValidationFailed(ActorGraphError):
    """The data does not conform to the shapes."""

    exit_code = EXIT_VIOLATIONS
    http_status = 422


class ServiceError(ActorGraphError):
    """An external service (SPARQL endpoint, Wikidata) failed or was unreachable."""

    exit_code = EXIT_SERVICE
    http_status = 502


class QueryTimeout(ActorGraphError):
    """A query ran longer than it may and was stopped."""

    exit_code = EXIT_SERVICE
    http_status = 503


class LinkError(ServiceError):
    """Linking to an external graph failed."""
