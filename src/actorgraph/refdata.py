"""The gazetteer of French public authorities, built from a pinned registry package.

Input: the npm package ``@etalab/decoupage-administratif`` (the INSEE COG and
the BANATIC list of EPCI, Licence Ouverte), fetched with ``npm pack`` and
checked against its SHA-256, plus ``data/reference/siren-collectivites.csv``
for the SIREN of département and région councils, which the package lacks.

Output: ``data/reference/gazetteer.nt.gz``, sorted N-Triples compressed with a
fixed timestamp, so the same package always gives the same bytes. Two nodes
per local authority:

* the **territory** (``agc:commune-75056``, ``agc:departement-33``,
  ``agc:region-76``), typed with the INSEE geographic ontology
  (``igeo:Commune``…) and as a concept of the scheme ``agc:territories``, with ``igeo:codeINSEE``, ``igeo:nom`` and
  ``igeo:sousDivisionDe`` its parent territory;
* the **authority** governing it (``agorg:commune-75056``…), typed with the
  project's organisation classes, with ``skos:prefLabel``, ``ag:inseeCode``,
  ``ag:siren`` and ``dcterms:spatial`` its territory.

EPCI (``agorg:epci-<siren>``) are authorities only; each member commune's
authority is ``org:memberOf`` its EPCI.

>>> tables = {
...     "regions": [{"code": "76", "nom": "Occitanie"}],
...     "departements": [{"code": "31", "nom": "Haute-Garonne", "region": "76"}],
...     "communes": [{"code": "31555", "nom": "Toulouse", "departement": "31",
...                   "region": "76", "type": "commune-actuelle", "siren": "213105554"}],
...     "epci": [{"code": "243100518", "nom": "Toulouse Métropole", "type": "METRO",
...               "membres": [{"code": "31555"}]}],
... }
>>> nt = build_ntriples(tables, {("region", "76"): "200053791"}, PackageInfo("p", "1", "0" * 64))
>>> b'<https://w3id.org/actorgraph/id/organisation/region-76> <https://w3id.org/actorgraph/ontology#siren> "200053791"' in nt
True
>>> count_kinds(nt)["Commune"], count_kinds(nt)["Metropole"]
(1, 1)
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.fr import siren as siren_check

from .errors import ActorGraphError, LoadError, ServiceError
from .fsutil import atomic_write
from .namespaces import (
    AG,
    CONCEPT_ID,
    DCTERMS,
    GRAPH,
    IGEO,
    ORG,
    ORG_ID,
    PROV,
    RDF,
    SCHEMA,
    SKOS,
    SOURCE_ID,
)

#: The registry package the gazetteer is built from (pinned: name, version, tarball SHA-256).
PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
TARBALL_SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
TABLES = ("communes", "departements", "regions", "epci")

GAZETTEER_FILE = "gazetteer.nt.gz"
SIREN_FILE = "siren-collectivites.csv"
#: The linker's table of authorities, derived from the gazetteer (not RDF: not loaded).
INDEX_FILE = "gazetteer-index.json.gz"

#: EPCI type in the package → class of the project's ontology. The Métropole de
#: Lyon (``MET69``) is a territorial collectivity with special status, not an EPCI.
EPCI_CLASSES = {
    "CC": "CommunauteCommunes",
    "CA": "CommunauteAgglomeration",
    "CU": "CommunauteUrbaine",
    "METRO": "Metropole",
    "MET69": "LocalAuthority",
}

_RDF_TYPE = f"<{RDF.type}>"
_PREF = f"<{SKOS.prefLabel}>"
_SKOS_CONCEPT = f"<{SKOS.Concept}>"
_IN_SCHEME = f"<{SKOS.inScheme}>"
_SPATIAL = f"<{DCTERMS.spatial}>"
_MEMBER_OF = f"<{ORG.memberOf}>"
_DERIVED = f"<{PROV.wasDerivedFrom}>"
_TITLE = f"<{DCTERMS.title}>"


@dataclass(frozen=True)
class PackageInfo:
    """Where the tables came from: package name, version and tarball SHA-256."""

    name: str
    version: str
    sha256: str

    @property
    def source_iri(self) -> str:
        """The source node of the package version.

        >>> PackageInfo("@etalab/decoupage-administratif", "6.0.0", "").source_iri
        'https://w3id.org/actorgraph/id/source/npm-etalab-decoupage-administratif-6-0-0'
        """
        from .slug import instance_iri

        return instance_iri("source", f"npm {self.name} {self.version}")


@dataclass(frozen=True)
class FileSource:
    """A project file the gazetteer is also derived from: its source node, title,
    path from the project root and SHA-256."""

    iri: str
    title: str
    file_name: str
    sha256: str


# ------------------------------------------------------------------ fetching


def fetch_package(cache_dir: Path, version: str = VERSION, sha256: str = TARBALL_SHA256) -> Path:
    """The package tarball, from ``cache_dir`` or fetched there with ``npm pack``.

    The tarball's SHA-256 must be the pinned one; otherwise a :class:`LoadError`.
    """
    name = f"etalab-decoupage-administratif-{version}.tgz"
    target = cache_dir / name
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ServiceError(
                "npm is not installed: cannot fetch the registry package",
                hint=f"install npm, or put {name} in {cache_dir}",
            )
        cache_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [npm, "pack", f"{PACKAGE}@{version}", "--pack-destination", str(cache_dir)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0 or not target.is_file():
            raise ServiceError(
                f"npm pack {PACKAGE}@{version} failed: {proc.stderr.strip()[-300:]}",
                hint="check the network access to the npm registry",
            )
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if sha256 and digest != sha256:
        raise LoadError(
            f"unexpected SHA-256 {digest} (pinned: {sha256})",
            file=target,
            hint="delete the file to fetch it again, or update the pin in refdata.py",
        )
    return target


def read_tables(tarball: Path) -> dict[str, list[dict[str, Any]]]:
    """The JSON tables of the package tarball (``package/data/<table>.json``)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for table in TABLES:
                member = tar.extractfile(f"package/data/{table}.json")
                if member is None:
                    raise LoadError(f"no data/{table}.json in the package", file=tarball)
                tables[table] = json.load(member)
    except KeyError as exc:
        raise LoadError(f"missing in the package: {exc}", file=tarball) from None
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise LoadError(f"cannot read the package: {exc}", file=tarball) from None
    return tables


def read_sirens(path: Path) -> dict[tuple[str, str], str]:
    """``(kind, code) → SIREN`` from the councils' CSV (``kind,code,siren``; ``#`` comments).

    Every SIREN must pass the Luhn check; a bad one names the file and line.
    """
    out: dict[tuple[str, str], str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LoadError(f"cannot read: {exc}", file=path) from None
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in numbered)))
    for (lineno, _), row in zip(numbered[1:], reader, strict=True):
        kind, code, value = row.get("kind"), row.get("code"), row.get("siren")
        if kind not in ("departement", "region") or not code:
            raise LoadError(f"bad row {row}", file=path, line=lineno, field="kind")
        if not value or not siren_check.is_valid(value):
            raise LoadError(f"invalid SIREN {value!r}", file=path, line=lineno, field="siren")
        out[(kind, code)] = value
    return out


# ------------------------------------------------------------------ building


def _lit(text: str, lang: str | None = None) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _iri(value: str) -> str:
    return f"<{value}>"


def build_ntriples(
    tables: Mapping[str, list[dict[str, Any]]],
    sirens: Mapping[tuple[str, str], str],
    package: PackageInfo,
    *,
    extra_sources: Iterable[FileSource] = (),
) -> bytes:
    """The gazetteer as sorted N-Triples bytes (see the module docstring for its shape).

    Only current communes (``commune-actuelle``) are kept. ``extra_sources``
    are further files the graph is derived from.
    """
    lines: set[str] = set()

    def add(s: str, p: str, o: str) -> None:
        lines.add(f"{s} {p} {o} .")

    source = _iri(package.source_iri)
    ag_source = _iri(str(AG.Source))
    add(source, _RDF_TYPE, ag_source)
    add(source, _TITLE, _lit(f"npm package {package.name}", "en"))
    add(source, _iri(str(DCTERMS.hasVersion)), _lit(package.version))
    add(
        source,
        _iri(str(SCHEMA.url)),
        _iri(f"https://www.npmjs.com/package/{package.name}/v/{package.version}"),
    )
    add(source, _iri(str(AG.fileName)), _lit(f"{package.name}@{package.version}"))
    if package.sha256:
        add(source, _iri(str(AG.sha256)), _lit(package.sha256))
    add(
        source,
        _iri(str(DCTERMS.license)),
        _iri("https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
    )
    graph = _iri(str(GRAPH["reference/gazetteer"]))
    add(graph, _DERIVED, source)
    for extra in extra_sources:
        add(_iri(extra.iri), _RDF_TYPE, ag_source)
        add(_iri(extra.iri), _TITLE, _lit(extra.title, "en"))
        add(_iri(extra.iri), _iri(str(AG.fileName)), _lit(extra.file_name))
        add(_iri(extra.iri), _iri(str(AG.sha256)), _lit(extra.sha256))
        add(graph, _DERIVED, _iri(extra.iri))

    # Territories live under id/concept/: a SKOS scheme of places, one concept each.
    scheme = _iri(str(CONCEPT_ID["territories"]))
    add(scheme, _RDF_TYPE, _iri(str(SKOS.ConceptScheme)))
    add(
        scheme,
        _TITLE,
        _lit("Territoires français (COG de l'INSEE)", "fr"),
    )
    add(scheme, _TITLE, _lit("French territories (INSEE COG)", "en"))
    code_prop = _iri(str(IGEO.codeINSEE))
    nom = _iri(str(IGEO.nom))
    parent_prop = _iri(str(IGEO.sousDivisionDe))
    insee = _iri(str(AG.inseeCode))
    siren_prop = _iri(str(AG.siren))

    def authority(kind: str, code: str, cls: str, name: str, siren: str | None) -> str:
        node = _iri(str(ORG_ID[f"{kind}-{code.lower()}"]))
        territory = _iri(str(CONCEPT_ID[f"{kind}-{code.lower()}"]))
        add(territory, _RDF_TYPE, _iri(str(IGEO[kind.capitalize()])))
        add(territory, _RDF_TYPE, _SKOS_CONCEPT)
        add(territory, _IN_SCHEME, scheme)
        add(territory, code_prop, _lit(code))
        add(territory, nom, _lit(name, "fr"))
        add(node, _RDF_TYPE, _iri(str(AG[cls])))
        add(node, _PREF, _lit(name, "fr"))
        add(node, insee, _lit(code))
        add(node, _SPATIAL, territory)
        add(node, _DERIVED, source)
        if siren:
            add(node, siren_prop, _lit(siren))
        return territory

    for region in tables["regions"]:
        authority(
            "region",
            region["code"],
            "Region",
            region["nom"],
            sirens.get(("region", region["code"])),
        )
    for dep in tables["departements"]:
        territory = authority(
            "departement",
            dep["code"],
            "Departement",
            dep["nom"],
            sirens.get(("departement", dep["code"])),
        )
        add(territory, parent_prop, _iri(str(CONCEPT_ID[f"region-{dep['region'].lower()}"])))
    current = set()
    for com in tables["communes"]:
        if com.get("type") != "commune-actuelle":
            continue
        current.add(com["code"])
        territory = authority("commune", com["code"], "Commune", com["nom"], com.get("siren"))
        parent = com.get("departement")
        if parent:
            add(territory, parent_prop, _iri(str(CONCEPT_ID[f"departement-{parent.lower()}"])))
    for epci in tables["epci"]:
        node = _iri(str(ORG_ID[f"epci-{epci['code']}"]))
        cls = EPCI_CLASSES.get(epci.get("type", ""), "EPCI")
        add(node, _RDF_TYPE, _iri(str(AG[cls])))
        add(node, _PREF, _lit(epci["nom"], "fr"))
        add(node, siren_prop, _lit(epci["code"]))
        add(node, _DERIVED, source)
        for member in epci.get("membres", []):
            if member["code"] in current:
                add(_iri(str(ORG_ID[f"commune-{member['code'].lower()}"])), _MEMBER_OF, node)
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a fixed timestamp and no file name, so equal input gives equal bytes.

    >>> gzip_bytes(b"x") == gzip_bytes(b"x")
    True
    """
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        gz.write(data)
    return buf.getvalue()


_KIND_LINE = f"{_RDF_TYPE} <{AG}"


def count_kinds(ntriples: bytes) -> Counter[str]:
    """How many authorities of each ``ag:`` class the N-Triples hold."""
    counts: Counter[str] = Counter()
    for line in ntriples.decode("utf-8").splitlines():
        _, sep, rest = line.partition(_KIND_LINE)
        if sep:
            counts[rest.split(">", 1)[0]] += 1
    return counts


_INDEX_LINE = re.compile(
    r"^<https://w3id\.org/actorgraph/id/organisation/([^>#]+)> <("
    r"https://w3id\.org/actorgraph/ontology#siren|https://w3id\.org/actorgraph/ontology#inseeCode"
    r"|http://www\.w3\.org/2004/02/skos/core#prefLabel"
    r"|http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type)> (.*) \.$",
    re.M,
)
_INDEX_FIELDS = {
    "https://w3id.org/actorgraph/ontology#siren": "siren",
    "https://w3id.org/actorgraph/ontology#inseeCode": "code",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "class",
}


def _unescape(literal: str) -> str:
    body = literal[1 : literal.rindex('"')]
    if "\\" not in body:
        return body
    return str(json.loads(f'"{body}"'))


def gazetteer_index(ntriples: bytes) -> list[list[str]]:
    """One row per authority of the gazetteer: ``[slug, class, label, siren, code]``.

    The linker reads this small table instead of parsing 400k triples; it is
    derived from the N-Triples, so ``make refdata`` rewrites both together.

    >>> nt = (b'<https://w3id.org/actorgraph/id/organisation/region-76> '
    ...       b'<http://www.w3.org/2004/02/skos/core#prefLabel> "Occitanie"@fr .\\n')
    >>> gazetteer_index(nt)
    [['region-76', '', 'Occitanie', '', '']]
    """
    rows: dict[str, dict[str, str]] = {}
    for match in _INDEX_LINE.finditer(ntriples.decode("utf-8")):
        slug, prop, obj = match.groups()
        field_name = _INDEX_FIELDS[prop]
        row = rows.setdefault(slug, {})
        if field_name == "class":
            if obj.startswith(f"<{AG}"):
                row["class"] = obj[len(str(AG)) + 1 : -1]
        else:
            row[field_name] = _unescape(obj)
    return [
        [slug, r.get("class", ""), r.get("label", ""), r.get("siren", ""), r.get("code", "")]
        for slug, r in sorted(rows.items())
    ]


def read_index(path: Path) -> list[list[str]]:
    """The rows written by :func:`build_refdata` (``gazetteer-index.json.gz``)."""
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
        return [list(map(str, row)) for row in doc["authorities"]]
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"cannot read the gazetteer index: {exc}", file=path) from None


def index_bytes(rows: list[list[str]]) -> bytes:
    doc = {"columns": ["slug", "class", "label", "siren", "code"], "authorities": rows}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return gzip_bytes(text.replace("],[", "],\n[").encode("utf-8") + b"\n")


@dataclass(frozen=True)
class RefdataResult:
    path: Path
    triples: int
    kinds: Counter[str]
    changed: bool


def build_refdata(
    reference_dir: Path, cache_dir: Path, *, tarball: Path | None = None
) -> RefdataResult:
    """Fetch (or reuse) the pinned package and (re)write ``gazetteer.nt.gz`` in ``reference_dir``."""
    if tarball is None:
        tarball = fetch_package(cache_dir)
        sha = TARBALL_SHA256
    else:
        sha = hashlib.sha256(tarball.read_bytes()).hexdigest()
    sirens_path = reference_dir / SIREN_FILE
    sirens = read_sirens(sirens_path) if sirens_path.is_file() else {}
    if not sirens:
        raise ActorGraphError("no SIREN of département and région councils", file=sirens_path)
    nt = build_ntriples(
        read_tables(tarball),
        sirens,
        PackageInfo(PACKAGE, VERSION, sha),
        extra_sources=[
            FileSource(
                str(SOURCE_ID["siren-collectivites"]),
                "SIREN of département and région councils (data/reference/siren-collectivites.csv)",
                f"data/reference/{SIREN_FILE}",
                hashlib.sha256(sirens_path.read_bytes()).hexdigest(),
            )
        ],
    )
    data = gzip_bytes(nt)
    index = index_bytes(gazetteer_index(nt))
    path = reference_dir / GAZETTEER_FILE
    index_path = reference_dir / INDEX_FILE
    changed = not path.is_file() or path.read_bytes() != data
    if changed:
        atomic_write(path, data)
    if not index_path.is_file() or index_path.read_bytes() != index:
        atomic_write(index_path, index)
        changed = True
    return RefdataResult(path, nt.count(b"\n"), count_kinds(nt), changed)


def main(argv: list[str] | None = None) -> int:
    """``python -m actorgraph.refdata [TARBALL]`` — what ``make refdata`` runs."""
    import sys

    from .project import Project

    args = sys.argv[1:] if argv is None else argv
    try:
        project = Project.discover()
        result = build_refdata(
            project.reference_dir,
            project.root / ".cache" / "npm",
            tarball=Path(args[0]) if args else None,
        )
    except ActorGraphError as exc:
        print(f"actorgraph refdata: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(result.kinds.items()))
    state = "written" if result.changed else "unchanged"
    print(f"{result.path}: {state}, {result.triples} triples ({kinds})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
