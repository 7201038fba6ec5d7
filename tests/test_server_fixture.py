"""The local SPARQL server fixture really serves the project's graph."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from actorgraph.store import EmbeddedStore


@pytest.mark.server
def test_seed_server_holds_the_same_number_of_quads(seed_server, store: EmbeddedStore) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    url = seed_server.query_url + "?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        data = json.load(resp)
    assert int(data["results"]["bindings"][0]["n"]["value"]) == len(store)
