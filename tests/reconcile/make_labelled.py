"""Build ``tests/reconcile/labelled.csv``: names written the many ways people
write them, each with the entity it means (see README.md beside this file).

    python tests/reconcile/make_labelled.py          # rewrite labelled.csv
    python tests/reconcile/make_labelled.py --check  # exit 1 if it would change

Deterministic: the same data and the same seed give the same bytes (a test
checks the committed file against a fresh build). The variants are made from
the data (``data/reference/gazetteer-index.json.gz``, ``data/graph/*.ttl``,
``data/links/*.ttl``) by the rules below, without asking the matcher anything;
the only piece of the package used is its normaliser, to know which names
are *the same name* (accents, case, punctuation and a leading article aside),
that is, which rows are homonyms.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "labelled.csv"
SEED = 20261203
ORG = "https://w3id.org/actorgraph/id/organisation/"
AG = "https://w3id.org/actorgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
COLUMNS = (
    "query",
    "type",
    "departement",
    "inseeCode",
    "siren",
    "expected",
    "category",
    "determinable",
)

sys.path.insert(0, str(ROOT / "src"))
from actorgraph.match import normalise  # noqa: E402

#: The régions before 2016 and the région each is part of now (INSEE codes):
#: historical facts, written here apart from the matcher's own table.
OLD_REGIONS = {
    "Alsace": "44",
    "Lorraine": "44",
    "Champagne-Ardenne": "44",
    "Aquitaine": "75",
    "Limousin": "75",
    "Poitou-Charentes": "75",
    "Midi-Pyrénées": "76",
    "Languedoc-Roussillon": "76",
    "Rhône-Alpes": "84",
    "Auvergne": "84",
    "Nord-Pas-de-Calais": "32",
    "Picardie": "32",
    "Bourgogne": "27",
    "Franche-Comté": "27",
    "Basse-Normandie": "28",
    "Haute-Normandie": "28",
    "Centre": "24",
}

#: Names that are nobody's: they must find no match.
NOBODY = (
    "Association des Amis de Nulle-Part",
    "Mairie de Saint-Introuvable-sur-Mer",
    "Communauté de communes du Pays Imaginaire",
    "Région Atlantide",
    "CD 99",
    "Ville de Gotham",
    "Fondation pour la Lune",
    "Conseil départemental de la Terre du Milieu",
    "Métropole de Zanzibar",
    "Collectif Transition Zéro Nulle Part",
    "Agence nationale des licornes",
    "CA du Grand Nowhere",
    "Syndicat mixte des eaux de Brocéliande",
    "Office de tourisme de Lilliput",
    "Institut des études improbables",
)


@dataclass(frozen=True)
class Row:
    query: str
    expected: str
    category: str
    determinable: bool = True
    type: str = ""
    departement: str = ""
    insee: str = ""
    siren: str = ""

    def cells(self) -> list[str]:
        return [
            self.query,
            self.type,
            self.departement,
            self.insee,
            self.siren,
            self.expected,
            self.category,
            "true" if self.determinable else "false",
        ]


@dataclass
class Authority:
    iri: str
    klass: str
    name: str
    siren: str
    code: str


def gazetteer() -> list[Authority]:
    doc = json.loads(
        gzip.decompress((ROOT / "data/reference/gazetteer-index.json.gz").read_bytes())
    )
    return [Authority(ORG + s, c, n, si, co) for s, c, n, si, co in doc["authorities"] if c and n]


def directory() -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """The directory's organisations: IRI → [(name, how)]; and the gazetteer
    IRI → directory IRI of each ``owl:sameAs``."""
    store = ox.Store()
    for folder in ("data/graph", "data/links"):
        for path in sorted((ROOT / folder).glob("*.ttl")):
            store.load(
                path.read_bytes(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:{path.stem}")
            )
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    query = f"""
    SELECT DISTINCT ?s ?name ?how WHERE {{
      {{ ?s <{SKOS}prefLabel> ?name BIND("pref" AS ?how) }}
      UNION {{ ?s <{SKOS}altLabel> ?name BIND("alt" AS ?how) }}
      UNION {{ ?s <{SKOS}hiddenLabel> ?name BIND("hidden" AS ?how) }}
      UNION {{ ?l <{AG}partner> ?s ; <{AG}partnerName> ?name BIND("as written" AS ?how) }}
      FILTER (STRSTARTS(STR(?s), "{ORG}") && !CONTAINS(STR(?s), "#"))
    }} ORDER BY ?s ?how ?name"""
    for sol in store.query(query, use_default_graph_as_union=True):
        entry = (sol["name"].value, sol["how"].value)
        if entry not in names[sol["s"].value]:
            names[sol["s"].value].append(entry)
    same = {}
    for sol in store.query(
        "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2002/07/owl#sameAs> ?b }",
        use_default_graph_as_union=True,
    ):
        same[sol["b"].value] = sol["a"].value
    return dict(names), same


# ------------------------------------------------------------------ ways of writing


def no_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def of(name: str) -> str:
    """ "de X" in French: du Havre, des Abymes, de la Rochelle, d'Angers."""
    for article, joined in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return joined + name[len(article) :]
    if name.startswith("La "):
        return "de la " + name[3:]
    if name.startswith(("L'", "L’")):
        return "de l'" + name[2:]
    if no_accents(name[:1]).lower() in "aeiouyh":
        return "d'" + name
    return "de " + name


#: Départements whose name takes "le" (du Calvados) or "les" (des Landes);
#: the others take "la", or "l'" before a vowel (the COG's TNCC, which the
#: gazetteer's table does not carry). Paris and Mayotte take none.
MASCULINE = {
    "Bas-Rhin",
    "Calvados",
    "Cantal",
    "Cher",
    "Doubs",
    "Finistère",
    "Gard",
    "Gers",
    "Haut-Rhin",
    "Jura",
    "Loir-et-Cher",
    "Loiret",
    "Lot",
    "Lot-et-Garonne",
    "Maine-et-Loire",
    "Morbihan",
    "Nord",
    "Pas-de-Calais",
    "Puy-de-Dôme",
    "Rhône",
    "Tarn",
    "Tarn-et-Garonne",
    "Territoire de Belfort",
    "Val-de-Marne",
    "Val-d'Oise",
    "Var",
    "Vaucluse",
}
PLURAL_START = ("Alpes-", "Hautes-", "Bouches-", "Côtes-", "Deux-", "Pyrénées-", "Hauts-")
PLURAL = {"Ardennes", "Landes", "Vosges", "Yvelines"}
NO_ARTICLE = {"Paris", "Mayotte"}


def of_departement(name: str) -> str:
    """ "du Calvados", "des Landes", "de la Gironde", "de l'Ain", "de Paris"."""
    if name in NO_ARTICLE or name.startswith(("La ", "Le ")):
        return of(name)
    if name in MASCULINE:
        return "du " + name
    if name in PLURAL or name.startswith(PLURAL_START):
        return "des " + name
    if no_accents(name[:1]).lower() in "aeiouy" or name.startswith("Hérault"):
        return "de l'" + name
    return "de la " + name


def abbreviate_saint(name: str) -> str:
    return name.replace("Sainte-", "Ste-").replace("Saint-", "St-")


def typo(name: str, rng: random.Random) -> str:
    """One letter changed, dropped, added, or two letters swapped."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(letters[1:-1] or letters)
    op = rng.choice(("change", "drop", "add", "swap"))
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    if op == "change":
        c = rng.choice([a for a in alphabet if a != no_accents(name[i]).lower()])
        return name[:i] + c + name[i + 1 :]
    if op == "drop":
        return name[:i] + name[i + 1 :]
    if op == "add":
        return name[:i] + rng.choice(alphabet) + name[i:]
    j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() else i - 1
    a, b = sorted((i, j))
    return name[:a] + name[b] + name[a] + name[b + 1 :]


def letters(name: str) -> int:
    return sum(c.isalpha() for c in name)


# ------------------------------------------------------------------ the set


def build() -> list[Row]:
    rng = random.Random(SEED)
    authorities = gazetteer()
    names, same = directory()
    canonical = lambda iri: same.get(iri, iri)  # noqa: E731

    # Who answers to each name (accents, case, punctuation and article aside).
    owners: dict[str, set[str]] = defaultdict(set)
    for a in authorities:
        owners[normalise(a.name)].add(canonical(a.iri))
    for iri, entries in names.items():
        for name, _ in entries:
            owners[normalise(name)].add(canonical(iri))

    def unique(name: str, iri: str) -> bool:
        return owners[normalise(name)] == {canonical(iri)}

    def unused(text: str) -> bool:
        return normalise(text) not in owners

    by_class: dict[str, list[Authority]] = defaultdict(list)
    for a in authorities:
        by_class[a.klass].append(a)
    communes = by_class["Commune"]
    deps = {a.code: a for a in by_class["Departement"]}
    regions = {a.code: a for a in by_class["Region"]}
    metropolitan_deps = [d for c, d in sorted(deps.items()) if len(c) == 2]

    def dep_of(code: str) -> str:
        return code[:3] if code.startswith("97") else code[:2]

    rows: list[Row] = []

    # A. communes whose name no other entity bears.
    single = [c for c in communes if unique(c.name, c.iri)]
    picked = rng.sample(single, 170)
    ways = ("mairie", "ville", "commune", "accents", "upper", "punctuation", "plain")
    for n, c in enumerate(picked[:120]):
        way = ways[n % len(ways)]
        text = {
            "mairie": f"Mairie {of(c.name)}",
            "ville": f"Ville {of(c.name)}",
            "commune": f"Commune {of(c.name)}",
            "accents": no_accents(c.name) if no_accents(c.name) != c.name else c.name.lower(),
            "upper": c.name.upper(),
            "punctuation": c.name.replace("-", " ").replace("'", " ").replace("’", " "),
            "plain": c.name,
        }[way]
        rows.append(Row(text, canonical(c.iri), f"commune: {way}"))
    saints = [c for c in single if c.name.startswith(("Saint-", "Sainte-"))]
    for c in rng.sample(saints, 20):
        rows.append(Row(abbreviate_saint(c.name), canonical(c.iri), "commune: St/Ste"))
    long_names = [c for c in picked[120:] + rng.sample(single, 200) if letters(c.name) >= 8]
    made = 0
    for c in long_names:
        if made == 40:
            break
        text = typo(c.name, rng)
        if unused(text):
            way = "typo" if made % 2 else "typo in Mairie de"
            rows.append(
                Row(text if made % 2 else f"Mairie {of(text)}", canonical(c.iri), f"commune: {way}")
            )
            made += 1

    # Harder: short names with a typo (often other communes' names one letter
    # off, so found first at best, rarely matched), and several changes at once.
    short = [c for c in single if 5 <= letters(c.name) <= 7 and " " not in c.name]
    made = 0
    for c in rng.sample(short, 80):
        if made == 20:
            break
        text = typo(c.name, rng)
        if unused(text):
            rows.append(Row(text, canonical(c.iri), "commune: typo in a short name"))
            made += 1
    for c in rng.sample(single, 20):
        text = no_accents(f"mairie {of(c.name)}").lower().replace("-", " ").replace("'", " ")
        rows.append(Row(f"  {text} ", canonical(c.iri), "commune: several changes at once"))
    quoted = [c for c in single if "'" in c.name]
    for c in rng.sample(quoted, 10):
        rows.append(
            Row(
                f"Ville {of(c.name)}".replace("'", "’"),
                canonical(c.iri),
                "commune: typographic apostrophe",
            )
        )

    # B. communes that share their name with other communes.
    groups: dict[str, list[Authority]] = defaultdict(list)
    for c in communes:
        groups[normalise(c.name)].append(c)
    shared = [g for _, g in sorted(groups.items()) if len(g) > 1]
    for n, group in enumerate(rng.sample(shared, 80)):
        c = rng.choice(sorted(group, key=lambda a: a.code))
        dep = dep_of(c.code)
        kind = n % 8
        if kind in (0, 1, 2):
            rows.append(Row(c.name, canonical(c.iri), "homonym: no property", determinable=False))
        elif kind in (3, 4):
            rows.append(Row(c.name, canonical(c.iri), "homonym: département code", departement=dep))
        elif kind == 5:
            rows.append(
                Row(
                    c.name,
                    canonical(c.iri),
                    "homonym: département name",
                    departement=deps[dep].name if dep in deps else dep,
                )
            )
        elif kind == 6:
            rows.append(Row(c.name, canonical(c.iri), "homonym: INSEE code", insee=c.code))
        else:
            rows.append(Row(f"{c.name} ({dep})", canonical(c.iri), "homonym: (code) in the name"))

    # C. EPCI.
    epcis = [
        a
        for k in ("CommunauteCommunes", "CommunauteAgglomeration", "CommunauteUrbaine", "Metropole")
        for a in by_class[k]
        if unique(a.name, a.iri)
    ]
    expansions = (
        ("CC ", "Communauté de communes "),
        ("CA ", "Communauté d'agglomération "),
        ("CU ", "Communauté urbaine "),
    )
    count: dict[str, int] = defaultdict(int)
    wanted = {"CC ": 25, "CA ": 20, "CU ": 8}
    for a in rng.sample(epcis, len(epcis)):
        for short, long in expansions:
            if a.name.startswith(short) and count[short] < wanted[short]:
                count[short] += 1
                text = long + a.name[len(short) :]
                if short == "CA " and count[short] % 2 == 0:
                    text = "Agglo " + a.name[len(short) :]
                rows.append(Row(text, canonical(a.iri), f"epci: {short.strip()} written out"))
    metros = [a for a in by_class["Metropole"] if a.name.endswith(" Métropole")]
    for a in sorted(metros, key=lambda m: m.name)[:12]:
        city = a.name[: -len(" Métropole")]
        rows.append(Row(f"Métropole {of(city)}", canonical(a.iri), "epci: Métropole de X"))
    for a in rng.sample(epcis, 10):
        rows.append(Row(no_accents(a.name).upper(), canonical(a.iri), "epci: capitals, no accents"))
    for a in rng.sample(epcis, 40):
        for short, _ in expansions:
            rest = a.name[len(short) :]
            for article in ("du ", "de la ", "de l'", "des ", "de "):
                rest = rest.removeprefix(article)
            if a.name.startswith(short) and letters(rest) >= 8 and unused(rest):
                rows.append(Row(rest, canonical(a.iri), "epci: name without its form"))
                break

    # D. départements.
    for n, d in enumerate(rng.sample(metropolitan_deps, 60)):
        kind = n % 6
        text = {
            0: f"Département {of_departement(d.name)}",
            1: f"Conseil départemental {of_departement(d.name)}",
            2: f"Conseil général {of_departement(d.name)}",
            3: f"CD {d.code}",
            4: f"CD{d.code}",
            5: no_accents(f"Conseil departemental {of_departement(d.name)}").lower(),
        }[kind]
        rows.append(
            Row(
                text,
                canonical(d.iri),
                "département: "
                + (
                    "form",
                    "conseil départemental",
                    "conseil général",
                    "CD code",
                    "CD code",
                    "no accents",
                )[kind],
            )
        )

    # E. régions.
    current = [
        r
        for c, r in sorted(regions.items())
        if c in {"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"}
    ]
    for r in current:
        rows.append(Row(f"Région {r.name}", canonical(r.iri), "région: Région X"))
        rows.append(
            Row(f"Conseil régional {of(r.name)}", canonical(r.iri), "région: conseil régional")
        )
    for old, code in OLD_REGIONS.items():
        target = canonical(regions[code].iri)
        rows.append(Row(f"Région {old}", target, "région: former name"))
        if unused(old) or owners[normalise(old)] <= {target}:
            rows.append(Row(no_accents(old), target, "région: former name, bare"))

    # F. the directory's organisations, by every name the sources give them.
    for iri, entries in sorted(names.items()):
        target = canonical(iri)
        for name, how in entries:
            if not unique(name, iri):
                continue
            rows.append(Row(name, target, f"directory: {how}"))
            if no_accents(name) != name:
                rows.append(Row(no_accents(name).lower(), target, "directory: no accents"))

    # G. identifiers.
    for c in rng.sample(single, 8):
        rows.append(
            Row(
                typo(c.name, rng) + " " + typo(c.name, rng),
                canonical(c.iri),
                "identifier: SIREN beside a garbled name",
                siren=c.siren,
            )
        )
    for c in rng.sample([c for c in communes if c.siren], 5):
        rows.append(Row("", canonical(c.iri), "identifier: SIREN alone", siren=c.siren))
    for c in rng.sample(communes, 5):
        rows.append(Row("", canonical(c.iri), "identifier: INSEE code alone", insee=c.code))

    # H. nobody.
    for text in NOBODY:
        rows.append(Row(text, "", "nobody", determinable=False))

    seen: set[tuple[str, ...]] = set()
    out = []
    for row in rows:
        key = tuple(row.cells()[:5])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def render(rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(r.cells() for r in rows)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("labelled.csv is up to date" if same else "labelled.csv would change")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
