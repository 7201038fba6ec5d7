"""How long steps tell how far they are: a callback, never printing.

Library code that may run for more than a couple of seconds takes an optional
``progress`` callable and calls it as ``progress(what, done, total)``: the part
being worked on ("loading ontology/actorgraph.ttl"), how many of ``total``
parts are finished. The command line turns the calls into a bar on a terminal
(``cli/common.py``); elsewhere nobody listens.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(what, done, total)``: ``done`` of ``total`` parts finished, ``what`` in hand.
Progress = Callable[[str, int, int], None]


def ignore(what: str, done: int, total: int) -> None:
    """A :data:`Progress` that listens to nothing (the default of every step)."""


__all__ = ["Progress", "ignore"]
