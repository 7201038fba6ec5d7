"""``ingest --create-unknown`` on sheets naming many new partners: the time it takes.

    python bench/create_unknown.py [--partners 10000] [--per-sheet 100] [--seed 1]

Writes sheets (one actor each, ten projects each listing ten partners) that
name ``--partners`` different organisations the graph does not know, then
ingests them with ``create_unknown`` into a temporary folder, in a process of
its own: each name is looked up among the ~36,000 known ones (and those
created before it) and, found nowhere, added as a new organisation. Prints the
time of each phase (loading the project, recognising and creating, validating
and writing) and of the whole process, with its CPU time; target ≤ 30 s for
10,000 partners.

>>> names = partner_names(3, random.Random(1))
>>> len(set(names)), all(len(n.split()) >= 3 for n in names)
(3, True)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET = 30.0

KINDS = [
    "Association",
    "Collectif",
    "Comité",
    "Fédération",
    "Maison",
    "Réseau",
    "Atelier",
    "Coopérative",
    "Union",
    "Groupement",
    "Fondation",
    "Amicale",
    "Bureau",
    "Laboratoire",
    "Observatoire",
    "Institut",
]
TOPICS = [
    "des Jardins",
    "du Vélo",
    "des Communs",
    "de l'Habitat",
    "des Mobilités",
    "du Climat",
    "des Familles",
    "de la Jeunesse",
    "du Patrimoine",
    "des Énergies",
    "de la Forêt",
    "des Savoirs",
    "du Numérique",
    "de l'Eau",
    "des Arts",
    "de la Santé",
    "du Sport",
    "des Sols",
    "de la Mer",
    "des Quartiers",
]
PLACES = [
    "Partagés",
    "Solidaires",
    "Citoyens",
    "du Val",
    "des Rives",
    "du Plateau",
    "des Collines",
    "du Bocage",
    "des Vallées",
    "du Littoral",
    "des Faubourgs",
    "du Causse",
    "des Marais",
    "du Piémont",
    "des Landes",
    "de la Plaine",
    "du Massif",
    "des Étangs",
    "du Delta",
    "des Hauts",
    "de Lune",
    "d'Azur",
    "d'Ocre",
    "de Brume",
    "du Levant",
    "du Couchant",
    "de Traverse",
    "en Transition",
    "en Commun",
    "à Venir",
]


def partner_names(count: int, rng: random.Random) -> list[str]:
    """``count`` different organisation names, some with a number (as many are)."""
    names: dict[str, None] = {}
    while len(names) < count:
        name = f"{rng.choice(KINDS)} {rng.choice(TOPICS)} {rng.choice(PLACES)}"
        if rng.random() < 0.3:
            name += f" {rng.randint(1, 99)}"
        names[name] = None
    return list(names)


def write_sheets(out: Path, partners: int, per_sheet: int = 100, seed: int = 1) -> list[Path]:
    """Sheets naming ``partners`` new organisations, ``per_sheet`` per sheet (ten
    per project); their paths."""
    rng = random.Random(seed)
    names = partner_names(partners, rng)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(0, len(names), per_sheet):
        chunk = names[i : i + per_sheet]
        n = i // per_sheet
        lines = [f"Acteur Partenaires {n:04d}", "", "Mis à jour le 3 mars 2024", ""]
        for p in range(0, len(chunk), 10):
            listing = ", ".join(chunk[p : p + 10])
            lines.append(
                f"- **Chantier {n}-{p // 10}** : depuis 2020, en partenariat avec {listing}."
            )
        path = out / f"partners-{n:04d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def worker(sheet_dir: Path, out: Path) -> dict[str, Any]:
    """Ingest the sheets of ``sheet_dir`` with ``create_unknown`` into ``out``; phase times."""
    from actorgraph.ingest import ingest, load_context
    from actorgraph.project import Project

    marks: dict[str, float] = {"start": time.perf_counter()}
    project = Project(ROOT)
    context = load_context(project, out)
    marks["loaded"] = time.perf_counter()

    def progress(message: str) -> None:
        if message.startswith("validating"):
            marks["recognised"] = time.perf_counter()

    run = ingest(
        project,
        sorted(sheet_dir.glob("*.txt")),
        data_dir=out,
        create_unknown=True,
        retrieved=dt.date(2026, 11, 27),
        context=context,
        progress=progress,
    )
    marks["done"] = time.perf_counter()
    created = sum(
        1 for p in run.planned for _, note in p.extraction.notes if "created organisation" in note
    )
    return {
        "sheets": len(run.planned),
        "created": created,
        "conforms": run.report.conforms if run.report else None,
        "load": marks["loaded"] - marks["start"],
        "recognise": marks["recognised"] - marks["loaded"],
        "validate_write": marks["done"] - marks["recognised"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partners", type=int, default=10_000)
    ap.add_argument("--per-sheet", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    with tempfile.TemporaryDirectory(prefix="actorgraph-create-unknown-") as tmp:
        sheets = write_sheets(Path(tmp) / "sheets", args.partners, args.per_sheet, args.seed)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        cmd = [sys.executable, __file__, "--worker", str(Path(tmp) / "sheets"), tmp + "/out"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        # CPU time too: on a busy machine the wall time says more about the neighbours.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
        return 1
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"ingest --create-unknown: {len(sheets)} sheets naming {args.partners:,} new partners; "
        f"{info['created']:,} organisations created; conforms: {info['conforms']}\n"
        f"| load | recognise and create | validate and write | whole process | its CPU | target |\n"
        f"|---:|---:|---:|---:|---:|---|\n"
        f"| {info['load']:.1f} s | {info['recognise']:.1f} s | {info['validate_write']:.1f} s "
        f"| {wall:.1f} s | {cpu:.1f} s | ≤ {TARGET:.0f} s |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
