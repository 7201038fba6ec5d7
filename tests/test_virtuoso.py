"""The catalogue on Virtuoso 7 open source (``virtuoso-t`` on 127.0.0.1, the
project bulk-loaded from N-Quads): the same answers as the embedded store."""

from __future__ import annotations

from typing import Any

import pytest

from actorgraph.store import EmbeddedStore
from actorgraph.store.remote import RemoteStore

pytestmark = pytest.mark.server


def test_the_dataset_is_the_projects_graphs_without_virtuosos_own(
    store: EmbeddedStore, virtuoso_server: Any
) -> None:
    remote = RemoteStore(virtuoso_server.query_url)
    assert remote.graphs() == sorted(store.graphs())
    for graph in remote.graphs():
        assert remote.count(graph) == store.count(graph), graph
