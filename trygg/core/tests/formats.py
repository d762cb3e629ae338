"""Checks of published formats, written from their specifications and run through libraries Trygg did not write.

* Atom: RFC 4287 §4.1.1–4.1.2 (what atom:feed and atom:entry must contain), and feedparser reading it cleanly.
* PDF/UA-1 (ISO 14289-1): a tagged document (MarkInfo /Marked, a structure tree), the title shown
  (ViewerPreferences /DisplayDocTitle), a language, tables with header cells, and Contents on link annotations;
  read with pikepdf.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.etree import ElementTree

import feedparser
import pikepdf

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, which RFC 4287 §3.3 requires for atom:updated and atom:published.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _one(element: ElementTree.Element, name: str, where: str) -> ElementTree.Element:
    found = element.findall(f"{ATOM}{name}")
    assert len(found) == 1, f"{where} must contain exactly one atom:{name}, has {len(found)}"
    return found[0]


def _check_author(author: ElementTree.Element, where: str) -> None:
    name = author.find(f"{ATOM}name")
    assert name is not None and (name.text or "").strip(), f"{where}: atom:author without atom:name"


def assert_atom_rfc4287(content: bytes) -> list[Any]:
    """Every element RFC 4287 requires, on the feed and on every entry (author on every entry, as the W3C validator
    wants for feeds shown entry by entry); returns feedparser's entries."""
    root = ElementTree.fromstring(content)
    assert root.tag == f"{ATOM}feed"
    assert IRI.match(_one(root, "id", "atom:feed").text or "")
    assert (_one(root, "title", "atom:feed").text or "").strip()
    assert RFC3339.match(_one(root, "updated", "atom:feed").text or "")
    for author in root.findall(f"{ATOM}author"):
        _check_author(author, "atom:feed")
    assert [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"], "no rel=self link"
    ids = []
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"entry {number}"
        entry_id = _one(entry, "id", where).text or ""
        assert IRI.match(entry_id), f"{where}: atom:id is not an IRI: {entry_id!r}"
        ids.append(entry_id)
        assert (_one(entry, "title", where).text or "").strip(), f"{where}: empty atom:title"
        assert RFC3339.match(_one(entry, "updated", where).text or ""), f"{where}: atom:updated"
        authors = entry.findall(f"{ATOM}author")
        assert authors, f"{where}: no atom:author"
        for author in authors:
            _check_author(author, where)
        alternate = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"
        ]
        assert alternate or entry.find(f"{ATOM}content") is not None, (
            f"{where}: neither content nor alternate link"
        )
        for link in entry.findall(f"{ATOM}link"):
            assert IRI.match(link.get("href", "")), f"{where}: a relative link"
    assert len(ids) == len(set(ids)), "two entries share an atom:id"

    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    for entry in parsed.entries:
        assert entry.get("updated_parsed") is not None and entry.get("author")
    return list(parsed.entries)


def _struct_tags(element: Any, found: list[Any]) -> None:
    if isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.append(element)
    kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                _struct_tags(kid, found)
    elif isinstance(kids, pikepdf.Dictionary):
        _struct_tags(kids, found)


def assert_pdf_ua(data: bytes, *, title: str, tables: bool = True) -> list[str]:
    """The PDF/UA-1 essentials, read with pikepdf; returns the structure types found."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True, "MarkInfo /Marked is not true"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True, "DisplayDocTitle is not true"
        assert str(root.Lang).startswith("sv"), f"language {root.get('/Lang')!r}"
        assert title in str(pdf.docinfo.get("/Title", "")), "the document title is missing"
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1", "no PDF/UA identification in the XMP metadata"
        elements: list[Any] = []
        _struct_tags(root.StructTreeRoot, elements)
        types = [str(element.S) for element in elements]
        assert "/Document" in types and "/H1" in types
        if tables:
            assert "/Table" in types and "/TH" in types and "/TD" in types
            for element in elements:
                if str(element.S) == "/TH":
                    assert str(element.A.Scope) in {"/Column", "/Row"}, "a header cell without a Scope"
                if str(element.S) == "/TD":
                    assert len(element.A.Headers) > 0, "a data cell linked to no header"
        for element in elements:
            if str(element.S) == "/Figure":
                assert str(element.get("/Alt", "")).strip(), "a figure without alternative text"
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") == "/Link":
                    assert str(annotation.get("/Contents", "")).strip(), "a link annotation without Contents"
                    action = annotation.get("/A")
                    uri = str(action.get("/URI", "")) if action is not None else ""
                    assert "testserver" not in uri, "a link built from the request's Host header"
        return types
