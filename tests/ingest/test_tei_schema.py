"""Epistula's RELAX NG profile (ingest/tei/epistula.rng) against the builder and tei_all.

(a) The TEI built for real letters is valid against the profile and against tei_all.
(b) The profile is a strict subset of tei_all: documents tei_all rejects are rejected by the
    profile too, and some documents tei_all accepts are outside the profile.
(c) ``validate_tei`` accepts any RELAX NG file and reports where each error is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from ingest.letter import anatomy
from ingest.limits import Limits
from ingest.model import (
    Document,
    Heading,
    ListItem,
    Note,
    PageBreak,
    Paragraph,
    Source,
    Span,
    Table,
)
from ingest.readers import read
from ingest.readers import text as text_reader
from ingest.tei import schema
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.xml import NS, TEI_NS, tei
from tests.support import SAMPLES, shared_path

Check = Callable[[etree._Element], list[str]]

# -- letters ---------------------------------------------------------------------------------

#: every part the anatomy knows; two form feeds (one inside a paragraph). The footnote callout
#: stands on the last page: the text reader links callouts only there (reported to the lead).
FULL_LETTER = """\
ACME Widgets Ltd
12 High Street, London

London, 3 March 2021

Ms Jane Roe
Example Corp
4 Market Square
Oxford OX1 2AB

Re: Your order of widgets for the spring season

Dear Ms Roe,

Thank you for your letter of 1 March, which reached us promptly and which we have read \
with great interest and care.

Delivery schedule

The widgets will be shipped in three batches over the coming months, starting in April, \
and each batch will be accompanied by a full inventory and a quality certificate signed by
\four inspector, who has checked every single one of them.

We trust this arrangement will suit you and your colleagues, and we remain at your \
disposal for any further questions you may have about the order.
\f
Invoices

Payment is due thirty days after each delivery, and invoices will be sent by post as well \
as by electronic mail to the address you gave us in your letter.[1]

Yours sincerely,

John Smith
Sales Director
ACME Widgets Ltd

Mary Brown
Head of Logistics

P.S. The catalogue for next year is enclosed.

cc: Accounts Department

[1] See our terms at https://example.com/terms for details.
"""

#: nothing a letter has: no dateline, salute, closing formula or signature
PROSE = """\
Shopping list for the weekend and some thoughts on the garden, written down quickly.

The roses need pruning before the frost arrives, and the hedge is overgrown again.
"""

#: a single line of prose
ONE_LINE = "lorem ipsum dolor sit amet\n"

#: a salutation and a closing, but no body in between
NO_BODY = "Dear Anna,\n\nYours sincerely,\n\nPeter Miller\n"

#: a dateline and the recipient's address below the signature, and an editor's remark
BELOW_SIGNATURE = """\
Sir,

I have the honour to acknowledge the receipt of your letter, together with the proofs of the \
second volume, which I have examined with all the care my present indisposition would permit.

I have the honour to be, Sir,
Your most obedient humble servant,

Wm. Hargreaves

Bath, 14th April 1795

To Mr. Thomas Cadell
Bookseller
Strand, London

[Endorsed: answered 20 April]
"""


def _txt_tei(path: Path) -> etree._Element:
    letter = anatomy.recognise(text_reader.read(path, Limits()))
    return build_tei(letter, object_id="L-x", publication=Publication(), version="0.1.0")


def _para(*parts: str | Span) -> Paragraph:
    return Paragraph(tuple(Span(p) if isinstance(p, str) else p for p in parts))


def _document_tei() -> etree._Element:
    """What the text reader cannot produce: page breaks, marks, links, lists, tables and a
    two-paragraph endnote, fed to the real anatomy and builder as a reader would."""
    blocks = (
        PageBreak(1),
        _para("Hanna Berg\nKirkegata 5\n0153 Oslo"),
        _para("Oslo, 12 May 2019"),
        _para("Dear Mr Olsen,"),
        _para(
            "I write about ",
            Span("the enclosed report", frozenset({"bold", "italic"})),
            ", which you can also read at ",
            Span("our website", link="https://example.org/report"),
            ".",
            Span("1", note="n1"),
            " It took several months to put together and I hope it will be useful to the board.",
        ),
        ListItem((Span("first point"),), ordered=True),
        ListItem((Span("second point"),), ordered=True),
        Table(
            rows=(
                ((_para("Year"),), (_para("Total"),)),
                ((_para("2018"),), (_para("12"), _para("13"))),
            )
        ),
        PageBreak(2),
        Heading((Span("Findings"),)),
        _para(
            "The findings are summarised in the report and discussed at length in the appendix, "
            "which we attach",
            Span("2", note="e1"),
            ".",
        ),
        ListItem((Span("a bullet", frozenset({"underline"})),)),
        PageBreak(3),
        _para("Kind regards,"),
        _para("Hanna Berg"),
    )
    notes = {
        "n1": Note("n1", "1", (_para(" A footnote. "),)),
        "e1": Note("e1", "2", (_para("An endnote in"), _para("two paragraphs.")), kind="endnote"),
    }
    source = Source("letter.docx", "application/octet-stream", "0" * 64, 1234, pages=3)
    letter = anatomy.recognise(Document(source, blocks, notes))
    return build_tei(letter, object_id="L-y", publication=Publication(), version="0.1.0")


def _build(case: str, tmp_path: Path) -> etree._Element:
    if case == "reference":
        return _txt_tei(shared_path("seed/open-letter-2017.txt"))
    if case == "document":
        return _document_tei()
    texts = {
        "full": FULL_LETTER,
        "prose": PROSE,
        "one-line": ONE_LINE,
        "no-body": NO_BODY,
        "below-signature": BELOW_SIGNATURE,
    }
    path = tmp_path / f"{case}.txt"
    path.write_text(texts[case], encoding="utf-8")
    return _txt_tei(path)


CASES = ["reference", "full", "document", "prose", "one-line", "no-body", "below-signature"]
VALID_CASES = CASES

#: the constructs each letter must exercise (so the validity tests keep meaning something)
EXPECTED = {
    "full": set(
        "fw opener dateline date address addrLine persName placeName head salute div p note ref"
        " closer signed roleName orgName lb postscript trailer pb".split()
    ),
    "document": set("pb hi ref note list item table row cell div".split()),
    "below-signature": set("closer salute signed dateline date address addrLine trailer".split()),
}


@pytest.fixture(scope="session")
def tei_all() -> Check:
    """Validation against the official tei_all.rng, compiled once per session (~13 s)."""
    path = shared_path("corpus/schema/tei_all.rng")
    validate_tei(etree.Element(tei("TEI")), schema=path)  # compile now, not inside a test
    return lambda root: validate_tei(root, schema=path)


@pytest.fixture(scope="session")
def full_tei(tmp_path_factory: pytest.TempPathFactory) -> etree._Element:
    return _build("full", tmp_path_factory.mktemp("letters"))


# -- (a) the builder's output is valid --------------------------------------------------------


@pytest.mark.parametrize("case", VALID_CASES)
def test_built_tei_is_valid_against_profile_and_tei_all(
    case: str, tmp_path: Path, tei_all: Check
) -> None:
    root = _build(case, tmp_path)
    assert validate_tei(root) == []
    assert tei_all(root) == []


@pytest.mark.parametrize("path", sorted((SAMPLES / "letters").iterdir()), ids=lambda p: p.name)
def test_sample_letters_in_every_format_are_valid(path: Path, tei_all: Check) -> None:
    """The project's own samples (TXT, DOCX, PDF) through the format-sniffing readers."""
    letter = anatomy.recognise(read(path, Limits()))
    root = build_tei(letter, object_id="L-s", publication=Publication(), version="0.1.0")
    assert validate_tei(root) == []
    assert tei_all(root) == []


@pytest.mark.parametrize("case", CASES)
def test_profile_accepts_built_tei_only_if_tei_all_does(
    case: str, tmp_path: Path, tei_all: Check
) -> None:
    """Even where the builder is wrong, the profile must not hide it from tei_all."""
    root = _build(case, tmp_path)
    if not validate_tei(root):
        assert tei_all(root) == []


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_letters_exercise_the_profile(case: str, tmp_path: Path) -> None:
    root = _build(case, tmp_path)
    names = {etree.QName(el).localname for el in root.iter(etree.Element)}
    assert EXPECTED[case] <= names, EXPECTED[case] - names


def test_document_letter_keeps_endnote_paragraphs_and_page_breaks() -> None:
    root = _document_tei()
    assert root.xpath("//tei:note[@place='end']/tei:p", namespaces=NS)
    assert [pb.get("n") for pb in root.iter(tei("pb"))] == ["1", "2", "3"]


# -- (b) a strict subset of tei_all ----------------------------------------------------------


def _letter_div(root: etree._Element) -> etree._Element:
    return root.find("tei:text/tei:body/tei:div", NS)


def _first(root: etree._Element, xpath: str) -> etree._Element:
    return root.xpath(xpath, namespaces=NS)[0]


def _closer_before_opener(root: etree._Element) -> None:
    div = _letter_div(root)
    div.insert(0, div.find("tei:closer", NS))


def _prose_date(root: etree._Element) -> None:
    _first(root, "//tei:dateline/tei:date").set("when", "3 March 2021")


def _unknown_element(root: etree._Element) -> None:
    etree.SubElement(_first(root, "//tei:div[@type='section']/tei:p"), tei("widget"))


def _signed_in_p(root: etree._Element) -> None:
    signed = _first(root, "//tei:closer/tei:signed")
    _first(root, "//tei:div[@type='section']/tei:p").append(signed)


def _empty_corresp_action(root: etree._Element) -> None:
    action = _first(root, "//tei:correspAction[@type='received']")
    for child in list(action):
        action.remove(child)


def _closer_without_body(root: etree._Element) -> None:
    div = _letter_div(root)
    for child in div.xpath("tei:p | tei:div | tei:postscript | tei:trailer", namespaces=NS):
        div.remove(child)


def _title_missing(root: etree._Element) -> None:
    for title in root.xpath("//tei:titleStmt/tei:title", namespaces=NS):
        title.getparent().remove(title)


def _bad_cert(root: etree._Element) -> None:
    _first(root, "//tei:correspAction//tei:persName").set("cert", "certain")


def _empty_postscript(root: etree._Element) -> None:
    postscript = _first(root, "//tei:postscript")
    for child in list(postscript):
        postscript.remove(child)
    postscript.text = "P.S. loose text"


def _p_without_namespace(root: etree._Element) -> None:
    etree.SubElement(_first(root, "//tei:div[@type='section']"), "p").text = "no namespace"


REJECTED_BY_TEI_ALL = [
    _closer_before_opener,
    _prose_date,
    _unknown_element,
    _signed_in_p,
    _empty_corresp_action,
    _closer_without_body,
    _title_missing,
    _bad_cert,
    _empty_postscript,
    _p_without_namespace,
]


@pytest.mark.parametrize("mutate", REJECTED_BY_TEI_ALL, ids=lambda f: f.__name__.strip("_"))
def test_profile_rejects_what_tei_all_rejects(
    mutate: Callable[[etree._Element], None], full_tei: etree._Element, tei_all: Check
) -> None:
    root = copy.deepcopy(full_tei)
    mutate(root)
    assert tei_all(root), "the mutation should be invalid TEI"
    assert validate_tei(root)


def _speech(root: etree._Element) -> None:
    sp = etree.Element(tei("sp"))
    etree.SubElement(sp, tei("speaker")).text = "Jane"
    etree.SubElement(sp, tei("p")).text = "Hello."
    _first(root, "//tei:div[@type='letter']/tei:p").addnext(sp)


def _verse(root: etree._Element) -> None:
    lg = etree.Element(tei("lg"))
    etree.SubElement(lg, tei("l")).text = "A line of verse"
    _first(root, "//tei:div[@type='letter']/tei:p").addnext(lg)


def _p_beside_div_in_body(root: etree._Element) -> None:
    p = etree.Element(tei("p"))
    p.text = "Outside the letter"
    _letter_div(root).addprevious(p)


def _structured_name(root: etree._Element) -> None:
    name = _first(root, "//tei:signed/tei:persName")
    forename = etree.SubElement(name, tei("forename"))
    forename.text, name.text = name.text, None


def _other_rend(root: etree._Element) -> None:
    p = _first(root, "//tei:div[@type='letter']/tei:p")
    etree.SubElement(p, tei("hi"), rend="glowing").text = "shiny"


ACCEPTED_BY_TEI_ALL_ONLY = [_speech, _verse, _p_beside_div_in_body, _structured_name, _other_rend]


@pytest.mark.parametrize("mutate", ACCEPTED_BY_TEI_ALL_ONLY, ids=lambda f: f.__name__.strip("_"))
def test_profile_is_narrower_than_tei_all(
    mutate: Callable[[etree._Element], None], full_tei: etree._Element, tei_all: Check
) -> None:
    root = copy.deepcopy(full_tei)
    mutate(root)
    assert tei_all(root) == []
    assert validate_tei(root)


# -- (c) validate_tei -------------------------------------------------------------------------


def test_validate_tei_with_an_explicit_schema_path(full_tei: etree._Element) -> None:
    path = shared_path("corpus/schema/tei_all.rng")
    assert validate_tei(full_tei, schema=path) == []
    assert validate_tei(full_tei, schema=Path(schema.__file__).with_name(schema.PROFILE)) == []


def test_validate_tei_with_any_relax_ng(tmp_path: Path, full_tei: etree._Element) -> None:
    rng = tmp_path / "only-p.rng"
    rng.write_text(
        '<element name="p" ns="http://www.tei-c.org/ns/1.0"'
        ' xmlns="http://relaxng.org/ns/structure/1.0"><text/></element>',
        encoding="utf-8",
    )
    p = etree.Element(tei("p"))
    p.text = "hello"
    assert validate_tei(p, schema=rng) == []
    errors = validate_tei(full_tei, schema=rng)
    assert errors and all(": " in e for e in errors)


def test_errors_name_the_element_of_a_tree_built_in_memory(full_tei: etree._Element) -> None:
    root = copy.deepcopy(full_tei)
    _empty_corresp_action(root)
    errors = validate_tei(root)
    assert errors
    assert errors[0].startswith("TEI/teiHeader/profileDesc/correspDesc/correspAction[2]: ")


def test_errors_give_the_line_of_a_parsed_document(full_tei: etree._Element) -> None:
    root = copy.deepcopy(full_tei)
    _prose_date(root)
    parsed = etree.fromstring(etree.tostring(root, pretty_print=True))
    line = _first(parsed, "//tei:dateline/tei:date").sourceline
    errors = validate_tei(parsed)
    assert errors
    assert errors[0].split(":")[0] == str(line)


def test_profile_is_packaged_and_compiled_once() -> None:
    assert schema._profile() is schema._profile()
    root = etree.Element(tei("TEI"), nsmap={None: TEI_NS})
    assert validate_tei(root)  # the header and text are missing
