"""Did you mean: the close names a typo most likely stands for.

One rule everywhere a name is looked up (schedule classes, their arguments, schedule files), so
that ``CosineDecy`` and ``decay_step=`` get the same kind of help click gives a misspelled
option. Standard library only, imported only when a name is not found.
"""

from __future__ import annotations

from collections.abc import Iterable

#: How alike two names must be (difflib's ratio) to be offered: click's own cut-off for options.
CUTOFF = 0.6


#: Matches this much less alike than the best are left out: CosineDecy is CosineDecay, not
#: CosineDecayRestarts as well.
MARGIN = 0.1


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices ``word`` most likely stands for, best first (case ignored when comparing)."""
    import difflib  # only on a misspelling: lrtool --help and completion stay quick

    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=CUTOFF)
    ratios = [difflib.SequenceMatcher(None, word.lower(), match).ratio() for match in found]
    return [by_lower[m] for m, r in zip(found, ratios) if r >= ratios[0] - MARGIN]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'decay_steps'?"``, naming up to three; empty when nothing is close.

    Example:
        >>> did_you_mean("CosineDecy", ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay"])
        "did you mean 'CosineDecay'?"
        >>> did_you_mean("warmup_step", ["warmup_steps", "warmup_target"])
        "did you mean 'warmup_steps'?"
    """
    found = [repr(m) for m in close_matches(word, choices)]
    if not found:
        return ""
    names = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " or " + found[-1]
    return f"did you mean {names}?"
