"""Letter anatomy: group a :class:`Document`'s blocks into letter parts.

The passes run in the order of :data:`PASSES`, each on what the previous ones left (see
:class:`ingest.letter.blocks.Draft`):

0. :func:`ingest.letter.segment.split_blocks` — blocks that run parts together are cut;
1. :func:`ingest.letter.salute.find_salute` — the greeting divides the opening from the rest;
2. :func:`ingest.letter.closer.split_tail` — trailers, postscript, closing formula,
   signatures, and a dateline or address below them, taken off the end;
3. :func:`ingest.letter.opener.read_opening` — letterhead, dateline, address and subject;
4. :func:`ingest.letter.body.build` — paragraphs and section headings;
5. :func:`ingest.letter.closer.dateline_above_closing` — a lone date line just above the
   closing formula is the dateline.

The rules' parts are then read back as one label per line (:mod:`ingest.letter.lines`) and
handed, with the lines' features, to the learned labeller (:mod:`ingest.letter.labeller`).
Where the model, sure of itself, labels a line otherwise, the parts are assembled anew from the
labels (:mod:`ingest.letter.assemble`). Last, :func:`ingest.letter.infer.infer_metadata` reads
the date, people, places and language from the parts.

A document that has none of these parts comes out as plain paragraphs, and
:meth:`Letter.missing_parts` says what was not recognised. Anatomy never opens files and never
builds XML.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.letter import body, closer, infer, labeller, opener, salute, segment
from ingest.letter.assemble import assemble
from ingest.letter.blocks import Draft
from ingest.letter.lines import Line, document_lines, labelled_items, rule_labels
from ingest.letter.model import Letter
from ingest.model import Block, Document, ListItem, Table
from metadata.dates import Years, find_date

Pass = Callable[[Draft, Letter], None]

#: the passes that find the parts, in the order they run (the metadata is inferred once the
#: labeller has had its say)
PASSES: tuple[Pass, ...] = (
    segment.split_blocks,
    salute.find_salute,
    closer.split_tail,
    opener.read_opening,
    body.build,
    closer.dateline_above_closing,
)


def recognise(document: Document, years: Years | None = None) -> Letter:
    """The letter parts and metadata of ``document`` (written within ``years``, if known)."""
    draft, letter, lines, by_rules = read_by_rules(document, years)
    body = list(draft.body)
    infer.infer_metadata(draft, letter)
    if framed(letter, years) or _structured(draft):
        return letter
    found = labeller.label(lines, by_rules)
    if not found.by_model:
        return letter
    learned = assemble(draft, labelled_items(draft.items, lines, found.labels))
    infer.infer_metadata(draft, learned)
    # the model's reading is taken only where it finds more of the letter than the rules did
    kept = [p.text for p in learned.trailers] == [p.text for p in letter.trailers]
    if kept and set(learned.missing_parts()) < set(letter.missing_parts()):
        return learned
    draft.body = body
    return letter


def _structured(draft: Draft) -> bool:
    """A document with tables, lists, footnotes or links is left to the rules: the parts the
    labeller's labels make do not yet keep such structure in the opening and closing."""
    if draft.document.notes:
        return True
    for item in draft.items:
        if isinstance(item, Table | ListItem):
            return True
        if isinstance(item, Block) and any(span.link for span in item.spans):
            return True
    return False


def framed(letter: Letter, years: Years | None = None) -> bool:
    """Whether the rules found the whole frame of a letter: a dateline with a full date, the
    salutation, and the closing formula or a signature with a name. Such a reading stands as it
    is; the labeller is asked about the others (it was trained on edition letters, and a
    modern letter the rules read whole gains nothing from it but the time its features
    take)."""
    datelines = [p.text for p in (letter.dateline, letter.closer_dateline) if p is not None]
    dated = any((found := find_date(text, None, years)) and found.value.when for text in datelines)
    signed = any(s.agent.name or s.agent.orgs for s in letter.signatories)
    closed = signed or letter.closer_salute is not None
    return dated and closed and letter.salute is not None


def read_by_rules(
    document: Document, years: Years | None = None
) -> tuple[Draft, Letter, list[Line], list[str]]:
    """The rules' reading of ``document``: the draft, the letter's parts (its metadata not yet
    inferred), its lines and their labels (what the labeller starts from, and what its
    training reads)."""
    letter = Letter(document=document)
    draft = Draft(document=document, years=years)
    for step in PASSES:
        step(draft, letter)
    lines = document_lines(draft.items)
    return draft, letter, lines, rule_labels(letter, lines)
