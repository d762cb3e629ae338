"""The DCAT-AP-SE 3.0.1 catalogue of this installation's open data, in RDF/XML, for dataportal.se to harvest.

Every catalogue, dataset, distribution, data service, publisher and contact point is a resource with an absolute
IRI (no blank nodes); datasets carry a UUID in dcterms:identifier, made with uuid5 from the site address and the
dataset's name, so it stays the same from one day to the next. Theme JUST, licence CC0.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from rdflib import DCAT, DCTERMS, FOAF, RDF, XSD, Graph, Literal, Namespace, URIRef

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
THEME_JUST = URIRef("http://publications.europa.eu/resource/authority/data-theme/JUST")
SWEDEN = URIRef("http://publications.europa.eu/resource/authority/country/SWE")
DAILY = URIRef("http://publications.europa.eu/resource/authority/frequency/DAILY")
SWEDISH = URIRef("http://publications.europa.eu/resource/authority/language/SWE")
FILE_TYPES = {
    "csv": URIRef("http://publications.europa.eu/resource/authority/file-type/CSV"),
    "parquet": URIRef("http://publications.europa.eu/resource/authority/file-type/PARQUET"),
    "json": URIRef("http://publications.europa.eu/resource/authority/file-type/JSON"),
}
MEDIA_TYPES = {
    "csv": URIRef("https://www.iana.org/assignments/media-types/text/csv"),
    "parquet": URIRef("https://www.iana.org/assignments/media-types/application/vnd.apache.parquet"),
    "json": URIRef("https://www.iana.org/assignments/media-types/application/json"),
}


@dataclass(frozen=True)
class DatasetEntry:
    key: str  # "installation/promises"
    title_sv: str
    title_en: str
    description_sv: str
    description_en: str
    keywords: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (format, absolute download address)
    landing_page: str
    temporal: tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class CatalogueEntry:
    site_url: str  # "https://trygg.example.se", no trailing slash
    publisher_name: str
    publisher_orgnr: str
    contact_email: str
    title_sv: str
    description_sv: str
    api_description_url: str
    api_endpoint_url: str
    modified: dt.datetime
    datasets: tuple[DatasetEntry, ...]


def dataset_uuid(site_url: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/oppna-data/{key}"))


def publisher_iri(site_url: str, orgnr: str) -> URIRef:
    digits = "".join(character for character in orgnr if character.isdigit())
    if len(digits) == 10:
        return URIRef(f"http://dataportal.se/organisation/SE{digits}")
    return URIRef(f"{site_url}/oppna-data/katalog#utgivare")


def catalogue_graph(entry: CatalogueEntry) -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("adms", ADMS),
    ):
        graph.bind(prefix, namespace)
    base = f"{entry.site_url}/oppna-data/katalog"
    catalogue = URIRef(f"{base}#katalog")
    publisher = publisher_iri(entry.site_url, entry.publisher_orgnr)
    contact = URIRef(f"{base}#kontakt")
    modified = Literal(entry.modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)

    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(entry.publisher_name, lang="sv")))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(entry.publisher_name, lang="sv")))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{entry.contact_email}")))

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(entry.title_sv, lang="sv")))
    graph.add((catalogue, DCTERMS.description, Literal(entry.description_sv, lang="sv")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.license, CC0))
    graph.add((catalogue, DCTERMS.language, SWEDISH))
    graph.add((catalogue, DCTERMS.modified, modified))
    graph.add((catalogue, FOAF.homepage, URIRef(f"{entry.site_url}/oppna-data/")))

    service = URIRef(f"{base}#api")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("Tryggs JSON-API", lang="sv")))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCTERMS.license, CC0))
    graph.add((service, DCAT.endpointURL, URIRef(entry.api_endpoint_url)))
    graph.add((service, DCAT.endpointDescription, URIRef(entry.api_description_url)))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((catalogue, DCAT.service, service))

    for dataset_entry in entry.datasets:
        dataset = URIRef(f"{base}#{dataset_entry.key.replace('/', '-')}")
        graph.add((catalogue, DCAT.dataset, dataset))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCTERMS.identifier, Literal(dataset_uuid(entry.site_url, dataset_entry.key))))
        graph.add((dataset, DCTERMS.title, Literal(dataset_entry.title_sv, lang="sv")))
        graph.add((dataset, DCTERMS.title, Literal(dataset_entry.title_en, lang="en")))
        graph.add((dataset, DCTERMS.description, Literal(dataset_entry.description_sv, lang="sv")))
        graph.add((dataset, DCTERMS.description, Literal(dataset_entry.description_en, lang="en")))
        graph.add((dataset, DCTERMS.publisher, publisher))
        graph.add((dataset, DCAT.contactPoint, contact))
        graph.add((dataset, DCAT.theme, THEME_JUST))
        graph.add((dataset, DCTERMS.spatial, SWEDEN))
        graph.add((dataset, DCTERMS.accrualPeriodicity, DAILY))
        graph.add((dataset, DCTERMS.modified, modified))
        graph.add((dataset, DCAT.landingPage, URIRef(dataset_entry.landing_page)))
        for keyword in dataset_entry.keywords:
            graph.add((dataset, DCAT.keyword, Literal(keyword, lang="sv")))
        if dataset_entry.temporal is not None:
            period = URIRef(f"{base}#{dataset_entry.key.replace('/', '-')}-period")
            graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
            graph.add(
                (period, DCAT.startDate, Literal(dataset_entry.temporal[0].isoformat(), datatype=XSD.date))
            )
            graph.add(
                (period, DCAT.endDate, Literal(dataset_entry.temporal[1].isoformat(), datatype=XSD.date))
            )
            graph.add((dataset, DCTERMS.temporal, period))
        for file_format, address in dataset_entry.files:
            distribution = URIRef(f"{base}#{dataset_entry.key.replace('/', '-')}-{file_format}")
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add(
                (
                    distribution,
                    DCTERMS.title,
                    Literal(f"{dataset_entry.title_sv} ({file_format.upper()})", lang="sv"),
                )
            )
            graph.add((distribution, DCAT.accessURL, URIRef(address)))
            graph.add((distribution, DCAT.downloadURL, URIRef(address)))
            graph.add((distribution, DCTERMS.format, FILE_TYPES[file_format]))
            graph.add((distribution, DCAT.mediaType, MEDIA_TYPES[file_format]))
            graph.add((distribution, DCTERMS.license, CC0))
            graph.add((distribution, DCAT.accessService, service))
    return graph


def catalogue_rdf_xml(entry: CatalogueEntry) -> bytes:
    serialised = catalogue_graph(entry).serialize(format="pretty-xml", encoding="utf-8")
    return serialised if isinstance(serialised, bytes) else serialised.encode()
