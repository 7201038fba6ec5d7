"""The pages' two languages: which one a request gets, the pages' own words in
each, and the data's labels picked by language.

A request's language is, in order: a ``?lang=fr|en`` parameter (the visible
switch; the answer remembers it in a cookie), the ``lang`` cookie, the
``Accept-Language`` header, else French.

>>> choose_language(None, None, "en-GB,en;q=0.9,fr;q=0.5")
'en'
>>> choose_language(None, "en", "fr")
'en'
>>> choose_language("fr", "en", "en")
'fr'
>>> choose_language(None, None, "de, *;q=0.1")
'fr'
>>> t = Translator("en")
>>> t("search"), t.count("partner", 13), Translator("fr").count("partner", 1)
('Search', '13 partners', '1 partenaire')
>>> pick([ox.Literal("Région", language="fr"), ox.Literal("Region", language="en")], "en").value
'Region'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

#: The pages' languages; the first is the default.
LANGUAGES = ("fr", "en")
DEFAULT = "fr"
#: The query parameter of the language switch, and the cookie remembering it.
PARAM = "lang"
COOKIE = "lang"


def accepted(header: str | None) -> list[str]:
    """The primary language tags of an ``Accept-Language`` header, best first.

    >>> accepted("fr-CA;q=0.8, en;q=0.9, *;q=0.1")
    ['en', 'fr', '*']
    >>> accepted("en;q=0, fr")
    ['fr']
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            ranked.append((-weight, i, tag.split("-")[0]))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(param: str | None, cookie: str | None, header: str | None) -> str:
    """The language of a page (see the module's docstring)."""
    for given in (param, cookie):
        if given in LANGUAGES:
            return given
    for tag in accepted(header):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def pick(literals: Iterable[ox.Literal], lang: str) -> ox.Literal | None:
    """The literal in ``lang``, else French, else English, else untagged, else any."""
    by_lang: dict[str, ox.Literal] = {}
    for lit in literals:
        by_lang.setdefault(lit.language or "", lit)
    for wanted in (lang, "fr", "en", ""):
        if wanted in by_lang:
            return by_lang[wanted]
    return next(iter(by_lang.values()), None)


# The pages' own words: key -> (English, French). Plurals: "<key>" is one,
# "<key>s" many (see Translator.count).
MESSAGES: dict[str, tuple[str, str]] = {
    # frame
    "site_name": ("actorgraph", "actorgraph"),
    "tagline": (
        "Actors of public transformation and ecological transition in France, as linked data",
        "Les acteurs de la transformation publique et de la transition écologique en France, en données liées",
    ),
    "skip": ("Skip to content", "Aller au contenu"),
    "nav": ("Main menu", "Menu principal"),
    "home": ("Home", "Accueil"),
    "search": ("Search", "Recherche"),
    "queries": ("Questions", "Questions"),
    "network": ("Network", "Réseau"),
    "ontology": ("Ontology", "Ontologie"),
    "territories": ("Territories", "Territoires"),
    "vocabularies": ("Vocabularies", "Vocabulaires"),
    "switch_to": ("Français", "English"),
    "switch_label": ("Version française", "English version"),
    "footer": (
        "Data under the Licence Ouverte 2.0. Every statement names its source.",
        "Données sous Licence Ouverte 2.0. Chaque affirmation nomme sa source.",
    ),
    "formats": ("This page as data", "Cette page en données"),
    "sparql": ("SPARQL endpoint", "Point d'accès SPARQL"),
    # search
    "search_label": ("Name or title", "Nom ou titre"),
    "search_button": ("Search", "Chercher"),
    "search_kind": ("Kind", "Nature"),
    "all_kinds": ("all", "toutes"),
    "search_hint": (
        "Case and accents do not matter: “la 27e region” finds “La 27e Région”.",
        "Ni la casse ni les accents ne comptent : « la 27e region » trouve « La 27e Région ».",
    ),
    "results_for": ("Results for “{q}”", "Résultats pour « {q} »"),
    "no_result": ("Nothing found for “{q}”.", "Rien trouvé pour « {q} »."),
    "shown_first": (
        "{total} found; the first {shown} are shown.",
        "{total} trouvés ; les {shown} premiers sont affichés.",
    ),
    "n_found": ("{total} found.", "{total} trouvés."),
    "matched": ("matched", "trouvé par"),
    # kinds of things
    "kind_organisation": ("organisation", "organisation"),
    "kind_authority": ("public authority (register)", "collectivité (référentiel)"),
    "kind_project": ("project", "projet"),
    "kind_partnership": ("partnership", "partenariat"),
    "kind_resource": ("resource", "ressource"),
    "kind_concept": ("concept", "concept"),
    "kind_scheme": ("vocabulary", "vocabulaire"),
    "kind_territory": ("territory", "territoire"),
    "kind_source": ("source", "source"),
    "kind_term": ("ontology term", "terme de l'ontologie"),
    "kind_graph": ("named graph", "graphe nommé"),
    "level_commune": ("commune", "commune"),
    "level_departement": ("département", "département"),
    "level_region": ("région", "région"),
    # home
    "holds": ("What the graph holds", "Ce que contient le graphe"),
    "entry_points": ("Where to start", "Par où commencer"),
    "actors": ("Actors", "Acteurs"),
    "count_triples": ("statements", "affirmations"),
    "count_graphs": ("named graphs", "graphes nommés"),
    "count_organisations": (
        "organisations of the project's sources",
        "organisations des sources du projet",
    ),
    "count_authorities": ("public authorities in the register", "collectivités du référentiel"),
    "count_projects": ("projects and programmes", "projets et programmes"),
    "count_partnerships": ("partnerships", "partenariats"),
    "count_resources": ("resources", "ressources"),
    "count_concepts": ("vocabulary concepts", "concepts des vocabulaires"),
    "count_communes": ("communes", "communes"),
    "count_departements": ("départements", "départements"),
    "count_regions": ("régions", "régions"),
    "count_sources": ("sources", "sources"),
    "home_search": (
        "Find an organisation, a project, a resource or a place.",
        "Trouver une organisation, un projet, une ressource ou un lieu.",
    ),
    "home_queries": (
        "Ready-made questions, as forms, with CSV and JSON downloads.",
        "Des questions toutes prêtes, sous forme de formulaires, avec téléchargement CSV et JSON.",
    ),
    "home_network": (
        "Who works with whom: the partnership network and its measures.",
        "Qui travaille avec qui : le réseau des partenariats et ses mesures.",
    ),
    "home_ontology": (
        "The terms of the model, their definitions and alignments.",
        "Les termes du modèle, leurs définitions et alignements.",
    ),
    "home_territories": (
        "Régions, départements and communes from INSEE's register.",
        "Régions, départements et communes du code officiel géographique de l'INSEE.",
    ),
    # entity pages, common
    "statements": ("Statements", "Affirmations"),
    "subject": ("subject", "sujet"),
    "property": ("property", "propriété"),
    "value": ("value", "valeur"),
    "graph": ("graph", "graphe"),
    "source": ("source", "source"),
    "sources": ("Sources", "Sources"),
    "sources_intro": (
        "The named graphs that state something about it, and the source each comes from.",
        "Les graphes nommés qui en disent quelque chose, et la source de chacun.",
    ),
    "statements_n": ("statements", "affirmations"),
    "source_title": ("title", "titre"),
    "modified": ("updated", "mise à jour"),
    "retrieved": ("retrieved", "relevée le"),
    "sha256": ("SHA-256", "SHA-256"),
    "file": ("file", "fichier"),
    "address": ("address", "adresse"),
    "licence": ("licence", "licence"),
    "truncated_rows": (
        "Only the first {shown} of {total} statements are shown; this page as data "
        "(links at the bottom) holds them all.",
        "Seules les {shown} premières affirmations sur {total} sont affichées ; cette page "
        "en données (liens en bas) les contient toutes.",
    ),
    "validation": ("Validation", "Validation"),
    "validation_intro": (
        "What the project's SHACL shapes and checks say about it.",
        "Ce qu'en disent les formes SHACL et les contrôles du projet.",
    ),
    "validation_ok": ("No remark.", "Aucune remarque."),
    "severity_Violation": ("violation", "violation"),
    "severity_Warning": ("warning", "avertissement"),
    "severity_Info": ("note", "information"),
    "description": ("Description", "Description"),
    "not_found": ("Not found", "Introuvable"),
    "not_found_text": (
        "Nothing is known at this address.",
        "Rien n'est connu à cette adresse.",
    ),
    "error": ("Error", "Erreur"),
    "iri": ("IRI", "IRI"),
    "note": ("note", "note"),
    "in_scheme": ("vocabulary", "vocabulaire"),
    # organisation card
    "names": ("Names", "Noms"),
    "pref_name": ("name", "nom"),
    "alt_name": ("other name", "autre nom"),
    "hidden_name": ("misspelling found in a source", "graphie fautive relevée dans une source"),
    "kind": ("kind", "nature"),
    "identity": ("Identity", "Identité"),
    "founded": ("founded", "fondation"),
    "ceased": ("ceased activity", "cessation d'activité"),
    "incubated_by": ("incubated by", "incubée par"),
    "general_interest": ("general interest", "intérêt général"),
    "approach": ("approach", "approche"),
    "homepage": ("website", "site web"),
    "yes": ("yes", "oui"),
    "no": ("no", "non"),
    "identifiers": ("Identifiers", "Identifiants"),
    "siren": ("SIREN", "SIREN"),
    "former_siren": ("former SIREN", "ancien SIREN"),
    "rna": ("RNA", "RNA"),
    "insee_code": ("INSEE code", "code INSEE"),
    "territory_item": ("Wikidata (territory)", "Wikidata (territoire)"),
    "institution_item": ("Wikidata (institution)", "Wikidata (institution)"),
    "same_as": ("same institution", "même institution"),
    "register_siren": ("Annuaire des entreprises", "Annuaire des entreprises"),
    "register_insee": ("INSEE", "INSEE"),
    "contact": ("Contact", "Contact"),
    "email": ("email", "courriel"),
    "web": ("web", "web"),
    "partners": ("Partners", "Partenaires"),
    "partners_summary": (
        "{partners} in {links} partnerships.",
        "{partners} dans {links} partenariats.",
    ),
    "their_partners": ("Their partners", "Ses partenaires"),
    "partner_of": ("They are a partner of", "Elle est partenaire de"),
    "no_project": ("Outside any named project", "Hors projet nommé"),
    "in_project": ("Project {project}", "Projet {project}"),
    "led_by": ("led by", "porté par"),
    "as_written": ("written", "écrit"),
    "no_role": ("role not stated", "rôle non précisé"),
    "projects": ("Projects", "Projets"),
    "leader": ("leader", "porteur"),
    "partner_in": ("partner", "partenaire"),
    "resources": ("Resources", "Ressources"),
    "resources_summary": ("{n} related resources.", "{n} ressources liées."),
    "title": ("title", "titre"),
    "themes": ("themes", "thèmes"),
    "truncated": ("title cut short by the source", "titre coupé par la source"),
    "publisher": ("publisher", "éditeur"),
    "related_actor": ("related actor", "acteur lié"),
    "territory": ("Territory", "Territoire"),
    "governs": ("governs", "administre"),
    "member_of": ("member of", "membre de"),
    "members": ("Member communes", "Communes membres"),
    "network_place": ("In the partnership network", "Dans le réseau des partenariats"),
    "neighbourhood_alt": (
        "{name} and the organisations it is linked to in the partnership network",
        "{name} et les organisations auxquelles elle est liée dans le réseau des partenariats",
    ),
    "degree": ("organisations linked", "organisations liées"),
    "pagerank": ("PageRank", "PageRank"),
    "betweenness": ("betweenness", "intermédiarité"),
    "community": ("community", "communauté"),
    # project
    "dates": ("dates", "dates"),
    "start": ("start", "début"),
    "end": ("end", "fin"),
    "methods": ("methods", "méthodes"),
    "programme": ("part of programme", "fait partie du programme"),
    "immersion_duration": ("immersion length", "durée d'immersion"),
    "immersion_count": ("immersions per cycle", "immersions par cycle"),
    "immersion_setting": ("settings", "lieux d'immersion"),
    "open_method": ("open method", "méthode ouverte"),
    "outputs": ("outputs", "productions"),
    "involved": ("Organisations involved", "Organisations impliquées"),
    "role": ("role", "rôle"),
    "spatial": ("area covered", "territoire couvert"),
    # resource
    "kind_of_resource": ("kind", "type"),
    "related_actors": ("related actors", "acteurs liés"),
    "list_position": ("position in the source's list", "position dans la liste de la source"),
    "link": ("link", "lien"),
    # concepts
    "definition": ("definition", "définition"),
    "broader": ("broader", "plus général"),
    "narrower": ("narrower", "plus précis"),
    "alt_labels": ("other words", "autres mots"),
    "kind_class": ("class", "classe"),
    "used_by": ("Used by", "Utilisé par"),
    "used_by_more": ("…and {n} more.", "…et {n} autres."),
    "concepts": ("Concepts", "Concepts"),
    # territory
    "level": ("level", "niveau"),
    "within": ("within", "dans"),
    "authority": ("authority", "collectivité"),
    "epci": ("intercommunality (EPCI)", "intercommunalité (EPCI)"),
    "subdivisions": ("Subdivisions", "Subdivisions"),
    "actors_here": ("Actors of the graph here", "Acteurs du graphe sur ce territoire"),
    "actors_here_none": (
        "No actor of the project's sources is linked to it.",
        "Aucun acteur des sources du projet n'y est rattaché.",
    ),
    "via": ("through", "via"),
    "territory_choose": (
        "Several territories have code {code}",
        "Plusieurs territoires ont le code {code}",
    ),
    "regions_list": ("Régions and their départements", "Régions et leurs départements"),
    # queries
    "catalogue": ("Question catalogue", "Catalogue de questions"),
    "catalogue_intro": (
        "Each question is a SPARQL query of the project; fill in its parameters and run it.",
        "Chaque question est une requête SPARQL du projet ; renseignez ses paramètres et lancez-la.",
    ),
    "reports": ("Questions", "Questions"),
    "checks": (
        "Data checks (must return nothing)",
        "Contrôles des données (ne doivent rien renvoyer)",
    ),
    "parameters": ("Parameters", "Paramètres"),
    "no_parameters": (
        "This question takes no parameter.",
        "Cette question ne prend aucun paramètre.",
    ),
    "run": ("Run", "Lancer"),
    "results": ("Results", "Résultats"),
    "n_rows": ("{n} rows.", "{n} lignes."),
    "rows_truncated": ("Cut at {n} rows.", "Coupé à {n} lignes."),
    "download": ("Download", "Télécharger"),
    "query_text": ("The query", "La requête"),
    "optional": ("optional, default {value}", "facultatif, par défaut {value}"),
    "example": ("e.g. {value}", "p. ex. {value}"),
    "missing_param": ("Missing value for ?{name}.", "Valeur manquante pour ?{name}."),
    "federated": ("Asks {services} (federated query).", "Interroge {services} (requête fédérée)."),
    "service_refused": (
        "This server does not call {service}.",
        "Ce serveur n'interroge pas {service}.",
    ),
    "query_not_found": (
        "No question is named “{name}”.",
        "Aucune question ne s'appelle « {name} ».",
    ),
    # network
    "network_title": ("Partnership network", "Réseau des partenariats"),
    "network_intro": (
        "Organisations are linked when one is the other's partner, when they take part in the same project, or when one incubated the other.",
        "Deux organisations sont liées quand l'une est partenaire de l'autre, quand elles prennent part au même projet, ou quand l'une a incubé l'autre.",
    ),
    "network_counts": (
        "{nodes} organisations, {edges} links, {communities} communities.",
        "{nodes} organisations, {edges} liens, {communities} communautés.",
    ),
    "network_alt": (
        "The partnership network drawn as circles joined by lines",
        "Le réseau des partenariats dessiné en cercles reliés par des traits",
    ),
    "network_open": (
        "Open the picture (its circles are links)",
        "Ouvrir l'image (ses cercles sont des liens)",
    ),
    "network_no_picture": (
        "The picture cannot be drawn here (Graphviz is missing).",
        "L'image ne peut être dessinée ici (Graphviz manque).",
    ),
    "measures": ("Measures", "Mesures"),
    "weighted_degree": ("weighted degree", "degré pondéré"),
    "articulation": ("cut point", "point d'articulation"),
    "rank": ("rank", "rang"),
    # ontology
    "classes": ("Classes", "Classes"),
    "properties": ("Properties", "Propriétés"),
    "version": ("version", "version"),
    "namespace": ("namespace", "espace de noms"),
    "prefix": ("prefix", "préfixe"),
    "subclass_of": ("subclass of", "sous-classe de"),
    "subproperty_of": ("subproperty of", "sous-propriété de"),
    "equivalent": ("equivalent to", "équivalent à"),
    "domain": ("domain", "domaine"),
    "range": ("range", "portée"),
    "inverse_of": ("inverse of", "inverse de"),
    "subclasses": ("subclasses", "sous-classes"),
    "term_type": ("type", "type"),
    "term_class": ("class", "classe"),
    "term_object": ("object property", "propriété d'objet"),
    "term_datatype": ("datatype property", "propriété de valeur"),
    "term_annotation": ("annotation property", "propriété d'annotation"),
    "term_property": ("property", "propriété"),
    "scope_note": ("note", "note"),
    "see_also": ("see also", "voir aussi"),
    "contents": ("Contents", "Sommaire"),
    # the SPARQL endpoint's page
    "sparql_intro": (
        "Ask the graph in SPARQL 1.1. Programs send the SPARQL 1.1 Protocol to this same "
        "address, {url}; without a query it describes itself in RDF (SPARQL 1.1 Service "
        "Description).",
        "Interrogez le graphe en SPARQL 1.1. Les programmes envoient le protocole SPARQL 1.1 à "
        "cette même adresse, {url} ; sans requête, elle se décrit en RDF (SPARQL 1.1 Service "
        "Description).",
    ),
    "sparql_query": ("Query", "Requête"),
    "sparql_answer_as": ("Answer as", "Réponse en"),
    "sparql_run": ("Run the query", "Lancer la requête"),
    "sparql_error": ("Error", "Erreur"),
    "sparql_answer": ("Answer", "Réponse"),
    "sparql_boolean": ("Answer:", "Réponse :"),
    "sparql_cut_rows": (
        "The answer was cut at {cap} rows.",
        "La réponse a été coupée à {cap} lignes.",
    ),
    "sparql_cut_triples": (
        "The answer was cut at {cap} triples.",
        "La réponse a été coupée à {cap} triplets.",
    ),
    "sparql_examples": ("Examples: the question catalogue", "Exemples : le catalogue de questions"),
    "sparql_limits": ("Limits", "Limites"),
    "sparql_limit_time": (
        "A query runs at most {seconds} s; then it is stopped (HTTP 503).",
        "Une requête dure au plus {seconds} s ; elle est alors arrêtée (HTTP 503).",
    ),
    "sparql_limit_cap": (
        "An answer holds at most {cap} rows or triples; a longer one is cut there "
        "(header X-Actorgraph-Truncated: true).",
        "Une réponse compte au plus {cap} lignes ou triplets ; au-delà, elle est coupée "
        "(en-tête X-Actorgraph-Truncated: true).",
    ),
    "sparql_limit_service": ("SERVICE may call:", "SERVICE peut appeler :"),
    "sparql_none": ("no endpoint", "aucun point d'accès"),
    "sparql_limit_dataset": (
        "The default graph is the union of every named graph, unless the request names its "
        "graphs (default-graph-uri, named-graph-uri) or the query does (FROM).",
        "Le graphe par défaut est l'union de tous les graphes nommés, sauf si la requête HTTP "
        "nomme ses graphes (default-graph-uri, named-graph-uri) ou si la requête SPARQL le fait "
        "(FROM).",
    ),
    "sparql_format_html": ("a table on this page", "un tableau sur cette page"),
    "sparql_format_json": ("SPARQL results JSON", "résultats SPARQL en JSON"),
    "sparql_format_xml": ("SPARQL results XML", "résultats SPARQL en XML"),
    "sparql_format_csv": ("CSV", "CSV"),
    "sparql_format_tsv": ("TSV", "TSV"),
    "sparql_format_ttl": ("Turtle (CONSTRUCT, DESCRIBE)", "Turtle (CONSTRUCT, DESCRIBE)"),
    "sparql_format_jsonld": ("JSON-LD (CONSTRUCT, DESCRIBE)", "JSON-LD (CONSTRUCT, DESCRIBE)"),
    "sparql_format_nt": ("N-Triples (CONSTRUCT, DESCRIBE)", "N-Triples (CONSTRUCT, DESCRIBE)"),
}

#: Nouns counted by Translator.count: (one, many) in English, then in French.
NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "partner": (("partner", "partners"), ("partenaire", "partenaires")),
    "resource": (("resource", "resources"), ("ressource", "ressources")),
    "organisation": (("organisation", "organisations"), ("organisation", "organisations")),
    "row": (("row", "rows"), ("ligne", "lignes")),
}


@dataclass(frozen=True)
class Translator:
    """The pages' words in one language: ``t("key", name=value)``."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        en, fr = MESSAGES.get(key, (key, key))
        text = fr if self.lang == "fr" else en
        return text.format(**values) if values else text

    def label(self, key: str) -> str:
        """The word of ``key`` followed by a colon, as the language writes it.

        >>> Translator("en").label("download"), Translator("fr").label("download")
        ('Download:', 'Télécharger\u202f:')
        """
        return self(key) + ("\u202f:" if self.lang == "fr" else ":")

    def count(self, noun: str, n: int) -> str:
        """``n`` and the noun, singular or plural (French: 0 and 1 take the singular)."""
        en, fr = NOUNS[noun]
        one, many = fr if self.lang == "fr" else en
        singular = n <= 1 if self.lang == "fr" else n == 1
        return f"{self.number(n)} {one if singular else many}"

    def number(self, n: int | float) -> str:
        """A number as the language writes it (French groups thousands with a thin space)."""
        text = f"{n:,.4f}".rstrip("0").rstrip(".") if isinstance(n, float) else f"{n:,}"
        if self.lang == "fr":
            text = text.replace(",", "\u202f").replace(".", ",")
        return text


__all__ = [
    "COOKIE",
    "DEFAULT",
    "LANGUAGES",
    "MESSAGES",
    "PARAM",
    "Translator",
    "accepted",
    "choose_language",
    "pick",
]
