"""Numbers to text, a whole array at a time: the shortest decimal that reads back to the same float.

A CSV of a million learning rates must print ``0.06666667`` (what ``str(numpy.float32(x))`` prints),
not ``0.06666667014360428``, and must do it far faster than formatting one Python float at a time.
Here every number becomes a row of a byte matrix, built column by column with NumPy integer
arithmetic; unused cells hold a NUL pad byte that is squeezed out when the rows are joined.

The text follows Python's ``repr`` conventions (``0.1``, ``1.0``, ``1e-05``, ``2.5e+16``), so it
matches ``str(numpy.float32(x))`` for float32 and ``repr(x)`` for float64.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

PAD = 0
_DOT, _MINUS, _PLUS, _E, _ZERO = (ord(c) for c in ".-+e0")
#: Most significant digits tried before a value is handed to the exact (slow) formatter.
_MAX_DIGITS = {4: 9, 8: 15}


def _digit_columns(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as ASCII digits, right-aligned in ``width`` columns, leading zeros kept."""
    import numpy as np

    out = np.empty((values.size, width), dtype=np.uint8)
    q = values.astype(np.int64, copy=True)
    for col in range(width - 1, -1, -1):
        out[:, col] = q % 10
        q //= 10
    out += _ZERO
    return out


def _blank_leading(block: np.ndarray, used: np.ndarray) -> None:
    """Pad all but the last ``used`` columns of each row."""
    import numpy as np

    block[np.arange(block.shape[1])[None, :] < (block.shape[1] - used)[:, None]] = PAD


def _ndigits(values: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.searchsorted(_powers().ints[1:], values, side="right") + 1


def int_matrix(values: np.ndarray) -> np.ndarray:
    """Non-negative integers as a padded byte matrix, one number per row."""
    import numpy as np

    values = np.asarray(values, dtype=np.int64)
    width = int(_ndigits(values.max(initial=0)))
    out = _digit_columns(values, width)
    _blank_leading(out, _ndigits(values))
    return out


def _shortest(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shortest decimal digits of positive finite floats: (digits, count, exponent, exact).

    ``value == digits * 10**(exponent - count + 1)`` once parsed and rounded to the value's own
    type. For each row it bisects on the number of digits (reading back is monotone in it),
    trying the two decimals that bracket the value at that length. Rows whose ``exact`` is False
    need the slow formatter: a decimal scale beyond the exact float64 powers of ten, or more
    digits than a float64 integer holds.
    """
    import numpy as np

    kind = values.dtype.type
    x = values.astype(np.float64)
    exponent = np.floor(np.log10(x)).astype(np.int64)
    # log10 can be one off next to powers of ten.
    exponent -= x < _powers().any[exponent + _ANY_OFFSET]
    exponent += x >= _powers().any[exponent + 1 + _ANY_OFFSET]
    most = _MAX_DIGITS[values.dtype.itemsize]
    low_p = np.ones(x.shape, dtype=np.int64)
    high_p = np.full(x.shape, most + 1, dtype=np.int64)  # most + 1: no length found yet
    digits = np.zeros(x.shape, dtype=np.int64)
    while True:
        idx = np.nonzero(low_p < high_p)[0]
        if idx.size == 0:
            break
        lo, hi = (low_p, high_p) if idx.size == x.size else (low_p[idx], high_p[idx])
        if kind is np.float32:
            # Most float32 values need 7 or 8 digits: walking down from 8 beats bisecting.
            p = np.maximum(lo, np.minimum(hi - 1, most - 1))
        else:
            p = (lo + hi) // 2
        k = p - 1 - (exponent if idx.size == x.size else exponent[idx])
        usable = np.abs(k) <= 22
        if not usable.all():
            low_p[idx[~usable]] = high_p[idx[~usable]] = most + 1  # left to the slow path
            idx, p, k = idx[usable], p[usable], k[usable]
        if idx.size == x.size:  # first pass: no gathering
            xs, target = x, values
        else:
            xs, target = x[idx], values[idx]
        scaled, below_back, above_back = _bracket(xs, k)
        below = np.floor(scaled)
        below_ok = below_back.astype(kind) == target
        above_ok = above_back.astype(kind) == target
        # Both read back: take the nearer, ties to even, as correct rounding would.
        gap_up, gap_down = below + 1 - scaled, scaled - below
        take_above = above_ok & (
            ~below_ok | (gap_up < gap_down) | ((gap_up == gap_down) & (below % 2 == 1))
        )
        ok = below_ok | above_ok
        digits[idx[ok]] = (below + take_above)[ok].astype(np.int64)
        high_p[idx[ok]] = p[ok]
        low_p[idx[~ok]] = p[~ok] + 1
    count = high_p
    exact = count <= most
    count = np.where(exact, count, 1)
    # A rounded-up 9.99 becomes 10.0: one more digit than asked, so shift the exponent.
    carried = exact & (digits == _powers().ints[count])
    digits[carried] //= 10
    exponent[carried] += 1
    while True:
        trailing = (count > 1) & (digits % 10 == 0)
        if not trailing.any():
            break
        digits[trailing] //= 10
        count[trailing] -= 1
    return digits, count, exponent, exact


def _bracket(x: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x * 10**k, and the floats that the integers just below and above it stand for.

    Each is one correctly rounded operation with an exact power of ten (|k| <= 22), dividing
    rather than multiplying by an inexact 10**-k.
    """
    import numpy as np

    if (k >= 0).all():  # the usual case for learning rates: skip the other branch
        scale = _powers().exact[k]
        scaled = x * scale
        below = np.floor(scaled)
        return scaled, below / scale, (below + 1) / scale
    scale = _powers().exact[np.abs(k)]
    up = k >= 0
    scaled = np.where(up, x * scale, x / scale)
    below = np.floor(scaled)
    return (
        scaled,
        np.where(up, below / scale, below * scale),
        np.where(up, (below + 1) / scale, (below + 1) * scale),
    )


class _Powers(NamedTuple):
    exact: np.ndarray  # 10.0**k for k in 0..22: exact in float64
    ints: np.ndarray  # 10**k for k in 0..18 as int64
    any: np.ndarray  # 10.0**e for every float64 decimal exponent e, at index e + _ANY_OFFSET


_ANY_OFFSET = 330


@functools.cache
def _powers() -> _Powers:
    """Powers of ten, built on first use (importing this module needs no NumPy) and built
    whole before anyone sees them: chunks are formatted on several threads."""
    import numpy as np

    with np.errstate(over="ignore"):
        return _Powers(
            10.0 ** np.arange(23, dtype=np.float64),
            10 ** np.arange(19, dtype=np.int64),
            10.0 ** np.arange(-_ANY_OFFSET, 311, dtype=np.float64),
        )


def float_matrix(values: np.ndarray) -> np.ndarray:
    """Floats (float32 or float64) as a padded byte matrix of their shortest repr text.

    Positional or scientific notation is chosen as NumPy prints float32 (positional from 1e-4
    up to 1e6) and Python prints float64 (up to 1e16), exponents with at least two digits.
    Rows are laid out in groups sharing a shape (digits after the point, or digit count), so
    each group is a few slices rather than per-character indexing.
    """
    import numpy as np

    values = np.asarray(values)
    n = values.size
    magnitude = np.abs(values)
    regular = np.isfinite(magnitude) & (magnitude > 0)
    digits = np.zeros(n, dtype=np.int64)
    count = np.ones(n, dtype=np.int64)
    exponent = np.zeros(n, dtype=np.int64)
    exact = magnitude == 0  # 0 is digits 0, count 1, exponent 0: "0.0"
    idx = np.nonzero(regular)[0]
    if idx.size:
        d, c, e, ok = _shortest(magnitude[idx])
        digits[idx], count[idx], exponent[idx], exact[idx] = d, c, e, ok
    if values.dtype == np.float32:
        mag64 = magnitude.astype(np.float64)
        scientific = regular & ((mag64 < 1e-4) | (mag64 >= 1e6))
    else:
        scientific = regular & ((exponent < -4) | (exponent >= 16))
    exact &= ~(scientific & (np.abs(exponent) >= 100))  # three exponent digits: slow path

    blocks: list[tuple[np.ndarray, np.ndarray]] = []
    # Positional: the integer N = value * 10**f printed with a point before its last f digits.
    pos = np.nonzero(~scientific & exact)[0]
    frac = np.maximum(count[pos] - exponent[pos] - 1, 1)
    scaled = digits[pos] * _powers().ints[frac - (count[pos] - exponent[pos] - 1)]
    int_len = np.maximum(exponent[pos] + 1, 1)
    for f in np.unique(frac):
        g = frac == f
        lead = int(int_len[g].max())
        body = _digit_columns(scaled[g], lead + int(f))
        dots = np.full((body.shape[0], 1), _DOT, dtype=np.uint8)
        block = np.concatenate([body[:, :lead], dots, body[:, lead:]], axis=1)
        _blank_leading(block, int_len[g] + 1 + int(f))
        blocks.append((pos[g], block))
    # Scientific: d[.ddd]e±XX
    sci = np.nonzero(scientific & exact)[0]
    for c in np.unique(count[sci]):
        rows = sci[count[sci] == c]
        body = _digit_columns(digits[rows], int(c))
        e = exponent[rows]
        tail = np.empty((rows.size, 4), dtype=np.uint8)
        tail[:, 0] = _E
        tail[:, 1] = np.where(e < 0, _MINUS, _PLUS)
        tail[:, 2:] = _digit_columns(np.abs(e), 2)
        parts = [body[:, :1]]
        if c > 1:
            parts += [np.full((rows.size, 1), _DOT, dtype=np.uint8), body[:, 1:]]
        blocks.append((rows, np.concatenate(parts + [tail], axis=1)))

    width = max([b.shape[1] for _, b in blocks], default=0)
    out = np.full((n, width + 1), PAD, dtype=np.uint8)
    out[:, 0] = np.where(np.signbit(values), _MINUS, PAD)
    for rows, block in blocks:
        out[rows, out.shape[1] - block.shape[1]:] = block
    return _patch_slow_rows(out, values, np.nonzero(~exact)[0])


def _repr(value: np.generic) -> str:
    """The reference formatter: NumPy's shortest repr for float32, Python's for float64."""
    import numpy as np

    return str(np.float32(value)) if value.dtype == np.float32 else repr(float(value))


def _patch_slow_rows(out: np.ndarray, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Write the rows the fast path could not do (nan, inf, extreme exponents) one by one."""
    import numpy as np

    if rows.size == 0:
        return out
    texts = {int(i): _repr(values[i]).encode() for i in rows}
    width = max(out.shape[1], *(len(t) for t in texts.values()))
    if width > out.shape[1]:
        wide = np.full((out.shape[0], width), PAD, dtype=np.uint8)
        wide[:, : out.shape[1]] = out
        out = wide
    for i, text in texts.items():
        out[i] = PAD
        out[i, : len(text)] = np.frombuffer(text, dtype=np.uint8)
    return out


def join_rows(fields: list[np.ndarray], sep: bytes = b",", end: bytes = b"\n") -> bytes:
    """Join per-field byte matrices into CSV lines, dropping the padding."""
    import numpy as np

    n = fields[0].shape[0]
    parts: list[np.ndarray] = []
    for i, field in enumerate(fields):
        if i:
            parts.append(np.full((n, 1), sep[0], dtype=np.uint8))
        parts.append(field)
    parts.append(np.full((n, 1), end[0], dtype=np.uint8))
    table = np.concatenate(parts, axis=1)
    return table[table != PAD].tobytes()


def number_matrix(values: np.ndarray) -> np.ndarray:
    """Rates of any dtype Keras returns: int32 ones (all-integer piecewise values) print as
    integers, float32 and float64 ones as their shortest text."""
    import numpy as np

    values = np.asarray(values)
    return int_matrix(values) if values.dtype.kind in "iu" else float_matrix(values)


def format_numbers(values: np.ndarray) -> list[str]:
    """The same text as a list of strings, for outputs that place numbers one by one."""
    return [row.tobytes().replace(b"\0", b"").decode() for row in number_matrix(values)]
