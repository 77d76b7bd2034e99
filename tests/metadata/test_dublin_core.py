"""The Dublin Core crosswalk, row by row, on TEI built by the real pipeline."""

from __future__ import annotations

import pytest
from lxml import etree

from ingest.letter.anatomy import recognise
from ingest.limits import Limits
from ingest.readers import read
from ingest.tei.build import Publication, build_tei
from metadata.dublin_core import CROSSWALK, dublin_core
from metadata.oai_dc import oai_dc
from tests.support import SAMPLES


@pytest.fixture(scope="module")
def tei_root() -> etree._Element:
    letter = recognise(read(SAMPLES / "letters" / "de-geschaeftsbrief-mueller.pdf", Limits()))
    publication = Publication(
        "Example Archive", "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    return build_tei(letter, object_id="L-test-1", publication=publication, version="0.1.0")


EXPECTED = {
    "title": ["Förderantrag Nr. 2021-17"],
    "creator": ["Sabine Krause", "Stiftung Lebendige Ostsee"],
    "contributor": ["Klaus Müller", "Umweltbundesamt"],
    "date": ["2021-03-03"],
    "type": ["Text", "Letter"],
    "format": ["application/tei+xml", "application/pdf"],
    "identifier": ["L-test-1"],
    "language": ["de"],
    "subject": [],
    "publisher": ["Example Archive"],
    "rights": ["https://creativecommons.org/publicdomain/zero/1.0/"],
    "coverage": ["Berlin"],
}


@pytest.mark.parametrize("row", CROSSWALK, ids=[row.element for row in CROSSWALK])
def test_crosswalk_row(tei_root, row):
    values = row.values(tei_root)
    if row.element == "source":
        assert len(values) == 1 and values[0].startswith("de-geschaeftsbrief-mueller.pdf (sha256:")
    elif row.element == "description":
        assert len(values) == 1 and values[0].startswith("vielen Dank für Ihr Schreiben")
    else:
        assert values == EXPECTED[row.element]


def test_oai_dc_record_holds_the_crosswalk_in_order(tei_root, oai_dc_schema):
    record = oai_dc(tei_root)
    assert oai_dc_schema.validate(record), oai_dc_schema.error_log
    pairs = [(etree.QName(e).localname, e.text) for e in record]
    assert pairs == dublin_core(tei_root)


def test_dublin_core_follows_an_edit_of_the_tei(tei_root):
    edited = etree.fromstring(etree.tostring(tei_root))
    title = edited.find(".//{http://www.tei-c.org/ns/1.0}title[@type='main']")
    title.text = "Ein neuer Titel"
    assert ("title", "Ein neuer Titel") in dublin_core(edited)
