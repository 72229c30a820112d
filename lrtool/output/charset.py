"""Output text for a stream whose encoding lacks lrtool's drawing characters: the nearest ASCII
instead of a UnicodeEncodeError.

PYTHONIOENCODING=ascii, a latin-1 locale or a reader that asks for either give standard output
an encoding without braille, box drawing or the en dash. rich draws a table's box in ASCII by
itself there (``ConsoleOptions.ascii_only``); the terminal plot's canvas, axes and caption
punctuation, and the table's next-step mark, are lrtool's own characters, so their stand-ins
are chosen here. A character the encoding has is kept (latin-1 keeps ``·``); one with no
stand-in (a letter in a file name) becomes ``?``, a cell wide like what it replaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrtool.output import braille

if TYPE_CHECKING:
    from rich.text import Text

#: ASCII for the other characters lrtool draws with, and ``…`` in a title: as wide as the
#: original, but ``…``.
STAND_INS = {"–": "-", "…": "...", "·": "-", "─": "-", "━": "=", "│": "|", "┊": ":",
             "┤": "+", "┬": "+", "└": "+", "◀": "<"}


def encodable(text: str, encoding: str) -> bool:
    """Whether a stream in ``encoding`` can write ``text`` (an unknown encoding: as if so, for
    the stream itself to report)."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


def stand_in(char: str) -> str:
    """ASCII for a character the stream cannot write."""
    return braille.ascii_cell(char) if braille.is_cell(char) else STAND_INS.get(char, "?")


def fit(text: str, encoding: str) -> str:
    """``text`` with every character ``encoding`` lacks replaced by its stand-in."""
    if encodable(text, encoding):
        return text
    return "".join(c if encodable(c, encoding) else stand_in(c) for c in text)


def fit_line(line: Text, encoding: str) -> Text:
    """A rich line fitted to ``encoding``; its styles kept where its width is (only ``…``
    widens a line, which then keeps its own style alone)."""
    from rich.text import Text

    plain = line.plain
    text = fit(plain, encoding)
    if text == plain:
        return line
    if len(text) != len(plain):
        return Text(text, style=line.style, end=line.end)
    fitted = line.copy()
    fitted.plain = text
    return fitted
