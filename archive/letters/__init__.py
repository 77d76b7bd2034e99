"""Letters on the store: what makes an OCFL object a letter.

* :mod:`~archive.letters.objects` — the object's file names (``original/``, ``tei.xml``,
  ``dc.xml``), reading a letter's TEI, Dublin Core and card (:class:`LetterStore`), and the one
  step that checks a TEI and derives Dublin Core and the card from it (:func:`derive`);
* :mod:`~archive.letters.identifiers` — a new letter's id;
* :mod:`~archive.letters.prepare` — a letter read from a file made ready (and staged) for the
  store, in the worker that read it;
* :mod:`~archive.letters.settings` — the archive's identity (``epistula.toml``), which every
  letter's TEI prints.
"""
