"""Letter ids: the correspondents' surnames, whichever order their names are written in."""

from __future__ import annotations

from archive.letters.identifiers import object_id_for
from ingest.letter.model import Agent, Letter
from ingest.model import Document, Source
from metadata.dates import DateValue


def _letter(sender: str, recipient: str) -> Letter:
    source = Source("brief.txt", "text/plain", "92d9f204" + "0" * 56, 10)
    letter = Letter(document=Document(source=source, blocks=()))
    letter.metadata.date = DateValue("3. März 1899", when="1899-03-03")
    letter.metadata.senders = [Agent(name=sender)]
    letter.metadata.recipients = [Agent(name=recipient)]
    return letter


def test_the_id_takes_the_surname_of_the_display_order_name():
    inverted = object_id_for(_letter("Hofmannsthal, Hugo von", "Bölsche, Wilhelm"))
    ordered = object_id_for(_letter("Hugo von Hofmannsthal", "Wilhelm Bölsche"))
    assert inverted == ordered == "L-1899-03-03-hofmannsthal-bolsche-92d9f204"
