"""JSON-LD outputs: compacted with a context (the project's is
``ontology/context.jsonld``), framed per kind of entity, and schema.org blocks
for web pages.

Node order and blank-node labels are those of every writer
(:mod:`actorgraph.rdf.lines`). The compacted document is written straight from
the ordered N-Triples lines (:class:`_LineCompactor`, following pyld's
answers); for framing, pyoxigraph writes the expanded form from the same lines
and pyld frames it.

>>> import json
>>> from actorgraph.project import Project
>>> store = EmbeddedStore()
>>> _ = store.load_bytes(b'''
... <https://w3id.org/actorgraph/id/organisation/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/actorgraph/ontology#Association> .
... <https://w3id.org/actorgraph/id/organisation/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "X"@fr .
... <https://w3id.org/actorgraph/id/organisation/x> <https://w3id.org/actorgraph/ontology#generalInterest> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
... ''', "nt", graph="https://w3id.org/actorgraph/graph/g")
>>> doc = json.loads(compacted(store, {"ag": "https://w3id.org/actorgraph/ontology#",
...     "prefLabel": {"@id": "http://www.w3.org/2004/02/skos/core#prefLabel", "@container": "@language"}}))
>>> doc["prefLabel"], doc["ag:generalInterest"], doc["@type"]
({'fr': 'X'}, True, 'ag:Association')
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from ..errors import ActorGraphError, LoadError
from ..namespaces import AG, PREFIXES
from ..project import Project, group_of
from ..store import EmbeddedStore
from .lines import (
    _MARKED_HTTP,
    _RDF_TYPE,
    _TYPE_MARKED,
    _XSD,
    Lines,
    _document,
    ordered_graph_lines,
)
from .turtle import _Memo
from .writers import LineWriter

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")

#: ``--frame`` choices → the classes whose instances head the framed document.
FRAMES = ("organisation", "project", "resource")
PROFILES = ("schema.org",)


def load_context(project: Project) -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    path = project.context_file
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError("JSON-LD context not found", file=path) from None
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(ctx, dict):
        raise LoadError("no @context object", file=path, field="@context")
    return ctx


def _native(value: dict[str, Any]) -> dict[str, Any]:
    """Booleans and small integers as JSON values (they expand back to the same literals)."""
    dt = value.get("@type")
    if dt == _XSD + "boolean" and value["@value"] in ("true", "false"):
        return {"@value": value["@value"] == "true"}
    if dt == _XSD + "integer" and _INTEGER.fullmatch(value["@value"]):
        return {"@value": int(value["@value"])}
    return value


def default_context() -> dict[str, Any]:
    """The context of outputs given none: the project's prefixes (``ag:``, ``skos:``…).

    >>> default_context()["skos"]
    'http://www.w3.org/2004/02/skos/core#'
    """
    return {"@version": 1.1, **PREFIXES}


def expanded(store: EmbeddedStore, graphs: list[str] | None = None) -> list[dict[str, Any]]:
    """The union of ``graphs`` as expanded JSON-LD, one node per subject in export order."""
    chosen = store.graphs() if graphs is None else graphs
    return _expanded_lines(ordered_graph_lines(store, chosen, per_graph=False)[None])


def _expanded_lines(lines: list[bytes]) -> list[dict[str, Any]]:
    """Ordered lines (repeats dropped) as expanded JSON-LD, one node per subject."""
    ntriples = _document(lines)
    if not ntriples:
        return []
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    nodes: list[dict[str, Any]] = json.loads(
        ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]"
    )
    for node in nodes:
        types = node.pop(_RDF_TYPE, None)
        if types is not None:
            if all("@id" in t for t in types):
                node["@type"] = [t["@id"] for t in types]
            else:
                node[_RDF_TYPE] = types
        for key, values in node.items():
            if key[0] != "@":
                node[key] = [_native(v) if "@value" in v else v for v in values]
    return nodes


def _dump(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _jsonld_error(exc: Exception) -> ActorGraphError:
    return ActorGraphError(f"JSON-LD processing failed: {exc}", file="ontology/context.jsonld")


def compacted(
    store: EmbeddedStore,
    context: Mapping[str, Any],
    graphs: list[str] | None = None,
    *,
    engine: str = "fast",
) -> bytes:
    """The graph compacted with ``context`` (embedded in the output, so it reads offline),
    one node per line.

    ``engine="pyld"`` hands the whole expanded graph to pyld; the default
    ``"fast"`` asks pyld how to compact each kind of value once (see
    :class:`Compactor`) and writes the JSON of every node from the export's
    N-Triples lines, each distinct (predicate, object) compacted once: the
    same document in a fraction of the time on large graphs (tested against pyld).
    """
    chosen = store.graphs() if graphs is None else graphs
    lines = ordered_graph_lines(store, chosen, per_graph=False)[None]
    return compact_lines(lines, context, engine=engine)


def compact_lines(lines: list[bytes], context: Mapping[str, Any], *, engine: str = "fast") -> bytes:
    """Ordered lines (repeats dropped) compacted with ``context``: see :func:`compacted`."""
    try:
        if engine != "pyld":
            texts = _LineCompactor(Compactor(context)).nodes(lines)
            if len(texts) >= 2:
                return _dump_graph(context, texts)
        return _dump(jsonld.compact(_expanded_lines(lines), {"@context": dict(context)}))
    except jsonld.JsonLdError as exc:
        raise _jsonld_error(exc) from None


def _dump_graph(context: Mapping[str, Any], nodes: list[str]) -> bytes:
    """A ``@graph`` document with one node (JSON text) per line: diffs well."""
    head = json.dumps({"@context": dict(context)}, indent=2, ensure_ascii=False)[:-2]
    lines = ",\n".join(nodes)
    return f'{head},\n  "@graph": [\n{lines}\n]}}\n'.encode()


_PROBE_NODE = "_:probe"
_PROBE_IRI = "urn:x-actorgraph:probe"
_PROBE_VALUE = "\u0000probe"


class Compactor:
    """How values compact under a context, one pyld call per kind of value.

    How a value compacts (which key, and which form: plain value, value object,
    language map, IRI string) depends only on its property and its shape
    (IRI, language, datatype, JSON type), never on the value itself, for a
    context of simple terms. So pyld compacts one probe node per
    (property, shape) and the answer is reused. IRIs are compacted to CURIEs
    by the context's prefixes, none of which is a prefix of another (checked).
    """

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = {"@context": dict(context)}
        self.prefixes = {
            v: k
            for k, v in context.items()
            if isinstance(v, str) and not k.startswith("@") and v[-1:] in "/#:"
        }
        names = sorted(self.prefixes)
        for a, b in itertools.pairwise(names):
            if b.startswith(a):
                raise ActorGraphError(
                    f"namespace {b} starts with namespace {a}: CURIEs would be ambiguous",
                    file="ontology/context.jsonld",
                )
        self.id_key = self._alias("@id")
        self.type_key = self._alias("@type")
        self.rules: dict[tuple[str, Any], tuple[str, str, Any]] = {}
        self.types: dict[str, str] = {}

    def _alias(self, keyword: str) -> str:
        found = [k for k, v in self.context["@context"].items() if v == keyword]
        return min(found) if found else keyword

    def iri(self, iri: str) -> str:
        """An IRI as a CURIE where a prefix matches (the JSON-LD rules with vocab off)."""
        if iri.startswith("_:"):
            return iri
        cut = len(iri)
        while True:
            cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut), iri.rfind(":", 0, cut))
            if cut < 0:
                return iri
            prefix = self.prefixes.get(iri[: cut + 1])
            if prefix is not None and cut + 1 < len(iri):
                return f"{prefix}:{iri[cut + 1 :]}"

    def _type(self, iri: str) -> str:
        found = self.types.get(iri)
        if found is None:
            out = jsonld.compact({"@id": _PROBE_NODE, "@type": [iri]}, self.context)
            found = self.types[iri] = out[self.type_key]
        return found

    def _rule(self, prop: str, value: dict[str, Any]) -> tuple[str, str, Any]:
        if "@id" in value:
            shape: Any = "@id"
            probe: dict[str, Any] = {"@id": _PROBE_IRI}
        elif "@language" in value:
            shape = ("@language", value["@language"])
            probe = {"@value": _PROBE_VALUE, "@language": value["@language"]}
        elif "@type" in value:
            shape = ("@type", value["@type"])
            probe = {"@value": _PROBE_VALUE, "@type": value["@type"]}
        else:
            shape = ("@value", type(value["@value"]).__name__)
            raw = value["@value"]
            probe = {"@value": _PROBE_VALUE if isinstance(raw, str) else raw}
        key = (prop, shape)
        rule = self.rules.get(key)
        if rule is None:
            out = jsonld.compact({"@id": _PROBE_NODE, prop: [probe]}, self.context)
            ((name, form),) = ((k, v) for k, v in out.items() if k not in ("@context", self.id_key))
            if isinstance(form, dict) and len(form) == 1:
                # A language map: {"fr": value}, or {"@none": value} for a plain string.
                ((map_key, inner),) = form.items()
                if inner == _PROBE_VALUE and map_key != "@value":
                    rule = (name, "map", map_key)
            if rule is None:
                if form == _PROBE_VALUE or form == probe.get("@value", object()):
                    rule = (name, "value", None)
                elif form == _PROBE_IRI:
                    rule = (name, "iri", None)
                else:
                    rule = (name, "object", form)
            self.rules[key] = rule
        return rule

    def _value(self, rule: tuple[str, str, Any], value: dict[str, Any]) -> Any:
        kind, template = rule[1], rule[2]
        if kind == "value":
            return value["@value"]
        if kind == "iri":
            return self.iri(value["@id"])
        if kind == "map":
            return value["@value"]
        out = {}
        for k, v in template.items():
            if v == _PROBE_VALUE:
                out[k] = value["@value"]
            elif v == _PROBE_IRI:
                out[k] = self.iri(value["@id"])
            else:
                out[k] = v
        return out


def _expanded_value(term: bytes) -> dict[str, Any]:
    """An N-Triples object term as the expanded JSON-LD value pyoxigraph writes for it
    (booleans and small integers made native, as :func:`expanded` does).

    >>> _expanded_value(b'"a\\\\"b"@fr'), _expanded_value(b'_:b0')
    ({'@value': 'a"b', '@language': 'fr'}, {'@id': '_:b0'})
    >>> _expanded_value(b'"7"^^<http://www.w3.org/2001/XMLSchema#integer>')
    {'@value': 7}
    """
    if term[:1] == b"<":
        return {"@id": term[1:-1].decode()}
    if term[:1] != b'"':
        return {"@id": term.decode()}
    close = term.rfind(b'"')
    try:
        lexical = json.loads(term[: close + 1])
    except ValueError:  # an escape JSON lacks (\' or \U): let pyoxigraph read it
        (triple,) = ox.parse(b"<x:s> <x:p> " + term + b" .", format=ox.RdfFormat.N_TRIPLES)
        lexical = triple.object.value
    tail = term[close + 1 :]
    if not tail:
        return {"@value": lexical}
    if tail[:1] == b"@":
        return {"@value": lexical, "@language": tail[1:].decode()}
    return _native({"@value": lexical, "@type": tail[3:-1].decode()})


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_TYPE_PREDICATE = b"<" + _RDF_TYPE.encode() + b">"
_MARKED_TYPE = _TYPE_MARKED[1:-1]


def _json_list(frags: list[str]) -> str:
    return frags[0] if len(frags) == 1 else "[" + ", ".join(frags) + "]"


class _LineCompactor:
    """Compacts ordered N-Triples lines straight to JSON text, one node per subject.

    Each distinct (predicate, object) is compacted once, by the rules of
    :class:`Compactor`, into its key and JSON fragment; the loop over the lines
    only looks them up and groups them. Each node's text is the node pyld's
    compaction of the whole graph gives, written on one line.
    """

    def __init__(self, compactor: Compactor) -> None:
        self.compactor = compactor
        self.id_key = _ENCODE(compactor.id_key) + ": "
        self.type_key = _ENCODE(compactor.type_key) + ": "
        self.tables: dict[bytes, dict[bytes, tuple[str, str | None, str]]] = {}
        self.types: dict[bytes, str | None] = {}

    def _entry(self, predicate: bytes, term: bytes) -> tuple[str, str | None, str]:
        """(JSON key with ``": "``, language-map key or None, JSON fragment)."""
        c = self.compactor
        value = _expanded_value(term)
        rule = c._rule(predicate[1:-1].decode(), value)
        name = _ENCODE(rule[0]) + ": "
        if rule[1] == "map":
            return name, _ENCODE(rule[2]) + ": ", _ENCODE(value["@value"])
        return name, None, _ENCODE(c._value(rule, value))

    def _type(self, term: bytes) -> str | None:
        """A type's JSON fragment, None when it is a literal (rdf:type stays a property)."""
        if term[:1] == b'"':
            return None
        return _ENCODE(
            self.compactor._type(term[1:-1].decode() if term[:1] == b"<" else term.decode())
        )

    def _node(self, subject: bytes, types: list[bytes], groups: list[tuple[bytes, list]]) -> str:
        c = self.compactor
        iri = subject[1:-1].decode() if subject[:1] == b"<" else subject.decode()
        parts = [self.id_key + _ENCODE(c.iri(iri))]
        if types:
            frags = []
            for t in types:
                frag = self.types.get(t)
                if frag is None and t not in self.types:
                    frag = self.types[t] = self._type(t)
                frags.append(frag)
            if None in frags:  # a literal type: rdf:type is an ordinary property
                table = self._table(_TYPE_PREDICATE)
                groups.append((_TYPE_PREDICATE[1:-1], [table[t] for t in types]))
            else:
                parts.append(self.type_key + _json_list(frags))  # type: ignore[arg-type]
        if len(groups) > 1:
            groups.sort()
        names: dict[str, Any] = {}
        for _, entries in groups:
            for name, map_key, frag in entries:
                if map_key is None:
                    found = names.get(name)
                    if found is None:
                        names[name] = [frag]
                    else:
                        found.append(frag)
                else:
                    names.setdefault(name, {}).setdefault(map_key, []).append(frag)
        for name, values in names.items():
            if type(values) is list:
                parts.append(name + _json_list(values))
            else:
                inner = ", ".join(k + _json_list(v) for k, v in values.items())
                parts.append(name + "{" + inner + "}")
        return "{" + ", ".join(parts) + "}"

    def _table(self, predicate: bytes) -> dict[bytes, tuple[str, str | None, str]]:
        table = self.tables.get(predicate)
        if table is None:
            table = self.tables[predicate] = _Memo(lambda t: self._entry(predicate, t))
        return table

    def nodes(self, lines: list[bytes]) -> list[str]:
        """The JSON text of each subject's node, in the order of the lines."""
        out: list[str] = []
        subject = predicate = b""
        types: list[bytes] = []
        groups: list[tuple[bytes, list[tuple[str, str | None, str]]]] = []
        # The types' terms, or a predicate's (key, map key, JSON) entries:
        entries: list[Any] = []
        table: dict[bytes, Any] = {}
        tables = self.tables
        for line in lines:
            s, p, rest = line.split(b" ", 2)
            if s != subject:
                if subject:
                    out.append(self._node(subject, types, groups))
                subject, predicate, types, groups = s, b"", [], []
            if p != predicate:
                predicate = p
                if p == _MARKED_TYPE:
                    entries = types
                    table = _IDENTITY
                else:
                    entries = []
                    groups.append((p[1:-1], entries))
                    table = tables.get(p) or self._table(p)
            term = rest[:-2]
            if b"\x00" in term:
                term = term.replace(_MARKED_HTTP, b"<http:")
            entries.append(table[term])
        if subject:
            out.append(self._node(subject, types, groups))
        return out


class _Identity(dict[bytes, bytes]):
    def __missing__(self, key: bytes) -> bytes:
        return key


_IDENTITY = _Identity()


def _classes_below(store: EmbeddedStore, root: str) -> list[str]:
    # ``root`` is one of the package's own class IRIs, never user input.
    rows = store.select(
        f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{root}> }}"
    )
    return sorted({root, *(r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode))})


def frame_document(store: EmbeddedStore, context: dict[str, Any], kind: str) -> dict[str, Any]:
    """The JSON-LD frame of ``--frame kind``: entities of that kind with what points at them."""
    if kind not in FRAMES:
        raise ActorGraphError(
            f"unknown frame {kind!r}; expected one of {', '.join(FRAMES)}", field="--frame"
        )
    root = {"organisation": "Organisation", "project": "Project", "resource": "Resource"}[kind]
    frame: dict[str, Any] = {"@context": context, "@type": _classes_below(store, str(AG[root]))}
    never = {"@embed": "@never"}
    if kind == "organisation":
        frame["@reverse"] = {
            str(AG.partner): {
                "@embed": "@always",
                str(AG.partnerOf): never,
                str(AG.inProject): never,
            },
            str(AG.partnerOf): {"@embed": "@always", str(AG.partner): never},
            str(AG.leader): {"@embed": "@always"},
            str(AG.relatedActor): {"@embed": "@always", str(AG.relatedActor): never},
        }
    elif kind == "project":
        frame["@reverse"] = {str(AG.inProject): {"@embed": "@always", str(AG.partner): never}}
    return frame


def framed(
    store: EmbeddedStore, context: dict[str, Any], kind: str, graphs: list[str] | None = None
) -> bytes:
    """``--frame organisation|project|resource``: one tree per entity of that kind."""
    frame = frame_document(store, context, kind)
    try:
        doc = jsonld.frame(expanded(store, graphs), frame, {"embed": "@never", "omitGraph": False})
    except jsonld.JsonLdError as exc:
        raise _jsonld_error(exc) from None
    return _dump(doc)


# ---- schema.org profile -------------------------------------------------------

_SCHEMA_ORG_QUERY = """
PREFIX ag: <https://w3id.org/actorgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/>
SELECT ?org ?key ?value WHERE {
  ?org a/rdfs:subClassOf* ag:Organisation .
  {
    ?org a ?cls .
    BIND(IF(EXISTS { ?cls rdfs:subClassOf* ag:PublicOrganisation }, "GovernmentOrganization",
         IF(EXISTS { ?cls rdfs:subClassOf* ag:Association }, "NGO", "Organization")) AS ?value)
    BIND("@type" AS ?key)
  } UNION {
    ?org skos:prefLabel ?value . BIND("name" AS ?key)
  } UNION {
    ?org foaf:homepage ?value . BIND("url" AS ?key)
  } UNION {
    ?org ag:contactPoint/schema:email ?value . BIND("email" AS ?key)
  } UNION {
    { ?org owl:sameAs ?value } UNION { ?org ag:institutionItem ?value } BIND("sameAs" AS ?key)
  } UNION {
    VALUES (?p ?key) { (ag:siren "SIREN") (ag:rna "RNA") (ag:formerSiren "SIREN (former)") }
    ?org ?p ?value .
  }
}
"""


def schema_org(store: EmbeddedStore, graphs: list[str] | None = None) -> bytes:
    """``--profile schema.org``: per organisation, the block a web page embeds.

    Types: GovernmentOrganization (public bodies), NGO (associations),
    Organization otherwise; name (French label first), url, email, sameAs,
    identifiers (SIREN, RNA) as PropertyValue nodes. A JSON array of blocks,
    each with ``"@context": "https://schema.org"``, ordered by IRI.
    """
    found: dict[str, dict[str, set[tuple[str, str]]]] = {}
    # The ontology graph is always consulted: it says which classes are public bodies.
    ontology = [g for g in store.graphs() if group_of(g) == "ontology"]
    chosen = None if graphs is None else sorted({*graphs, *ontology})
    with store.restricted(chosen) as part:
        rows = part.select(_SCHEMA_ORG_QUERY)
    for row in rows:
        value = row["value"]
        lang = value.language or "" if isinstance(value, ox.Literal) else ""
        found.setdefault(row["org"].value, {}).setdefault(row["key"].value, set()).add(
            (value.value, lang)
        )
    blocks = []
    for iri in sorted(found):
        facts = found[iri]
        types = {v for v, _ in facts.get("@type", set())}
        kind = next((t for t in ("GovernmentOrganization", "NGO") if t in types), "Organization")
        block: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "@id": iri}
        names = sorted(facts.get("name", set()), key=lambda v: (v[1] != "fr", v[1], v[0]))
        if names:
            block["name"] = names[0][0]
            if len(names) > 1:
                block["alternateName"] = sorted({n for n, _ in names[1:]} - {names[0][0]})
        for key in ("url", "email"):
            values = sorted(v for v, _ in facts.get(key, set()))
            if values:
                block[key] = values[0] if len(values) == 1 else values
        same = sorted(v for v, _ in facts.get("sameAs", set()))
        if same:
            block["sameAs"] = same
        ids = sorted(
            (key, v) for key in ("SIREN", "RNA", "SIREN (former)") for v, _ in facts.get(key, set())
        )
        if ids:
            block["identifier"] = [
                {"@type": "PropertyValue", "propertyID": key, "value": v} for key, v in ids
            ]
        blocks.append(block)
    # The blocks go into <script type="application/ld+json"> elements: a name
    # holding "</script>" must not end the element ("<\/" is the same JSON).
    return _dump(blocks).replace(b"</", b"<\\/")


class JsonLdWriter(LineWriter):
    """The registered JSON-LD writer: the union of the graphs, compacted with the
    context given, else :func:`default_context`."""

    def write(self, lines: Lines, context: Mapping[str, Any] | None) -> bytes:
        return compact_lines(lines[None], default_context() if context is None else context)


WRITER = JsonLdWriter()
