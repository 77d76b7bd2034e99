"""The DOCX reader: real Word packages in, the document model out.

Small packages are written part by part inside each test (so each one shows exactly the
WordprocessingML it exercises); the seed letter and the tricky corpus come from ../shared.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from lxml import etree

from ingest.errors import IngestError, LimitExceeded, UnreadableSource
from ingest.letter import anatomy
from ingest.limits import Limits
from ingest.model import Block, Document, Heading, ListItem, PageBreak, Paragraph, Table
from ingest.readers import docx
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.xml import NS as XNS
from tests.support import SHARED, shared_path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = f'xmlns:w="{W}" xmlns:r="{R}"'


# --------------------------------------------------------------------------- fixture builder


def make_docx(
    tmp_path: Path,
    body: str,
    *,
    styles: str | None = None,
    numbering: str | None = None,
    footnotes: str | None = None,
    endnotes: str | None = None,
    header: str | None = None,
    comments: str | None = None,
    core: str | None = None,
    links: dict[str, str] | None = None,
    main: str = "word/document.xml",
    name: str = "letter.docx",
) -> Path:
    """A minimal Word package whose main part holds ``body`` (the inside of ``w:body``)."""
    folder, base = main.rsplit("/", 1)
    parts: dict[str, str] = {}
    rels: list[tuple[str, str, str, bool]] = []
    for kind, content, root in (
        ("styles", styles, "styles"),
        ("numbering", numbering, "numbering"),
        ("footnotes", footnotes, "footnotes"),
        ("endnotes", endnotes, "endnotes"),
        ("header", header, "hdr"),
        ("comments", comments, "comments"),
    ):
        if content is not None:
            target = f"{kind}1.xml" if kind == "header" else f"{kind}.xml"
            parts[f"{folder}/{target}"] = f"<w:{root} {NS}>{content}</w:{root}>"
            rels.append((f"rId{kind}", f"{REL}/{kind}", target, False))
    for rel_id, url in (links or {}).items():
        rels.append((rel_id, f"{REL}/hyperlink", url, True))
    parts[main] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<w:document {NS}><w:body>{body}</w:body></w:document>"
    )
    parts[f"{folder}/_rels/{base}.rels"] = _rels(rels)
    package_rels = [("rId1", f"{REL}/officeDocument", main, False)]
    if core is not None:
        parts["docProps/core.xml"] = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:dcterms="http://purl.org/dc/terms/">{core}</cp:coreProperties>'
        )
        package_rels.append(
            (
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                "core-properties",
                "docProps/core.xml",
                False,
            )
        )
    parts["_rels/.rels"] = _rels(package_rels)
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in parts.items():
            archive.writestr(part, xml)
    return path


def _rels(rels: list[tuple[str, str, str, bool]]) -> str:
    items = "".join(
        f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rel_id, rel_type, target, external in rels
    )
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}</Relationships>"
    )


def p(runs: str, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def r(text: str, rpr: str = "") -> str:
    return (
        f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'
    )


def read(path: Path, limits: Limits | None = None) -> Document:
    return docx.read(path, limits or Limits())


def text_blocks(document: Document) -> list[Block]:
    return [b for b in document.blocks if isinstance(b, Block)]


def marks_of(block: Block, text: str) -> frozenset[str]:
    return next(s.marks for s in block.spans if s.text == text)


# --------------------------------------------------------------------------- the seed letter


@pytest.fixture
def seed_docx() -> Path:
    return shared_path("seed/open-letter-2017.docx")


def test_seed_letter_blocks_keep_address_lines_and_signatures(seed_docx: Path) -> None:
    document = read(seed_docx)
    blocks = text_blocks(document)
    assert all(type(b) is Paragraph for b in blocks)
    assert [b.text for b in blocks[:4]] == [
        "July 13, 2017",
        "Sauli Niinistö\nMariankatu 2\n00170 Helsinki",
        "Open letter to the President of Finland",
        "Mr.\u00a0President Sauli Niinistö,",
    ]
    assert blocks[2].all_bold and not blocks[1].all_bold
    assert blocks[-2].lines == [
        "Bjørn Engesland",
        "Secretary General",
        "Norwegian Helsinki Committee",
    ]
    assert blocks[-1].lines == [
        "Hugh Williamson",
        "Europe and Central Asia Division",
        "Human Rights Watch",
    ]
    assert not any(isinstance(b, PageBreak) for b in document.blocks)
    assert document.source.media_type == docx.MEDIA_TYPE
    assert document.source.filename == "open-letter-2017.docx"


def test_seed_letter_footnote_sits_at_its_callout_and_links_its_url(seed_docx: Path) -> None:
    document = read(seed_docx)
    holder = next(b for b in text_blocks(document) if any(s.note for s in b.spans))
    index = next(i for i, s in enumerate(holder.spans) if s.note)
    callout = holder.spans[index]
    assert (callout.text, callout.note, callout.marks) == ("1", "fn20", frozenset({"superscript"}))
    assert holder.spans[index - 1].text.endswith("meaningless.”")
    assert "1" not in holder.text[-3:]  # the callout label is not body text

    assert list(document.notes) == ["fn20"]
    note = document.notes["fn20"]
    assert (note.label, note.kind) == ("1", "footnote")
    assert note.text.startswith("Maina Kiai")
    links = [s for b in note.blocks for s in b.spans if s.link]
    assert [(s.text, s.link) for s in links] == [
        ("http://www.eurasianet.org/node/82831", "http://www.eurasianet.org/node/82831")
    ]


def test_sniff_tells_word_packages_from_other_files(seed_docx: Path, tmp_path: Path) -> None:
    data = seed_docx.read_bytes()
    assert docx.sniff(data[:8192], seed_docx)

    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a letter")
    assert not docx.sniff(other_zip.read_bytes()[:8192], other_zip)

    text = tmp_path / "letter.txt"
    text.write_text("Dear Sir,\n", encoding="utf-8")
    assert not docx.sniff(text.read_bytes(), text)

    # a damaged DOCX is still claimed, so the user hears that it is damaged
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(data[: len(data) // 2])
    assert docx.sniff(truncated.read_bytes()[:8192], truncated)


def test_truncated_docx_is_unreadable_and_the_message_names_the_file(
    seed_docx: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "half-a-letter.docx"
    data = seed_docx.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableSource) as caught:
        read(truncated)
    assert "half-a-letter.docx" in str(caught.value)
    assert "damaged" in caught.value.reason


def test_zip_bomb_guard_counts_unpacked_bytes(seed_docx: Path) -> None:
    with pytest.raises(LimitExceeded) as caught:
        read(seed_docx, Limits(max_unzipped_bytes=10_000))
    assert "open-letter-2017.docx" in str(caught.value)


# --------------------------------------------------------------------------- structure


def test_headings_from_style_names_title_and_outline_level(tmp_path: Path) -> None:
    styles = (
        '<w:style w:type="paragraph" w:styleId="Berschrift1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Sub"><w:name w:val="Section"/>'
        '<w:basedOn w:val="H2"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="H2"><w:name w:val="heading 2"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    )
    body = (
        p(r("The Title"), '<w:pStyle w:val="Title"/>')
        + p(r("Localised heading"), '<w:pStyle w:val="Berschrift1"/>')
        + p(r("Derived heading"), '<w:pStyle w:val="Sub"/>')
        + p(r("Outline heading"), '<w:outlineLvl w:val="2"/>')
        + p(r("Body text"), '<w:pStyle w:val="Normal"/>')
    )
    blocks = read(make_docx(tmp_path, body, styles=styles)).blocks
    assert [(type(b).__name__, getattr(b, "level", None), b.text) for b in blocks] == [
        ("Heading", 1, "The Title"),
        ("Heading", 1, "Localised heading"),
        ("Heading", 2, "Derived heading"),
        ("Heading", 3, "Outline heading"),
        ("Paragraph", None, "Body text"),
    ]


def test_python_docx_output_headings_marks_and_core_properties(tmp_path: Path) -> None:
    made = python_docx.Document()
    made.add_heading("Letter to the editor", level=1)
    para = made.add_paragraph("Plain, ")
    para.add_run("bold").bold = True
    para.add_run(" and ")
    para.add_run("italic").italic = True
    made.core_properties.title = "To the editor"
    made.core_properties.author = "Ada Writer"
    made.core_properties.language = "en-GB"
    made.core_properties.keywords = ""
    path = tmp_path / "made.docx"
    made.save(str(path))

    document = read(path)
    heading, body = document.blocks
    assert isinstance(heading, Heading) and heading.level == 1
    assert heading.text == "Letter to the editor"
    assert body.text == "Plain, bold and italic"
    assert marks_of(body, "bold") == {"bold"}
    assert marks_of(body, "italic") == {"italic"}
    assert document.properties["title"] == "To the editor"
    assert document.properties["author"] == "Ada Writer"
    assert document.properties["language"] == "en-GB"
    assert "keywords" not in document.properties  # empty values are not candidates


def test_run_marks_respect_explicit_off_values(tmp_path: Path) -> None:
    styles = (
        '<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/>'
        "<w:rPr><w:b/></w:rPr></w:style>"
    )
    body = p(
        r("bold", "<w:b/>")
        + r(" notbold", '<w:b w:val="0"/>')
        + r(" also-not", '<w:b w:val="false"/><w:i w:val="off"/>')
        + r(" italic", "<w:i/>")
        + r(" under", '<w:u w:val="single"/>')
        + r(" nounder", '<w:u w:val="none"/>')
        + r("2", '<w:vertAlign w:val="superscript"/>')
        + r(" strong", '<w:rStyle w:val="Strong"/>')
    )
    (block,) = read(make_docx(tmp_path, body, styles=styles)).blocks
    assert block.text == "bold notbold also-not italic under nounder2 strong"
    assert marks_of(block, "bold") == {"bold"}
    assert marks_of(block, " notbold also-not") == frozenset()
    assert marks_of(block, " italic") == {"italic"}
    assert marks_of(block, " under") == {"underline"}
    assert marks_of(block, "2") == {"superscript"}
    assert marks_of(block, " strong") == {"bold"}


def test_line_breaks_tabs_and_no_break_hyphens(tmp_path: Path) -> None:
    body = p(
        r("Ada Writer")
        + "<w:r><w:br/><w:t>12 High Street</w:t><w:br w:type='textWrapping'/></w:r>"
        + "<w:r><w:t>Ref.</w:t><w:tab/><w:t>A</w:t><w:noBreakHyphen/><w:t>7</w:t></w:r>"
        + "<w:r><w:lastRenderedPageBreak/><w:t xml:space='preserve'> ok</w:t></w:r>"
    )
    (block,) = read(make_docx(tmp_path, body)).blocks
    assert block.text == "Ada Writer\n12 High Street\nRef.\tA-7 ok"
    assert block.lines == ["Ada Writer", "12 High Street", "Ref.\tA-7 ok"]


def test_symbol_characters_only_when_they_are_real_characters(tmp_path: Path) -> None:
    body = p(
        r("10")
        + '<w:r><w:sym w:font="Arial" w:char="2013"/></w:r>'
        + r("12 ")
        + '<w:r><w:sym w:font="Wingdings" w:char="F04A"/></w:r>'
        + '<w:r><w:sym w:font="Symbol" w:char="0061"/></w:r>'
        + '<w:r><w:sym w:font="Calibri" w:char="F020"/></w:r>'
        + r("ok")
    )
    (block,) = read(make_docx(tmp_path, body)).blocks
    assert block.text == "10–12 ok"


def test_hard_page_breaks_number_the_pages(tmp_path: Path) -> None:
    body = (
        p(r("first page"))
        + p('<w:r><w:br w:type="page"/></w:r>')
        + p(r("second page") + '<w:r><w:br w:type="page"/></w:r>' + r("third page"))
        + p(r("still third"))
        + p(r("fourth page"), "<w:pageBreakBefore/>")
    )
    blocks = read(make_docx(tmp_path, body)).blocks
    assert [b if isinstance(b, PageBreak) else b.text for b in blocks] == [
        PageBreak(1),
        "first page",
        PageBreak(2),
        "second page",
        PageBreak(3),
        "third page",
        "still third",
        PageBreak(4),
        "fourth page",
    ]


def test_no_page_break_blocks_without_hard_breaks(tmp_path: Path) -> None:
    body = p(r("one")) + p("<w:r><w:lastRenderedPageBreak/><w:t>two</w:t></w:r>")
    blocks = read(make_docx(tmp_path, body)).blocks
    assert [type(b) for b in blocks] == [Paragraph, Paragraph]


def test_numbered_and_bulleted_list_items(tmp_path: Path) -> None:
    numbering = (
        '<w:abstractNum w:abstractNumId="0">'
        '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/>'
        '</w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    )

    def item(text: str, num: int, level: int) -> str:
        return p(r(text), f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>')

    body = (
        item("apples", 1, 0)
        + item("green ones", 1, 1)
        + item("first step", 2, 0)
        + item("sub-step", 2, 1)
        + p(r("not numbered"), '<w:numPr><w:numId w:val="0"/></w:numPr>')
    )
    blocks = read(make_docx(tmp_path, body, numbering=numbering)).blocks
    assert [(b.text, b.level, b.ordered) for b in blocks if isinstance(b, ListItem)] == [
        ("apples", 0, False),
        ("green ones", 1, False),
        ("first step", 0, True),
        ("sub-step", 1, True),
    ]
    assert type(blocks[-1]) is Paragraph


def test_table_cells_become_paragraph_tuples(tmp_path: Path) -> None:
    def cell(content: str, tcpr: str = "") -> str:
        return f"<w:tc>{f'<w:tcPr>{tcpr}</w:tcPr>' if tcpr else ''}{content}</w:tc>"

    nested = f"<w:tbl><w:tr>{cell(p(r('inner a')))}{cell(p(r('inner b')))}</w:tr></w:tbl>"
    first_row = cell(p(r("Date")), '<w:vMerge w:val="restart"/>') + cell(
        p(r("13 July")) + p(r("2017"))
    )
    second_row = cell(p(""), "<w:vMerge/>") + cell(nested)
    table = f"<w:tbl><w:tr>{first_row}</w:tr><w:tr>{second_row}</w:tr></w:tbl>"
    body = p(r("Above")) + table + p(r("Below"))
    above, grid, below = read(make_docx(tmp_path, body)).blocks
    assert (above.text, below.text) == ("Above", "Below")
    assert isinstance(grid, Table)
    assert [[[b.text for b in c] for c in row] for row in grid.rows] == [
        [["Date"], ["13 July", "2017"]],
        [[], ["inner a", "inner b"]],
    ]
    assert all(type(b) is Paragraph for row in grid.rows for c in row for b in c)


def test_text_box_text_follows_its_anchor_once(tmp_path: Path) -> None:
    box = (
        '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/'
        'markup-compatibility/2006"><mc:Choice Requires="wps"><w:drawing><wps:txbx '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<w:txbxContent>{p(r('Boxed note'))}</w:txbxContent></wps:txbx></w:drawing>"
        "</mc:Choice><mc:Fallback><w:pict><v:textbox xmlns:v='urn:schemas-microsoft-com:vml'>"
        f"<w:txbxContent>{p(r('Boxed note'))}</w:txbxContent></v:textbox></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    body = p(r("Anchor") + box) + p(r("After"))
    blocks = read(make_docx(tmp_path, body)).blocks
    assert [b.text for b in blocks] == ["Anchor", "Boxed note", "After"]


# --------------------------------------------------------------------------- links


def test_hyperlinks_relationship_anchor_and_fields(tmp_path: Path) -> None:
    body = p(
        r("See ")
        + '<w:hyperlink r:id="rIdLink">'
        + r("our site", '<w:rStyle w:val="Hyperlink"/>')
        + "</w:hyperlink>"
        + r(", ")
        + '<w:hyperlink w:anchor="_Toc1">'
        + r("section 2")
        + "</w:hyperlink>"
        + r(", ")
        + "<w:fldSimple w:instr=' HYPERLINK \"https://example.org/simple\" '>"
        + r("simple field")
        + "</w:fldSimple>"
        + r(" and ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/complex" '
        + "\\o &quot;tip&quot; </w:instrText></w:r>"
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("complex field")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + r(", ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> HYPERLINK \\l "_Toc1" </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("field to section 2")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + r(" on page ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \\h </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("4")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    path = make_docx(tmp_path, body, links={"rIdLink": "https://example.org/home"})
    (block,) = read(path).blocks
    assert block.text == (
        "See our site, section 2, simple field and complex field, field to section 2 on page 4"
    )
    assert [(s.text, s.link) for s in block.spans if s.link] == [
        ("our site", "https://example.org/home"),
        ("simple field", "https://example.org/simple"),
        ("complex field", "https://example.org/complex"),
    ]
    assert "HYPERLINK" not in block.text and "PAGEREF" not in block.text


def test_text_inside_a_field_instruction_is_not_read(tmp_path: Path) -> None:
    # a nested field's result inside another field's instruction is still instruction code
    body = p(
        r("Dear ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> MERGEFIELD Gender </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("«Gender»")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> = "F" "Madam" "Sir" </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r("Madam")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + r(",")
    )
    (block,) = read(make_docx(tmp_path, body)).blocks
    assert block.text == "Dear Madam,"


def test_written_out_urls_become_links(tmp_path: Path) -> None:
    (block,) = read(make_docx(tmp_path, p(r("Details at https://example.org/a.")))).blocks
    assert [(s.text, s.link) for s in block.spans] == [
        ("Details at ", None),
        ("https://example.org/a", "https://example.org/a"),
        (".", None),
    ]


# --------------------------------------------------------------------------- notes


def _note(kind: str, note_id: str, text: str) -> str:
    return (
        f'<w:{kind} w:id="{note_id}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/>'
        f"</w:rPr><w:{kind}Ref/></w:r>{r(' ' + text)}</w:p></w:{kind}>"
    )


def test_footnotes_are_numbered_in_order_of_first_callout(tmp_path: Path) -> None:
    separators = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
    )
    footnotes = separators + _note("footnote", "7", "Seven.") + _note("footnote", "3", "Three.")
    body = p(
        r("First")
        + '<w:r><w:footnoteReference w:id="7"/></w:r>'
        + r(" second")
        + '<w:r><w:footnoteReference w:id="3"/></w:r>'
        + r(" again")
        + '<w:r><w:footnoteReference w:id="7"/></w:r>'
    )
    document = read(make_docx(tmp_path, body, footnotes=footnotes))
    (block,) = document.blocks
    assert block.text == "First second again"
    assert [(s.text, s.note) for s in block.spans if s.note] == [
        ("1", "fn7"),
        ("2", "fn3"),
        ("1", "fn7"),
    ]
    assert list(document.notes) == ["fn7", "fn3"]
    assert [(n.label, n.text, n.kind) for n in document.notes.values()] == [
        ("1", "Seven.", "footnote"),
        ("2", "Three.", "footnote"),
    ]


def test_endnotes_are_notes_of_kind_endnote(tmp_path: Path) -> None:
    endnotes = _note("endnote", "2", "An afterthought.")
    body = p(r("Text") + '<w:r><w:endnoteReference w:id="2"/></w:r>')
    document = read(make_docx(tmp_path, body, endnotes=endnotes))
    (callout,) = [s for s in document.blocks[0].spans if s.note]
    assert (callout.text, callout.note) == ("1", "en2")
    note = document.notes["en2"]
    assert (note.kind, note.label, note.text) == ("endnote", "1", "An afterthought.")


# --------------------------------------------------------------------------- tracked changes


def test_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    body = p(
        r("Lorem ")
        + '<w:ins w:id="1" w:author="A">'
        + r("dolor ")
        + "</w:ins>"
        + r("ipsum")
        + '<w:del w:id="2" w:author="A"><w:r><w:delText xml:space="preserve"> sit amet</w:delText>'
        + "</w:r></w:del>"
        + '<w:moveFrom w:id="3" w:author="A">'
        + r(" moved-away")
        + "</w:moveFrom>"
        + '<w:moveTo w:id="4" w:author="A">'
        + r(" moved-here")
        + "</w:moveTo>"
    )
    (block,) = read(make_docx(tmp_path, body)).blocks
    assert block.text == "Lorem dolor ipsum moved-here"
    # with --changes=record both sides stay, marked as TEI will show them
    (block,) = read(make_docx(tmp_path, body), Limits(changes="record")).blocks
    assert [(s.text, sorted(s.marks)) for s in block.spans] == [
        ("Lorem ", []),
        ("dolor ", ["add"]),
        ("ipsum", []),
        (" sit amet moved-away", ["del"]),
        (" moved-here", ["add"]),
    ]


def test_recorded_changes_keep_a_deleted_table_row_and_their_marks(tmp_path: Path) -> None:
    row = "<w:tr>{props}<w:tc>" + p(r("{text}", "<w:b/>")) + "</w:tc></w:tr>"
    table = (
        "<w:tbl>"
        + row.format(props="", text="kept")
        + row.format(props='<w:trPr><w:del w:id="5" w:author="A"/></w:trPr>', text="dropped")
        + "</w:tbl>"
    )
    accepted = read(make_docx(tmp_path, table)).blocks[0]
    assert [row[0][0].text for row in accepted.rows] == ["kept"]
    recorded = read(make_docx(tmp_path, table), Limits(changes="record")).blocks[0]
    assert [(row[0][0].text, row[0][0].spans[0].marks) for row in recorded.rows] == [
        ("kept", frozenset({"bold"})),
        ("dropped", frozenset({"bold", "del"})),
    ]


def test_corpus_tracked_changes_recorded() -> None:
    path = shared_path("corpus/tricky/docx/tracked-changes_mixed-insert-delete_word365.docx")
    spans = read(path, Limits(changes="record")).blocks[0].spans
    assert [(s.text, sorted(s.marks)) for s in spans[:4]] == [
        ("Lorem ", []),
        ("dolor sit amet ", ["add"]),
        ("ipsum", []),
        (" dolor sit amet", ["del"]),
    ]


# --------------------------------------------------------------------------- comments


COMMENT = (
    '<w:comment w:id="{id}" w:author="Anna Berg" w:date="2021-03-01T10:00:00Z" w:initials="AB">'
    + p("<w:r><w:annotationRef/></w:r>" + r("{text}"))
    + "</w:comment>"
)


def test_comments_are_notes_where_their_range_ends(tmp_path: Path) -> None:
    body = p(
        '<w:commentRangeStart w:id="7"/>'
        + r("Dear Sir")
        + '<w:commentRangeEnd w:id="7"/><w:r><w:commentReference w:id="7"/></w:r>'
        + r(", thank you.")
        + '<w:r><w:commentReference w:id="99"/></w:r>'  # a reference to no comment: dropped
    )
    comments = COMMENT.format(id="7", text="Too formal?")
    document = read(make_docx(tmp_path, body, comments=comments))
    (block,) = document.blocks
    assert block.text == "Dear Sir, thank you."
    assert [(s.text, s.note, s.marks) for s in block.spans if s.note] == [("1", "cm7", frozenset())]
    note = document.notes["cm7"]
    assert (note.kind, note.label, note.text) == ("comment", "1", "Too formal?")


def test_comments_can_be_left_out(tmp_path: Path) -> None:
    body = p(r("Dear Sir") + '<w:r><w:commentReference w:id="7"/></w:r>')
    path = make_docx(tmp_path, body, comments=COMMENT.format(id="7", text="Too formal?"))
    document = read(path, Limits(comments="omit"))
    assert document.notes == {}
    assert [s.note for s in document.blocks[0].spans] == [None]


def test_corpus_comment_thread_and_replies_are_all_kept() -> None:
    path = shared_path("corpus/tricky/docx/comments_thread-with-replies_word365.docx")
    document = read(path)
    assert [(n.kind, n.text) for n in document.notes.values()] == [
        ("comment", "A comment."),
        ("comment", "A reply comment."),
    ]


def test_comments_and_changes_become_valid_tei(tmp_path: Path, tei_all: etree.RelaxNG) -> None:
    body = (
        p(r("Dear Anna,"))
        + p(
            r("We shall ")
            + '<w:del w:id="1" w:author="A"><w:r><w:delText>not </w:delText></w:r></w:del>'
            + '<w:ins w:id="2" w:author="A">'
            + r("gladly ", "<w:i/>")
            + "</w:ins>"
            + r("come on Sunday")
            + '<w:r><w:commentReference w:id="3"/></w:r>'
            + r(".")
        )
        + p(r("Yours,"))
        + p(r("Erik"))
    )
    path = make_docx(tmp_path, body, comments=COMMENT.format(id="3", text="Which Sunday?"))
    letter = anatomy.recognise(read(path, Limits(changes="record")))
    root = build_tei(letter, object_id="L-x", publication=Publication(), version="0")
    assert validate_tei(root) == []
    assert tei_all.validate(root), tei_all.error_log
    (paragraph,) = root.xpath("//tei:p[tei:del]", namespaces=XNS)
    assert paragraph.xpath("string(tei:del)", namespaces=XNS) == "not "
    assert paragraph.xpath("string(tei:add/tei:hi[@rend='italic'])", namespaces=XNS) == "gladly "
    (note,) = paragraph.xpath("tei:note", namespaces=XNS)
    assert (note.get("type"), note.get("n"), note.text) == ("comment", "1", "Which Sunday?")


# --------------------------------------------------------------------------- hostile packages


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    """A billion-laughs document: the entities stay unexpanded, so the text stays small."""
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = make_docx(tmp_path, p(r("Hello &l9;")))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(
                    b"<w:document",
                    f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]><w:document'.encode(),
                    1,
                )
            target.writestr(info, data)
    try:
        document = read(bomb)
    except UnreadableSource as err:
        assert "bomb.docx" in str(err)
    else:
        assert len(document.text) < 100


def test_style_sheets_are_not_mixed_up_between_documents(tmp_path: Path) -> None:
    """Parsed style sheets are reused across documents with the same styles part; a
    document with its own styles still gets its own."""

    def styles(name: str) -> str:
        return f'<w:style w:type="paragraph" w:styleId="Letter"><w:name w:val="{name}"/></w:style>'

    body = p(r("Open letter"), '<w:pStyle w:val="Letter"/>')
    first = read(make_docx(tmp_path, body, styles=styles("heading 1"), name="a.docx"))
    second = read(make_docx(tmp_path, body, styles=styles("body text"), name="b.docx"))
    again = read(make_docx(tmp_path, body, styles=styles("heading 1"), name="c.docx"))
    assert [type(d.blocks[0]) for d in (first, second, again)] == [Heading, Paragraph, Heading]


# --------------------------------------------------------------------------- package shapes


def test_main_part_is_found_through_the_package_relationships(tmp_path: Path) -> None:
    path = make_docx(tmp_path, p(r("Renamed main part")), main="content/letter-body.xml")
    assert [b.text for b in read(path).blocks] == ["Renamed main part"]
    assert docx.sniff(path.read_bytes()[:8192], path)


def test_core_properties_and_letterhead(tmp_path: Path) -> None:
    core = (
        "<dc:title>Open letter</dc:title><dc:creator>Human Rights Watch</dc:creator>"
        '<dcterms:created xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="dcterms:W3CDTF">2017-07-13T09:00:00Z</dcterms:created>'
        "<dc:language>en-US</dc:language><dc:subject>  </dc:subject>"
    )
    body = p(r("Dear Sir,")) + (
        '<w:sectPr><w:headerReference w:type="default" r:id="rIdheader"/></w:sectPr>'
    )
    header = p(r("Norwegian Helsinki Committee")) + p(r("Oslo"))
    document = read(make_docx(tmp_path, body, core=core, header=header))
    assert document.properties == {
        "title": "Open letter",
        "author": "Human Rights Watch",
        "created": "2017-07-13T09:00:00Z",
        "language": "en-US",
        "letterhead": "Norwegian Helsinki Committee\nOslo",
    }
    assert [b.text for b in document.blocks] == ["Dear Sir,"]  # the header is not body text


def test_empty_body_gives_a_document_without_blocks(tmp_path: Path) -> None:
    document = read(make_docx(tmp_path, p("") + "<w:sectPr/>"))
    assert document.blocks == ()


def test_malformed_xml_is_unreadable(tmp_path: Path) -> None:
    path = make_docx(tmp_path, p(r("fine")))
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p></w:body>")
            target.writestr(info, data)
    with pytest.raises(UnreadableSource) as caught:
        read(broken)
    assert "broken.docx" in str(caught.value)
    assert "word/document.xml" in caught.value.reason


def test_zip_without_a_main_part_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "not-word.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UnreadableSource, match=r"not-word\.docx"):
        read(path)


# --------------------------------------------------------------------------- the tricky corpus


def test_strict_ooxml_reads_like_transitional() -> None:
    document = read(shared_path("corpus/tricky/docx/strict-ooxml_docx2python.docx"))
    items = [(b.text, b.ordered) for b in document.blocks if isinstance(b, ListItem)]
    assert items == [
        ("Bullet1", False),
        ("Bullet2", False),
        ("Number1", True),
        ("Number2", True),
    ]
    (table,) = [b for b in document.blocks if isinstance(b, Table)]
    assert [[c[0].text for c in row] for row in table.rows] == [
        ["Cellaa", "Cellab"],
        ["Cellba", "Cellbb"],
    ]
    assert [
        b.text for b in read(shared_path("corpus/tricky/docx/strict-ooxml_mammoth.docx")).blocks
    ] == ["Test"]


def test_corpus_tracked_changes_match_words_accepted_text() -> None:
    path = shared_path("corpus/tricky/docx/tracked-changes_mixed-insert-delete_word365.docx")
    assert read(path).blocks[0].text.startswith("Lorem dolor sit amet ipsum, consectetuer")


def test_corpus_symbol_font_characters_are_not_private_use_garbage() -> None:
    path = shared_path("corpus/tricky/docx/w-sym-symbol-font-chars_docx2python.docx")
    text = read(path).text
    assert "≠" in text
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def test_corpus_text_box_is_read_once() -> None:
    document = read(shared_path("corpus/tricky/docx/text-box_mammoth.docx"))
    assert [b.text for b in document.blocks] == ["Datum plane"]


def _tricky_docx() -> list[str]:
    folder = SHARED / "corpus" / "tricky" / "docx"
    found = sorted(str(path.relative_to(SHARED)) for path in folder.rglob("*.docx"))
    return found or ["corpus/tricky/docx"]  # lets shared_path skip (or fail in CI)


@pytest.mark.parametrize("relative", _tricky_docx())
def test_tricky_docx_reads_or_fails_cleanly(relative: str) -> None:
    path = shared_path(relative)
    assert docx.sniff(path.read_bytes()[:8192], path)
    try:
        document = read(path)
    except IngestError:
        pass
    else:
        assert isinstance(document, Document)
        assert all(callout_note in document.notes for callout_note in _callouts(document))


def _callouts(document: Document) -> list[str]:
    notes = []
    for block in document.blocks:
        cells = (
            [b for row in block.rows for c in row for b in c]
            if isinstance(block, Table)
            else [block]
        )
        notes.extend(s.note for b in cells if isinstance(b, Block) for s in b.spans if s.note)
    return notes
