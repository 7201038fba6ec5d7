"""Seeded generator of benchmark data shaped like the project's real sources.

``python bench/generate.py --triples 100k --out bench/data/100k`` writes a
folder ``actorgraph build --data DIR`` accepts: one Turtle file per source
(an actor sheet), each with its ``ag:Source`` node, organisations of every
kind with valid SIRENs (Luhn) and INSEE codes, projects and programmes,
partnerships, resources with kinds and themes taken from the project's own
vocabularies, plus a links file (Wikidata items). The same seed and size
always give the same bytes.

>>> parse_size("10k"), parse_size("1M"), parse_size("2500")
(10000, 1000000, 2500)
>>> siren(12345678)
'123456782'
>>> luhn_ok("217500016"), luhn_ok("217500017")
(True, False)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARIES = ROOT / "ontology" / "vocabularies"

PREFIXES = """\
@prefix ag:      <https://w3id.org/actorgraph/ontology#> .
@prefix agorg:   <https://w3id.org/actorgraph/id/organisation/> .
@prefix agproj:  <https://w3id.org/actorgraph/id/project/> .
@prefix agpart:  <https://w3id.org/actorgraph/id/partnership/> .
@prefix agres:   <https://w3id.org/actorgraph/id/resource/> .
@prefix agc:     <https://w3id.org/actorgraph/id/concept/> .
@prefix agsrc:   <https://w3id.org/actorgraph/id/source/> .
@prefix aggraph: <https://w3id.org/actorgraph/graph/> .
@prefix schema:  <https://schema.org/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix wd:      <http://www.wikidata.org/entity/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

#: Organisation classes and the INSEE code each kind carries (None: no code).
KINDS: list[tuple[str, str | None]] = [
    ("Association", None),
    ("FoundationOrNetwork", None),
    ("Commune", "commune"),
    ("Departement", "departement"),
    ("Region", "region"),
    ("Metropole", None),
    ("CommunauteUrbaine", None),
    ("CommunauteAgglomeration", None),
    ("CommunauteCommunes", None),
    ("StateService", None),
    ("PublicFinancialInstitution", None),
]
PUBLIC = {k for k, _ in KINDS} - {"Association", "FoundationOrNetwork"}

WORDS = [
    "atelier",
    "territoire",
    "commun",
    "public",
    "service",
    "ville",
    "transition",
    "démocratie",
    "design",
    "lab",
    "citoyen",
    "réseau",
    "innovation",
    "solidarité",
    "énergie",
    "climat",
    "numérique",
    "santé",
    "jeunesse",
    "mobilité",
    "culture",
    "école",
    "habitat",
    "rural",
    "métropole",
    "région",
    "quartier",
    "avenir",
]

TRIPLES_PER_SOURCE = 20_000


def parse_size(text: str) -> int:
    """``10k`` → 10000, ``1M`` → 1000000."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 10k, 100k, 1M)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def siren(n: int) -> str:
    """A SIREN whose ninth digit is the Luhn check digit of the eight before."""
    body = f"{n:08d}"
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


def concepts(scheme: str) -> list[str]:
    """Local names of the concepts of one vocabulary file (``agc:<name>`` subjects)."""
    text = (VOCABULARIES / f"{scheme}.ttl").read_text(encoding="utf-8")
    names = re.findall(r"^agc:([A-Za-z0-9_-]+)\s*$", text, flags=re.M)
    return [n for n in names if n != scheme]


@dataclass
class Writer:
    """Collects Turtle blocks for one source file and counts their triples."""

    lines: list[str] = field(default_factory=list)
    triples: int = 0

    def subject(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self.lines.append(f"{subject}\n    {body} .\n")
        self.triples += len(pairs)


def lit(text: str, lang: str = "fr") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.themes = concepts("themes")
        self.kinds = concepts("resource-kinds")
        self.methods = concepts("methods")
        self.roles = concepts("partner-roles")
        self.orgs: list[str] = []
        self.counter = 0
        self.wikidata: list[tuple[str, int]] = []

    def name(self, n: int = 3) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()

    def uid(self) -> int:
        self.counter += 1
        return self.counter

    def insee(self, kind: str) -> str:
        r = self.rng
        if kind == "commune":
            return f"{r.randint(1, 95):02d}{r.randint(1, 999):03d}"
        if kind == "departement":
            return f"{r.randint(1, 95):02d}"
        return f"{r.choice([11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94])}"

    def source(self, w: Writer, stem: str, src: str) -> None:
        w.subject(
            f"agsrc:{src}",
            [
                ("a", "ag:Source"),
                ("dcterms:title", lit(f"Fiche {stem}")),
                (
                    "dcterms:modified",
                    f'"20{self.rng.randint(15, 25)}-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}"^^xsd:date',
                ),
                ("ag:fileName", f'"{stem}.txt"'),
                ("ag:sha256", f'"{self.rng.getrandbits(256):064x}"'),
                ("ag:retrieved", '"2026-11-27"^^xsd:date'),
            ],
        )
        w.subject(f"aggraph:{stem}", [("prov:wasDerivedFrom", f"agsrc:{src}")])

    def organisation(self, w: Writer, src: str) -> str:
        i = self.uid()
        kind, code = KINDS[i % len(KINDS)]
        slug = f"org-{i}"
        name = self.name()
        pairs = [
            ("a", f"ag:{kind}"),
            ("skos:prefLabel", lit(f"{name} {i}")),
            ("skos:altLabel", lit(f"{name[:12]} {i}")),
            ("schema:description", lit(f"Organisation {i} : {self.name(12)}.")),
            ("schema:description", lit(f"Organisation {i}: {self.name(10)}.", "en")),
            ("schema:foundingDate", f'"{self.rng.randint(1950, 2024)}"^^xsd:gYear'),
            ("foaf:homepage", f"<https://example.org/{slug}/>"),
            ("ag:approach", f"agc:{self.rng.choice(self.methods)}"),
            ("prov:wasDerivedFrom", f"agsrc:{src}"),
        ]
        if kind in PUBLIC or i % 3 == 0:
            pairs.append(("ag:siren", f'"{siren(10_000_000 + i)}"'))
        if kind == "Association":
            pairs.append(("ag:rna", f'"W{i:09d}"'))
        if kind == "Association" and self.orgs:
            pairs.append(("ag:generalInterest", "true"))
        if code:
            pairs.append(("ag:inseeCode", f'"{self.insee(code)}"'))
            self.wikidata.append((slug, 1000 + i))
        contact = f"<https://w3id.org/actorgraph/id/organisation/{slug}#contact>"
        pairs.append(("ag:contactPoint", contact))
        w.subject(f"agorg:{slug}", pairs)
        w.subject(
            contact,
            [
                ("a", "ag:ContactPoint"),
                ("schema:email", f'"contact@{slug}.example.org"'),
                ("schema:url", f"<https://example.org/{slug}/contact>"),
                ("prov:wasDerivedFrom", f"agsrc:{src}"),
            ],
        )
        self.orgs.append(f"agorg:{slug}")
        return f"agorg:{slug}"

    def project(self, w: Writer, src: str, leader: str) -> str:
        i = self.uid()
        start = self.rng.randint(2005, 2022)
        pairs = [
            ("a", "ag:Programme" if i % 7 == 0 else "ag:Project"),
            ("skos:prefLabel", lit(f"{self.name(2)} {i}")),
            ("schema:description", lit(f"Projet {i} : {self.name(15)}.")),
            ("ag:leader", leader),
            ("schema:startDate", f'"{start}"^^xsd:gYear'),
            ("schema:endDate", f'"{start + self.rng.randint(0, 4)}"^^xsd:gYear'),
            ("ag:method", f"agc:{self.rng.choice(self.methods)}"),
            ("ag:theme", f"agc:{self.rng.choice(self.themes)}"),
            ("ag:theme", f"agc:{self.rng.choice(self.themes)}"),
            ("ag:outputCount", str(self.rng.randint(0, 40))),
            ("dcterms:spatial", f"wd:Q{self.rng.randint(90, 99999)}"),
            ("prov:wasDerivedFrom", f"agsrc:{src}"),
        ]
        w.subject(f"agproj:project-{i}", pairs)
        return f"agproj:project-{i}"

    def partnership(self, w: Writer, src: str, project: str, leader: str) -> None:
        i = self.uid()
        partner = self.rng.choice(self.orgs)
        if partner == leader:
            return
        w.subject(
            f"agpart:partnership-{i}",
            [
                ("a", "ag:Partnership"),
                ("ag:inProject", project),
                ("ag:partner", partner),
                ("ag:role", f"agc:{self.rng.choice(self.roles)}"),
                ("ag:partnerName", lit(self.name(2))),
                ("prov:wasDerivedFrom", f"agsrc:{src}"),
            ],
        )

    def resource(self, w: Writer, src: str, actor: str, position: int) -> None:
        i = self.uid()
        truncated = i % 5 == 0
        title = self.name(5) + ("..." if truncated else "")
        w.subject(
            f"agres:resource-{i}",
            [
                ("a", "ag:Resource"),
                ("dcterms:title", lit(f"{title} {i}" if not truncated else title)),
                ("ag:titleTruncated", "true" if truncated else "false"),
                ("ag:listPosition", str(position)),
                ("ag:resourceKind", f"agc:{self.rng.choice(self.kinds)}"),
                ("ag:theme", f"agc:{self.rng.choice(self.themes)}"),
                ("ag:relatedActor", actor),
                ("schema:url", f"<https://example.org/resources/{i}>"),
                ("prov:wasDerivedFrom", f"agsrc:{src}"),
            ],
        )

    def sheet(self, stem: str, budget: int) -> Writer:
        """One actor sheet: its source, actors, projects, partnerships, resources."""
        w = Writer()
        src = f"{stem}-sheet"
        self.source(w, stem, src)
        while w.triples < budget:
            actor = self.organisation(w, src)
            for _ in range(self.rng.randint(1, 3)):
                self.organisation(w, src)
            for _ in range(self.rng.randint(1, 3)):
                project = self.project(w, src, actor)
                for _ in range(self.rng.randint(2, 6)):
                    self.partnership(w, src, project, actor)
            for pos in range(1, self.rng.randint(3, 12)):
                self.resource(w, src, actor, pos)
        return w

    def links(self, stem: str) -> Writer:
        w = Writer()
        src = f"{stem}-table"
        self.source(w, stem, src)
        for slug, q in self.wikidata:
            w.subject(
                f"agorg:{slug}",
                [("ag:territoryItem", f"wd:Q{q}"), ("prov:wasDerivedFrom", f"agsrc:{src}")],
            )
        return w


def generate(triples: int, out: Path, seed: int = 27) -> dict[str, int]:
    """Write about ``triples`` triples under ``out``; returns triples per file."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ttl"):
        old.unlink()
    gen = Generator(seed)
    links_share = max(1, triples // 50)
    sheets = max(1, round((triples - links_share) / TRIPLES_PER_SOURCE))
    budget = (triples - links_share) // sheets
    written: dict[str, int] = {}
    for n in range(1, sheets + 1):
        stem = f"sheet-{n:04d}"
        w = gen.sheet(stem, budget)
        (out / f"{stem}.ttl").write_text(PREFIXES + "\n" + "\n".join(w.lines), encoding="utf-8")
        written[stem] = w.triples
    w = gen.links("links-wikidata")
    (out / "links-wikidata.ttl").write_text(PREFIXES + "\n" + "\n".join(w.lines), encoding="utf-8")
    written["links-wikidata"] = w.triples
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=parse_size, default=parse_size("100k"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=27)
    args = parser.parse_args(argv)
    written = generate(args.triples, args.out, args.seed)
    print(f"{sum(written.values()):,} triples in {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
