"""Generate actor sheets in the seed's text format, for the ingest benchmark.

    python bench/gen_sheets.py OUT_DIR [--count 1000] [--seed 1]

Each sheet is a fictional actor with projects, partners (names the project's
graph knows, variants of them, and unknown ones), a CONTACT block and a list of
resources with unique titles. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
KNOWN = [
    "la Mairie de Paris",
    "la ville de Mulhouse",
    "Mulhouse-Alsace-Agglomération",
    "la Communauté urbaine de Dunkerque",
    "la Région Occitanie",
    "la MEL",
    "la Métropole de Metz",
    "L'Eurométropole de Strasbourg",
    "la Caisse des Dépôts",
    "le Gironde",
    "France Urbaine",
    "la DITP (Direction interministérielle de la transformation publique)",
    "Metz-Métropole",
    "la Région Bretagne",
    "la Caissee des Dépôts",
]
WORDS = [
    "Atelier",
    "Collectif",
    "Laboratoire",
    "Fabrique",
    "Réseau",
    "Agence",
    "Maison",
    "Observatoire",
    "Comptoir",
    "Chantier",
]
THEMES = [
    "communs",
    "sobriété",
    "participation",
    "résilience",
    "alimentation",
    "énergie",
    "climat",
    "jeunesse",
    "récits",
    "mobilités",
]
KINDS = [
    "Guide",
    "Podcast",
    "Webinaire",
    "Fiche",
    "Livret",
    "Synthèse",
    "Actes",
    "Kit",
    "Rapport",
    "Carnet",
]


def sheet(i: int, rng: random.Random) -> str:
    name = f"{rng.choice(WORDS)} {rng.choice(THEMES).capitalize()} {i:04d}"
    lines = [
        name,
        "",
        f"Mis à jour le {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2015, 2025)}",
        "",
    ]
    lines += [
        f"L'association {name} est un acteur fictif qui travaille sur la **{rng.choice(THEMES)}** "
        f"et la **recherche-action** avec des collectivités.",
        "",
        "QUOI, QUI ET COMMENT ?",
        "",
        f"Créé en {rng.randint(1990, 2022)} après avoir été incubé à la [Fing](#), l'association "
        "porte un projet d'intérêt général.",
        "",
    ]
    for p in range(rng.randint(1, 4)):
        partners = ", ".join([*rng.sample(KNOWN, 3), f"le Collectif Inconnu {i}-{p}"])
        lines.append(
            f"- **Projet {rng.choice(THEMES)} {i}-{p}** : depuis {rng.randint(2010, 2024)}, un "
            f"programme mené en partenariat avec {partners}. Chaque équipe est accueillie "
            f"pendant {rng.randint(2, 24)} mois."
        )
    lines += ["", "L'association est partenaire avec " + ", ".join(rng.sample(KNOWN, 4)) + ".", ""]
    lines += [
        "CONTACT",
        "",
        f"<https://acteur-{i}.example.org/>",
        "",
        f"contact@acteur-{i}.example.org",
        "",
    ]
    for r in range(rng.randint(5, 40)):
        title = f"{rng.choice(KINDS)} {rng.choice(THEMES)} n°{i}-{r}"
        lines += [f"- **{title}{'...' if rng.random() < 0.5 else ''}**", "[Enregistrer](#)"]
    return "\n".join(lines) + "\n"


def write_sheets(out: Path, count: int, seed: int = 1) -> list[Path]:
    """``count`` sheets, one actor each, written to ``out``; their paths."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = out / f"sheet-{i:04d}.txt"
        path.write_text(sheet(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_sheets(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
