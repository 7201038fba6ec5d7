"""The ag: ontology terms. Generated from ontology/actorgraph.ttl by
``python -m actorgraph.gen_namespace``: do not edit by hand."""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class AG(DefinedNamespace):
    """actorgraph ontology (https://w3id.org/actorgraph/ontology#)."""

    _NS = Namespace("https://w3id.org/actorgraph/ontology#")
    _fail = True

    # Classes
    Association: URIRef  # association (non-profit)
    CommunauteAgglomeration: URIRef  # agglomeration community (communauté d'agglomération)
    CommunauteCommunes: URIRef  # community of communes (communauté de communes)
    CommunauteUrbaine: URIRef  # urban community (communauté urbaine)
    Commune: URIRef  # commune (municipality)
    ContactPoint: URIRef  # contact point
    Departement: URIRef  # département
    EPCI: URIRef  # inter-municipal cooperation body (EPCI)
    FoundationOrNetwork: URIRef  # foundation or network
    LocalAuthority: URIRef  # local authority
    Metropole: URIRef  # metropolitan authority (métropole)
    Organisation: URIRef  # organisation
    Partnership: URIRef  # partnership
    Programme: URIRef  # programme
    Project: URIRef  # project
    PublicFinancialInstitution: URIRef  # public financial institution
    PublicOrganisation: URIRef  # public organisation
    Region: URIRef  # région (region)
    Resource: URIRef  # resource
    Source: URIRef  # source
    StateService: URIRef  # State service

    # Properties
    approach: URIRef  # approach
    articulationPoint: URIRef  # articulation point
    betweenness: URIRef  # betweenness
    bridgeWith: URIRef  # bridge with
    ceasedActivity: URIRef  # ceased activity
    contactPoint: URIRef  # contact point
    degree: URIRef  # degree
    fileName: URIRef  # file name
    formerSiren: URIRef  # former SIREN number
    generalInterest: URIRef  # general interest
    immersionCount: URIRef  # immersion count
    immersionDuration: URIRef  # immersion duration
    immersionSetting: URIRef  # immersion setting
    inProject: URIRef  # in project
    incubatedBy: URIRef  # incubated by
    inseeCode: URIRef  # INSEE code
    institutionItem: URIRef  # institution Wikidata item
    kindClass: URIRef  # kind class
    leader: URIRef  # leader
    linkedCommunities: URIRef  # linked communities
    listPosition: URIRef  # list position
    method: URIRef  # method
    networkCommunity: URIRef  # network community
    networkComponent: URIRef  # network component
    openMethod: URIRef  # open method
    outputCount: URIRef  # output count
    outputLabel: URIRef  # output label
    pageRank: URIRef  # PageRank
    parameters: URIRef  # parameters
    partOfProgramme: URIRef  # part of programme
    participationCoefficient: URIRef  # participation coefficient
    partner: URIRef  # partner
    partnerName: URIRef  # partner name as written
    partnerOf: URIRef  # partner of
    relatedActor: URIRef  # related actor
    resourceKind: URIRef  # resource kind
    retrieved: URIRef  # retrieved
    rna: URIRef  # RNA number
    role: URIRef  # role
    sha256: URIRef  # SHA-256 digest
    siren: URIRef  # SIREN number
    territoryItem: URIRef  # territory Wikidata item
    theme: URIRef  # theme
    titleTruncated: URIRef  # title truncated
    weightedDegree: URIRef  # weighted degree
    worksWith: URIRef  # works with
