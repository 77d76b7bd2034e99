"""Serialise Dublin Core pairs as an ``oai_dc:dc`` record (OAI-PMH ``oai_dc.xsd``)."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from metadata.dublin_core import dublin_core
from metadata.xml import DC_NS, OAI_DC_NS, XSI_NS

SCHEMA_LOCATION = f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def oai_dc(tei_root: etree._Element) -> etree._Element:
    """``<oai_dc:dc>`` for the TEI document ``tei_root``."""
    return oai_dc_record(dublin_core(tei_root))


def oai_dc_record(pairs: Iterable[tuple[str, str]]) -> etree._Element:
    """``<oai_dc:dc>`` holding the (element, value) ``pairs`` of the crosswalk, in order."""
    record = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    record.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    for element, value in pairs:
        etree.SubElement(record, f"{{{DC_NS}}}{element}").text = value
    return record
