"""What goes over the worker's socket: JSON messages and raw little-endian numbers.

Every connection is authenticated first with ``multiprocessing.connection``'s HMAC challenge (both
ways, with the user's key). After that, a request is one JSON object, ``{"op": ...}``; an
``evaluate`` request is followed by its steps as raw int64, and its answer by the values as raw
float32. Only ``send_bytes``/``recv_bytes`` are used, never ``send``/``recv``: nothing read from
the socket is ever unpickled, and every length is bounded before it is read.

Requests: ``hello`` (the worker's identity digest and pid), ``status``, ``evaluate``
(``identity``, ``mode``, ``schedule`` as Keras JSON, ``count``), ``stop``. Answers carry
``"ok": true``, or ``"ok": false`` with an ``error`` text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from multiprocessing.connection import Connection

#: The steps of a request and the values of an answer, as they travel.
STEPS = "<i8"
VALUES = "<f4"
#: No JSON message is anywhere near this; a longer one is refused unread.
MAX_MESSAGE = 1 << 20
#: Steps per request: the client sends at most this many at once (a CSV chunk is 65536).
MAX_COUNT = 1 << 22


class ProtocolError(ValueError):
    """A message that is not what the protocol says: malformed JSON, wrong size or type."""


def send_json(conn: Connection, message: dict[str, Any]) -> None:
    conn.send_bytes(json.dumps(message).encode())


def recv_json(conn: Connection) -> dict[str, Any]:
    """One JSON object; ProtocolError for anything else (EOFError when the peer is gone)."""
    data = conn.recv_bytes(MAX_MESSAGE)
    try:
        message = json.loads(data)
    except ValueError as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message


def send_array(conn: Connection, array: np.ndarray, dtype: str) -> None:
    import numpy as np

    conn.send_bytes(np.ascontiguousarray(array, dtype=dtype).tobytes())


def recv_array(conn: Connection, dtype: str, count: int) -> np.ndarray:
    """``count`` numbers of ``dtype``, in native byte order; ProtocolError on a wrong size."""
    import numpy as np

    if not 0 <= count <= MAX_COUNT:
        raise ProtocolError(f"{count} numbers is not a count this protocol sends")
    size = np.dtype(dtype).itemsize * count
    data = conn.recv_bytes(max(size, 1))
    if len(data) != size:
        raise ProtocolError(f"expected {count} numbers, got {len(data)} bytes")
    return np.frombuffer(data, dtype=dtype).astype(np.dtype(dtype).newbyteorder("="))


def count_of(message: dict[str, Any]) -> int:
    """The ``count`` field of a message, checked."""
    count = message.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        raise ProtocolError(f"bad count {count!r}")
    return count
