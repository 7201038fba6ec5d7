"""Generate ``_ag.py``: the ``ag:`` namespace as an rdflib ``DefinedNamespace``
listing exactly the terms the ontology declares, so a mistyped term fails
loudly (``AG.Organisaton`` raises) instead of minting a new IRI.

Run ``python -m actorgraph.gen_namespace`` after changing the ontology; a test
checks that the committed file matches the ontology.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

AG_IRI = "https://w3id.org/actorgraph/ontology#"
TARGET = Path(__file__).with_name("_ag.py")

_TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?t ?kind ?label WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  ?t a ?kind .
  OPTIONAL { ?t rdfs:label ?label FILTER (lang(?label) = "en") }
  FILTER (STRSTARTS(STR(?t), "https://w3id.org/actorgraph/ontology#"))
}
"""


def render(ontology: Path) -> str:
    """The source of ``_ag.py`` for the ontology file ``ontology``."""
    store = ox.Store()
    store.load(path=str(ontology), format=ox.RdfFormat.TURTLE)
    terms: dict[str, tuple[str, str]] = {}
    for row in store.query(_TERMS):  # type: ignore[union-attr]
        local = row["t"].value[len(AG_IRI) :]
        kind = row["kind"].value.rsplit("#", 1)[-1]
        label = row["label"].value if row["label"] is not None else ""
        terms.setdefault(local, (kind, label))
    classes = sorted(t for t, (k, _) in terms.items() if k == "Class")
    props = sorted(t for t, (k, _) in terms.items() if k != "Class")
    lines = [
        '"""The ag: ontology terms. Generated from ontology/actorgraph.ttl by',
        '``python -m actorgraph.gen_namespace``: do not edit by hand."""',
        "",
        "from rdflib import URIRef",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "",
        "",
        "class AG(DefinedNamespace):",
        '    """actorgraph ontology (https://w3id.org/actorgraph/ontology#)."""',
        "",
        "    _NS = Namespace(" + repr(AG_IRI).replace("'", '"') + ")",
        "    _fail = True",
        "",
        "    # Classes",
    ]
    lines += [f"    {t}: URIRef  # {terms[t][1]}".rstrip(" #") for t in classes]
    lines += ["", "    # Properties"]
    lines += [f"    {t}: URIRef  # {terms[t][1]}".rstrip(" #") for t in props]
    return "\n".join(lines) + "\n"


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    TARGET.write_text(render(root / "ontology" / "actorgraph.ttl"), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
