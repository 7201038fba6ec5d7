"""The picture of a network: Graphviz's ``sfdp`` lays it out and draws SVG and
PNG from one layout.

Nodes are circles coloured by kind (a colour-blind-safe palette; the
intercommunal bodies in shades of blue) and sized by a measure; the most
central ones are named; edges are thicker the heavier they are; a legend under
the picture names the kinds present, the measure and the counts, in English
or French. Each node's SVG element holds its slug (``<title>``), its name
(``<text>``) and a link to its IRI.

>>> from actorgraph.network.graph import Edge, Network, Node
>>> from actorgraph.network.measures import measure
>>> net = Network({"http://e/a": Node("http://e/a", "A & co"), "http://e/b": Node("http://e/b", "B")}, {})
>>> net.edges["http://e/a", "http://e/b"] = Edge("http://e/a", "http://e/b", relations={"partner"})
>>> text = dot(net, measure(net), lang="fr")
>>> 'xlabel="A & co"' in text, "Réseau des partenariats" in text
(True, True)
>>> colour("Commune")
(86, 180, 233)
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ActorGraphError, UsageError
from ..fsutil import atomic_write
from .graph import KIND_LABELS, Network
from .measures import Measures

#: Colour of each kind (Okabe and Ito's palette, the EPCIs in blues).
PALETTE: dict[str, str] = {
    "Association": "#E69F00",
    "FoundationOrNetwork": "#F0E442",
    "Commune": "#56B4E9",
    "Metropole": "#0072B2",
    "CommunauteUrbaine": "#3B5BA5",
    "CommunauteAgglomeration": "#7C9CD6",
    "CommunauteCommunes": "#A9C4EB",
    "EPCI": "#24427A",
    "Departement": "#009E73",
    "Region": "#CC79A7",
    "LocalAuthority": "#6FB89A",
    "StateService": "#D55E00",
    "PublicFinancialInstitution": "#8C6D31",
    "PublicOrganisation": "#B07A56",
    "Organisation": "#BBBBBB",
}

#: The order of the legend: associations and networks, then the public side.
LEGEND_ORDER = (
    "Association",
    "FoundationOrNetwork",
    "Commune",
    "Metropole",
    "CommunauteUrbaine",
    "CommunauteAgglomeration",
    "CommunauteCommunes",
    "EPCI",
    "Departement",
    "Region",
    "LocalAuthority",
    "StateService",
    "PublicFinancialInstitution",
    "PublicOrganisation",
    "Organisation",
)

FORMATS = (".svg", ".png")

_TEXT = {
    "en": {
        "title": "Partnership network",
        "counts": "{nodes} organisations, {edges} links",
        "shown": "the {shown} most central of {total} organisations",
        "size": "size: {measure}",
        "names": "names: the {n} most central",
        "edges": "thicker links: more shared projects",
        "pagerank": "PageRank",
        "degree": "degree",
        "weighted-degree": "weighted degree",
        "betweenness": "betweenness",
    },
    "fr": {
        "title": "Réseau des partenariats",
        "counts": "{nodes} organisations, {edges} liens",
        "shown": "les {shown} plus centrales sur {total} organisations",
        "size": "taille : {measure}",
        "names": "noms : les {n} plus centrales",
        "edges": "liens plus épais : plus de projets partagés",
        "pagerank": "PageRank",
        "degree": "degré",
        "weighted-degree": "degré pondéré",
        "betweenness": "intermédiarité",
    },
}

FONT = "DejaVu Sans"


def colour(kind: str) -> tuple[int, int, int]:
    """The colour of a kind as (red, green, blue)."""
    code = PALETTE.get(kind, PALETTE["Organisation"])
    return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _number(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def dot(
    network: Network,
    measures: Measures,
    *,
    size_by: str = "pagerank",
    labels: int = 20,
    lang: str = "en",
    total: int | None = None,
) -> str:
    """The Graphviz source of the picture of ``network`` (often a part of the
    network ``measures`` were computed on: ``total`` says how many organisations
    that one has)."""
    values = {iri: measures.nodes[iri].value(size_by) for iri in network.nodes}
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    spread = (high - low) or 1.0
    ranked = sorted(network.nodes, key=lambda i: (-round(values[i], 12), i))
    named = set(ranked[:labels])
    # Fewer, bigger circles for a small network; many small ones for a large one.
    scale = 1.0 if len(network.nodes) <= 60 else 0.6
    lines = [
        "graph partnerships {",
        f"  graph [layout=sfdp, overlap=prism, overlap_scaling=-4, splines=false, K=1.2, "
        f'outputorder=edgesfirst, forcelabels=true, pad=0.3, bgcolor=white, fontname="{FONT}", '
        f"fontsize=12, labelloc=b, labeljust=l, label={_legend(network, len(named), size_by, lang, total)}]",
        f'  node [shape=circle, style=filled, fixedsize=true, label="", color="#444444", '
        f'penwidth=0.6, fontname="{FONT}", fontsize=10]',
        '  edge [color="#8C8C8C99"]',
    ]
    for iri in ranked:
        node = network.nodes[iri]
        # The area grows with the measure, from the least to the most central shown.
        width = scale * (0.18 + 0.72 * math.sqrt((values[iri] - low) / spread))
        red, green, blue = colour(node.kind)
        attrs = [
            f"width={width:.3f}",
            f'fillcolor="#{red:02X}{green:02X}{blue:02X}"',
            f"URL={_quoted(iri)}",
            f"tooltip={_quoted(' — '.join(x for x in (node.label, node.kind_label(lang), node.territory) if x))}",
        ]
        if iri in named:
            attrs.append(f"xlabel={_quoted(_short(node.label))}")
        lines.append(f"  {_quoted(node.slug)} [{', '.join(attrs)}]")
    for edge in network.edges.values():
        width = 0.6 + 0.8 * math.log2(edge.weight) if edge.weight > 1 else 0.6
        lines.append(
            f"  {_quoted(network.nodes[edge.a].slug)} -- {_quoted(network.nodes[edge.b].slug)} "
            f"[penwidth={width:.2f}]"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend(network: Network, named: int, size_by: str, lang: str, total: int | None) -> str:
    """An HTML-like table: the title and counts, the kinds present, the measure."""
    words = _TEXT[lang]
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{_html(words["title"])}</B></TD></TR>']
    counts = words["counts"].format(
        nodes=_number(len(network.nodes), lang), edges=_number(len(network.edges), lang)
    )
    rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_html(counts)}</TD></TR>')
    if total is not None and total > len(network.nodes):
        shown = words["shown"].format(
            shown=_number(len(network.nodes), lang), total=_number(total, lang)
        )
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_html(shown)}</TD></TR>')
    present = {node.kind for node in network.nodes.values()}
    for kind in LEGEND_ORDER:
        if kind in present:
            label = KIND_LABELS[kind][1 if lang == "fr" else 0]
            rows.append(
                f'<TR><TD WIDTH="14" HEIGHT="14" FIXEDSIZE="TRUE" BGCOLOR="{PALETTE[kind]}"></TD>'
                f'<TD ALIGN="LEFT">{_html(label)}</TD></TR>'
            )
    notes = [words["size"].format(measure=words[size_by]), words["edges"]]
    if named:
        notes.insert(1, words["names"].format(n=_number(named, lang)))
    for note in notes:
        rows.append(
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="10">{_html(note)}</FONT></TD></TR>'
        )
    return '<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def draw(source: str, paths: list[Path], *, timeout: float = 300.0) -> None:
    """Lay ``source`` out once with ``sfdp`` and write each of ``paths``
    (``.svg`` or ``.png``, by extension); each file appears whole or not at all."""
    for path in paths:
        if path.suffix.lower() not in FORMATS:
            raise UsageError(
                f"{path}: unknown picture extension {path.suffix!r}; expected .svg or .png"
            )
    exe = shutil.which("sfdp")
    if exe is None:
        raise ActorGraphError(
            "cannot draw the picture: Graphviz's sfdp is not installed",
            hint="install Graphviz (Debian: apt-get install graphviz), or write a .gexf or "
            ".graphml file and open it in Gephi or Cytoscape",
        )
    with tempfile.TemporaryDirectory(prefix="actorgraph-picture-") as tmp:
        args = [exe]
        staged = []
        for i, path in enumerate(paths):
            out = Path(tmp) / f"{i}{path.suffix.lower()}"
            args += [f"-T{path.suffix.lower()[1:]}", f"-o{out}"]
            staged.append((out, path))
        try:
            done = subprocess.run(
                args, input=source.encode(), capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise ActorGraphError(
                f"sfdp did not lay the picture out within {timeout:.0f} s",
                hint="draw fewer organisations (--top N)",
            ) from None
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise ActorGraphError(f"sfdp failed: {message[-1] if message else done.returncode}")
        for out, path in staged:
            atomic_write(path, out.read_bytes())
