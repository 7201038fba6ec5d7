"""actorgraph: a linked-data knowledge graph of the actors of public
transformation and ecological transition in France.

``__version__`` and ``USER_AGENT`` are read on first use: asking the
installed metadata costs more than the rest of ``actorgraph --help``.
"""

from __future__ import annotations

from functools import cache


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("actorgraph")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    if name == "USER_AGENT":
        return (
            f"actorgraph/{_version()} (+https://w3id.org/actorgraph; "
            "linked-data directory of French public actors)"
        )
    raise AttributeError(f"module 'actorgraph' has no attribute {name!r}")
