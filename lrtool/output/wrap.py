"""Breaking a title or a legend entry into lines without cutting a number or an argument.

A schedule's title is a constructor call; cutting it at the terminal's edge turned
``decay_steps=1000`` into ``decay_steps=100…``, which reads as another schedule. Lines here break
only after a space (and, when a single argument is wider than the line, after a call's ``(``,
an ``=`` or a ``[``): each number stays whole.
"""

from __future__ import annotations

import re

#: Where a line may break: after a space (between arguments, words, separators); and, for a
#: piece still too wide, after the parenthesis of a call, an ``=`` or a ``[``.
BREAKS = re.compile(r"(?<= )")
FINER = (re.compile(r"(?<=\w\()"), re.compile(r"(?<=[=\[])"))
#: Continuation lines are indented, so that a wrapped call still reads as one.
INDENT = 2


def wrap(text: str, width: int, indent: int = INDENT) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken only at BREAKS (or FINER).

    A piece longer than the width (a single argument wider than the terminal) keeps a line of
    its own, longer than the width, rather than being cut.

    Example:
        >>> wrap("InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1000)", 40)
        ['InverseTimeDecay(', '  initial_learning_rate=0.1,', '  decay_steps=1000)']
    """
    pieces = BREAKS.split(text)
    for finer in FINER:  # each only where the coarser breaks leave a piece too wide
        pieces = [part for piece in pieces for part in (
            finer.split(piece) if len(piece.rstrip()) > width - indent else [piece])]
    lines: list[str] = []
    current = ""
    for piece in (p for p in pieces if p):
        limit = width - (indent if lines else 0)
        if current and len(current) + len(piece.rstrip()) > limit:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
    lines.append(current.rstrip())
    # Continuation lines are indented when they fit so.
    return lines[:1] + [(" " * indent if len(line) + indent <= width else "") + line
                        for line in lines[1:]]
