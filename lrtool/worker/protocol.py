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

    from lrtool.schedules import Schedule

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


def sendable(schedule: Any) -> bool:
    """Whether the worker can rebuild the schedule from data: one of the registry's Keras
    classes, or an optimizer's constant rate; never a class from the user's code."""
    from lrtool.schedules import REGISTRY
    from lrtool.schedules.constant import Constant

    cls = type(schedule)
    return cls is Constant or REGISTRY.get(getattr(schedule, "keras_name", "")) is cls


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """A sendable schedule as JSON: Keras's serialize form, or a constant's rate."""
    from lrtool.keras_json import to_keras
    from lrtool.schedules.constant import Constant

    if isinstance(schedule, Constant):
        return {"class_name": Constant.keras_name, "config": schedule.arguments()}
    return to_keras(schedule)


def schedule_of(document: Any) -> Schedule:
    """The schedule a request names, rebuilt from the registry (or as a constant) only."""
    from lrtool.keras_json import from_keras
    from lrtool.schedules.constant import Constant

    if isinstance(document, dict) and document.get("class_name") == Constant.keras_name:
        config = document.get("config")
        if not isinstance(config, dict):
            raise ProtocolError("a constant rate's config must be an object")
        return Constant.from_arguments(config)
    schedule = from_keras(document)  # no custom classes: an unknown one is refused
    if not sendable(schedule):
        raise ProtocolError("only lrtool's own schedules are evaluated here")
    return schedule  # type: ignore[return-value]
