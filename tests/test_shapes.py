"""SHACL shapes: the shape files themselves, and their valid/invalid examples.

Each example in ``tests/shapes/{valid,invalid}/`` is a self-contained Turtle
file (the few rdfs:subClassOf / skos:inScheme triples it needs included).
An invalid example opens with one comment line per expected result::

    # expect: <ConstraintComponent local name> <focus node> <result path>
    # expect-warning: ...      (sh:Warning)
    # expect-info: ...         (sh:Info)

Focus and path are ``<full IRI>`` or ``prefix:local`` (the file's prefixes);
the path is ``-`` when the result has none and ``[]`` when it is a complex
path. Violations must match exactly (as a set). Warnings and infos are checked
only for the focus nodes named on ``expect-warning`` / ``expect-info`` lines,
and must match exactly for those nodes. Validation runs on the example plus
the ontology when present (the union graph, as the build
does); results about nodes the example does not describe are left out.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "ontology" / "shapes"
VIOLATIONS_FILE = SHAPES_DIR / "actorgraph.shapes.ttl"
RECOMMENDED_FILE = SHAPES_DIR / "actorgraph.recommended.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "actorgraph.ttl"
VOCABULARIES_DIR = ROOT / "ontology" / "vocabularies"
EXAMPLES_DIR = Path(__file__).resolve().parent / "shapes"

AG = Namespace("https://w3id.org/actorgraph/ontology#")
AGSH = Namespace("https://w3id.org/actorgraph/shapes#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

SEVERITY_OF_TAG = {"expect": SH.Violation, "expect-warning": SH.Warning, "expect-info": SH.Info}
EXPECT_LINE = re.compile(r"^#\s*(expect(?:-warning|-info)?):\s*(\S+)\s+(\S+)\s+(\S+)\s*$")

VALID = sorted((EXAMPLES_DIR / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES_DIR / "invalid").glob("*.ttl"))


# --------------------------------------------------------------------------- helpers


@functools.cache
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(VIOLATIONS_FILE, format="turtle")
    g.parse(RECOMMENDED_FILE, format="turtle")
    return g


@functools.cache
def ontology_graph() -> Graph | None:
    """The ontology's class and property axioms, when the repository has them yet."""
    if not ONTOLOGY_FILE.exists():
        return None
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@functools.cache
def vocabularies_graph() -> Graph | None:
    files = sorted(VOCABULARIES_DIR.glob("*.ttl")) if VOCABULARIES_DIR.is_dir() else []
    if not files:
        return None
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


def _term(text: str, data: Graph, where: str) -> object:
    if text == "-":
        return None
    if text == "[]":
        return "[]"
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    try:
        return data.namespace_manager.expand_curie(text)
    except ValueError as exc:
        raise AssertionError(f"{where}: cannot read term {text!r}: {exc}") from None


def expectations(path: Path, data: Graph) -> dict[URIRef, set[tuple]]:
    """Expected results by severity, read from the file's header comments."""
    expected: dict[URIRef, set[tuple]] = {sev: set() for sev in SEVERITY_OF_TAG.values()}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("#") or "expect" not in line.split(":")[0]:
            continue
        match = EXPECT_LINE.match(line)
        assert match, f"{path.name}:{number}: malformed expectation line: {line!r}"
        tag, component, focus, result_path = match.groups()
        where = f"{path.name}:{number}"
        expected[SEVERITY_OF_TAG[tag]].add(
            (component, _term(focus, data, where), _term(result_path, data, where))
        )
    return expected


def validation_report(graph: Graph) -> Graph:
    _conforms, report, text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph), f"pySHACL could not validate: {text}"
    return report


@functools.cache
def example_report(path: Path) -> tuple[dict[URIRef, set[tuple]], frozenset]:
    """Results of one example, and the shapes and SPARQL constraints that fired (cached)."""
    data = Graph().parse(path, format="turtle")
    ontology = ontology_graph()
    report = validation_report(data + ontology if ontology is not None else data)
    found = collect(report, set(data.subjects()))
    sources = frozenset(report.objects(None, SH.sourceShape)) | frozenset(
        report.objects(None, SH.sourceConstraint)
    )
    return found, sources


def results(data: Graph, *, with_ontology: bool = True) -> dict[URIRef, set[tuple]]:
    """Validate; results by severity as (component, focus, path), for the example's own nodes."""
    # The ontology goes into the data graph (the union, as the build validates),
    # so sh:class and sh:targetClass follow its rdfs:subClassOf. The vocabularies
    # are left out: the examples carry the few concepts they use, and the real
    # vocabularies are checked once, by test_ontology_and_vocabularies_conform.
    # (pySHACL's ont_graph would copy only RDFS/OWL axioms, not the concepts;
    # its focus_nodes option skips values inside sh:or and qualified shapes.)
    ontology = ontology_graph() if with_ontology else None
    report = validation_report(data + ontology if ontology is not None else data)
    return collect(report, set(data.subjects()))


def collect(report: Graph, own_nodes: set) -> dict[URIRef, set[tuple]]:
    """Top-level results about own_nodes, by severity, as (component, focus, path)."""
    found: dict[URIRef, set[tuple]] = {sev: set() for sev in SEVERITY_OF_TAG.values()}
    # Top-level results only: nested sh:detail results (inside sh:node) are also
    # typed sh:ValidationResult but belong to the result that holds them.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if focus not in own_nodes:
            continue
        component = str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        result_path = report.value(result, SH.resultPath)
        if isinstance(result_path, BNode):
            result_path = "[]"
        found[report.value(result, SH.resultSeverity)].add((component, focus, result_path))
    return found


def _show(items: set[tuple]) -> str:
    return "\n  ".join(sorted(" ".join(str(x) for x in item) for item in items)) or "(none)"


def check_example(path: Path) -> None:
    data = Graph().parse(path, format="turtle")
    expected = expectations(path, data)
    found, _sources = example_report(path)
    assert found[SH.Violation] == expected[SH.Violation], (
        f"{path.name}: violations differ\n"
        f"expected:\n  {_show(expected[SH.Violation])}\nfound:\n  {_show(found[SH.Violation])}"
    )
    for severity in (SH.Warning, SH.Info):
        focus_nodes = {item[1] for item in expected[severity]}
        got = {item for item in found[severity] if item[1] in focus_nodes}
        assert got == expected[severity], (
            f"{path.name}: {severity.fragment} results differ\n"
            f"expected:\n  {_show(expected[severity])}\nfound:\n  {_show(got)}"
        )


def node_shapes(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, SH.NodeShape))


def helper_shapes(g: Graph) -> set:
    """Node shapes only reached through sh:node (vocabulary membership)."""
    return set(g.objects(None, SH.node))


def targeted_shapes(g: Graph) -> set[URIRef]:
    return node_shapes(g) - helper_shapes(g)


def example_class(shape: URIRef) -> str:
    return str(shape).rsplit("#", 1)[-1].removesuffix("_Shape")


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example_conforms(path: Path) -> None:
    data = Graph().parse(path, format="turtle")
    assert not expectations(path, data)[SH.Violation], (
        f"{path.name}: a valid example expects violations"
    )
    check_example(path)


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_reports_exactly_what_it_expects(path: Path) -> None:
    data = Graph().parse(path, format="turtle")
    expected = expectations(path, data)
    assert any(expected.values()), f"{path.name}: no '# expect:' line"
    check_example(path)


def test_examples_exist() -> None:
    assert len(VALID) >= 10 and len(INVALID) >= 20


def test_every_node_shape_has_valid_and_invalid_examples() -> None:
    missing = []
    for shape in targeted_shapes(shapes_graph()):
        name = example_class(shape)
        if not (EXAMPLES_DIR / "valid" / f"{name}.ttl").exists():
            missing.append(f"valid/{name}.ttl")
        if not list((EXAMPLES_DIR / "invalid").glob(f"{name}-*.ttl")):
            missing.append(f"invalid/{name}-*.ttl")
    assert not missing, "missing examples: " + ", ".join(sorted(missing))


def test_every_example_is_named_after_a_shape() -> None:
    names = {example_class(s) for s in targeted_shapes(shapes_graph())}
    stray = [p.name for p in VALID if p.stem not in names]
    stray += [p.name for p in INVALID if p.stem.split("-", 1)[0] not in names]
    assert not stray, f"examples named after no shape: {stray}"


def test_every_constraint_is_exercised_by_an_invalid_example() -> None:
    """Each property shape and SPARQL constraint of both files fires in some invalid example."""
    fired: set = set()
    for path in INVALID:
        fired |= example_report(path)[1]
    g = shapes_graph()
    constraints = {p for s in targeted_shapes(g) for p in g.objects(s, SH.property)}
    constraints |= set(g.objects(None, SH.sparql))
    idle = sorted(str(c).rsplit("#", 1)[-1] for c in constraints - fired)
    assert not idle, f"never exercised by tests/shapes/invalid/: {idle}"


# --------------------------------------------------------------------------- shape files


@pytest.mark.parametrize("path", [VIOLATIONS_FILE, RECOMMENDED_FILE], ids=lambda p: p.name)
def test_shape_file_describes_itself(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    DCT = Namespace("http://purl.org/dc/terms/")
    docs = set(g.subjects(DCT.conformsTo, URIRef("http://www.w3.org/ns/shacl#")))
    assert len(docs) == 1, f"{path.name}: one node with dcterms:conformsTo sh: expected"
    (doc,) = docs
    titles = {t.language for t in g.objects(doc, DCT.title)}
    assert titles == {"fr", "en"}, f"{path.name}: dcterms:title in fr and en"
    assert {d.language for d in g.objects(doc, DCT.description)} == {"fr", "en"}
    assert path.read_text(encoding="utf-8").startswith("# ===="), f"{path.name}: comment banner"


@pytest.mark.parametrize("path", [VIOLATIONS_FILE, RECOMMENDED_FILE], ids=lambda p: p.name)
def test_every_node_shape_has_a_target(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    shapes = targeted_shapes(g)
    assert shapes, f"{path.name}: no node shape"
    untargeted = [s for s in shapes if not any(g.value(s, t) for t in targets)]
    assert not untargeted, f"{path.name}: node shapes without a target: {untargeted}"
    for helper in helper_shapes(g):
        assert (helper, RDF.type, SH.NodeShape) in g, f"{helper} used by sh:node but not declared"


@pytest.mark.parametrize("path", [VIOLATIONS_FILE, RECOMMENDED_FILE], ids=lambda p: p.name)
def test_shapes_are_named_after_their_class(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    for shape in targeted_shapes(g):
        assert isinstance(shape, URIRef) and shape.startswith(str(AGSH)), shape
        # agsh:<Class>_Shape, or agsh:<Property>_Shape for sh:targetSubjectsOf
        target = g.value(shape, SH.targetClass) or max(g.objects(shape, SH.targetSubjectsOf))
        local = re.split(r"[#/]", str(target))[-1]
        assert shape == AGSH[f"{local[0].upper()}{local[1:]}_Shape"], f"{shape} targets {target}"
        for prop in g.objects(shape, SH.property):
            assert isinstance(prop, URIRef) and prop.startswith(str(AGSH)), (
                f"{shape}: blank property shape"
            )


@pytest.mark.parametrize("path", [VIOLATIONS_FILE, RECOMMENDED_FILE], ids=lambda p: p.name)
def test_messages_in_french_and_english(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    subjects = set(g.subjects(SH.message, None))
    assert subjects, f"{path.name}: no sh:message"
    for s in subjects:
        langs = sorted(m.language or "" for m in g.objects(s, SH.message))
        assert langs == ["en", "fr"], (
            f"{path.name}: {s} has messages in {langs}, want one @fr and one @en"
        )


@pytest.mark.parametrize("path", [VIOLATIONS_FILE, RECOMMENDED_FILE], ids=lambda p: p.name)
def test_every_constraint_has_a_message(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    for shape in targeted_shapes(g):
        for prop in g.objects(shape, SH.property):
            assert g.value(prop, SH.message) is not None, f"{prop} has no sh:message"
        for sparql in g.objects(shape, SH.sparql):
            assert g.value(sparql, SH.message) is not None, f"{sparql} has no sh:message"


def test_severities_match_the_file() -> None:
    violations = Graph().parse(VIOLATIONS_FILE)
    recommended = Graph().parse(RECOMMENDED_FILE)
    assert set(violations.objects(None, SH.severity)) <= {SH.Violation}
    props = {p for s in targeted_shapes(recommended) for p in recommended.objects(s, SH.property)}
    assert props
    for prop in props:
        assert recommended.value(prop, SH.severity) in (SH.Warning, SH.Info), f"{prop}: severity"
    for shape in node_shapes(recommended):
        assert recommended.value(shape, SH.severity) is None, (
            f"{shape}: a node shape severity would leak"
        )


def test_sparql_prefixes_are_declared() -> None:
    g = shapes_graph()
    declared = {str(p) for d in g.objects(None, SH.declare) for p in g.objects(d, SH.prefix)}
    for constraint in g.subjects(SH.select, None):
        assert g.value(constraint, SH.prefixes) is not None, f"{constraint}: no sh:prefixes"
        query = str(g.value(constraint, SH.select))
        used = set(re.findall(r"\b([a-z][a-zA-Z]*):[A-Za-z]", query))
        assert used <= declared, f"{constraint}: undeclared prefixes {used - declared}"


def test_kind_class_list_matches_the_ontology() -> None:
    """The closed list of organisation classes names only classes of the ontology, when present."""
    g = Graph().parse(VIOLATIONS_FILE)
    listed = set(Collection(g, g.value(AGSH["Concept_Shape-kindClass"], SH["in"])))
    assert AG.Organisation in listed and AG.Commune in listed
    if not ONTOLOGY_FILE.exists():
        pytest.skip("ontology/actorgraph.ttl not written yet")
    ont = Graph().parse(ONTOLOGY_FILE)
    undeclared = sorted(c for c in listed if (c, None, None) not in ont)
    assert not undeclared, f"classes not in the ontology: {undeclared}"


def test_ontology_terms_used_by_shapes_exist() -> None:
    if not ONTOLOGY_FILE.exists():
        pytest.skip("ontology/actorgraph.ttl not written yet")
    ont = Graph().parse(ONTOLOGY_FILE)
    used = {
        t for t in shapes_graph().all_nodes() if isinstance(t, URIRef) and t.startswith(str(AG))
    }
    undeclared = sorted(t for t in used if (t, None, None) not in ont)
    assert not undeclared, f"ag: terms used by the shapes but not declared: {undeclared}"


def test_luhn_query_matches_python_stdnum() -> None:
    """The SPARQL Luhn check agrees with python-stdnum on thousands of numbers.

    The query is run once over all of them (pySHACL would parse it once per
    focus node); the examples check it through pySHACL.
    """
    from stdnum.fr import siren

    g = Graph().parse(VIOLATIONS_FILE)
    constraint = AGSH.SirenLuhn
    prefixes = {
        str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
        for d in g.objects(g.value(constraint, SH.prefixes), SH.declare)
    }
    query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    query += str(g.value(constraint, SH.select)).replace("$this", "?this")

    numbers = [f"{n:09d}" for n in range(0, 999_999_999, 4_999_999)]
    numbers += ["732829320", "356000000", "200093201", "217500016", "123456789", "73282932"]
    data = Graph()
    for n in numbers:
        data.add((URIRef(f"urn:x:{n}"), AG.siren, Literal(n)))
    failing = {str(row.value) for row in data.query(query)}
    expected = {n for n in numbers if len(n) == 9 and not siren.is_valid(n)}
    assert len(expected) > 100 and "123456789" in expected and "732829320" not in expected
    assert failing == expected


def test_ontology_and_vocabularies_conform() -> None:
    """The vocabularies (skos:Concept, skos:ConceptScheme) meet the shapes, warnings included."""
    vocabularies = vocabularies_graph()
    if vocabularies is None:
        pytest.skip("vocabularies not written yet")
    ontology = ontology_graph()
    found = results(
        vocabularies + ontology if ontology is not None else vocabularies, with_ontology=False
    )
    assert not found[SH.Violation], "violations:\n  " + _show(found[SH.Violation])
    assert not found[SH.Warning], "warnings:\n  " + _show(found[SH.Warning])
