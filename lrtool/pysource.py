"""Untrusted Python source, read with ``ast`` only: limits, one-line errors, short quotes.

Pasted training code and ``--set`` values come from anywhere. They are parsed here, never run,
and what is too long (MAX_CHARS characters), too big (MAX_NODES syntax nodes, not counting
Load/Store markers) or too deep (MAX_DEPTH levels) is refused before anything else looks at
it: later steps recurse over the tree and must stay within Python's recursion limit. Every
refusal is a SnippetError whose message is one line of at most 199 characters, with quoted
source cut short and its control characters escaped, because callers print it to a terminal.

Example:
    >>> parse("x = (")
    Traceback (most recent call last):
    ...
    lrtool.pysource.NotPython: not valid Python at line 1, column 5: '(' was never closed: x = (
"""

from __future__ import annotations

import ast
import difflib
import warnings

MAX_CHARS = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 100
_MESSAGE_WIDTH = 199


class SnippetError(ValueError):
    """A snippet or expression lrtool will not read, said in one line of at most 199 characters.

    ``argument`` names the keyword argument the problem is in (``"decay_steps"``), if any, so
    that the caller can point at it. The message is flattened and cut here, whoever built it.
    """

    def __init__(self, message: str, argument: str | None = None, *, detail: str | None = None,
                 missing: str | None = None) -> None:
        message = excerpt(message, _MESSAGE_WIDTH)
        super().__init__(message)
        self.message = message
        self.argument = argument
        #: The problem without where it is, to quote when a name's value is later needed.
        self.detail = detail or message
        #: An undefined name the message is about: the caller may add "did you mean".
        self.missing = missing


class NotPython(SnippetError):
    """A syntax error: the one refusal that a cleaned-up paste may not repeat."""

    def __init__(self, message: str, lineno: int | None = None, quoted: str = "") -> None:
        super().__init__(message)
        self.lineno = lineno
        #: The end of ``message`` that quotes the input: left out for a file's contents.
        self.quoted = quoted


def excerpt(text: str, width: int = 60) -> str:
    """``text`` on one line, control and format characters escaped as in repr, cut to width."""
    text = " ".join(text[: width * 8].split())
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= width else text[: width - 3] + "..."


def source(node: ast.AST) -> str:
    """A short quote of ``node`` for messages."""
    try:
        return excerpt(ast.unparse(node))
    except (RecursionError, ValueError, AttributeError):
        return type(node).__name__


def parse(text: str, mode: str = "exec") -> ast.AST:
    """The syntax tree of ``text``, refusing input too long, too big, too deep or not Python.

    Python's parser itself fails on very deep input with RecursionError or MemoryError, and on
    huge int literals with advice about ``sys.set_int_max_str_digits``: all become SnippetErrors
    that say what is wrong with the input.
    """
    if len(text) > MAX_CHARS:
        raise SnippetError(f"the input has {len(text):,} characters; lrtool reads at most"
                           f" {MAX_CHARS:,}")
    if "\0" in text:
        raise SnippetError("the input contains NUL bytes: it is not Python source text")
    try:
        with warnings.catch_warnings():  # invalid escapes and the like: not lrtool's business
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        raise NotPython(_syntax_message(exc), exc.lineno, _quoted(exc)) from None
    except (RecursionError, MemoryError):
        raise SnippetError(f"the input is nested too deeply (lrtool reads at most {MAX_DEPTH}"
                           " levels)") from None
    except (ValueError, OverflowError) as exc:  # lone surrogates and the like
        raise SnippetError(f"the input is not Python source text: {excerpt(str(exc))}") from None
    check_size(tree)
    return tree


def _syntax_message(exc: SyntaxError) -> str:
    where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "the input"
    if "integer string conversion" in (exc.msg or ""):
        return f"an integer literal at {where} is too long (over 4300 digits)"
    return f"not valid Python at {where}: {excerpt(exc.msg or 'syntax error')}{_quoted(exc)}"


def _quoted(exc: SyntaxError) -> str:
    return f": {excerpt(exc.text.strip(), 40)}" if exc.text and exc.text.strip() else ""


def check_size(tree: ast.AST) -> None:
    """Refuse trees over MAX_NODES nodes or MAX_DEPTH levels, without recursing."""
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SnippetError(f"the input is too large (over {MAX_NODES:,} syntax nodes)")
        if depth > MAX_DEPTH:
            line = getattr(node, "lineno", None)
            at = f" at line {line}" if line else ""
            raise SnippetError(f"the input is nested too deeply{at} (lrtool reads at most"
                               f" {MAX_DEPTH} levels; long operator chains count as nesting)")
        for name in node._fields:  # ast.iter_child_nodes, inlined: this loop is the hot one
            child = getattr(node, name, None)
            if isinstance(child, list):
                stack.extend((c, depth + 1) for c in child if isinstance(c, ast.AST))
            elif isinstance(child, ast.AST) and not isinstance(child, ast.expr_context):
                stack.append((child, depth + 1))


def dotted(node: ast.AST) -> list[str] | None:
    """``["keras", "optimizers", "SGD"]`` for ``keras.optimizers.SGD``; None if not dotted."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def closest(word: str, choices: list[str]) -> str | None:
    """The choice ``word`` is most likely a typo of, ignoring case (``EPOCH`` -> ``epochs``)."""
    lower = {c.lower(): c for c in reversed(choices)}
    close = difflib.get_close_matches(word.lower(), list(lower), n=1)
    return lower[close[0]] if close else None
