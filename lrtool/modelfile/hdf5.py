"""HDF5, read as data: a legacy ``.h5`` model's configs, and the optimizer's step count.

h5py is an optional dependency (``pip install h5py``; Keras itself depends on it, so anyone
who saved a model has it). libhdf5 trusts a file's internal addresses, and a truncated file
can make it fail deep inside, so the superblock is read first: its signature, and its end of
file address against the real size, which refuses a truncated download before libhdf5 sees it.
Only attributes and scalar datasets are read; no model is built. Damage can still crash
libhdf5 itself (a segmentation fault, seen on fuzzed files), so every read runs in a forked
child process (``isolated``): a crash or a hang there is one refusal naming the file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

from lrtool import keras_json
from lrtool.schedules import ScheduleError
from lrtool.textinput import MAX_BYTES

SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: Where libhdf5 looks for the superblock: 0, then after a user block of 512, 1024, ... bytes.
_SUPERBLOCK_AT = (0, 512, 1024, 2048, 4096)
INSTALL_HINT = ("reading HDF5 needs h5py: pip install h5py (from lrtool's source directory:"
                " pip install '.[models]')")
#: A read that takes longer than this is libhdf5 going round in damaged structures.
TIMEOUT = 30.0
T = TypeVar("T")
#: Names Keras gives the optimizer's step counter (Keras 3 "iteration", Keras 2 "iter").
_ITERATION_NAMES = ("iteration", "iterations", "iter")


def h5py_module() -> Any:
    """h5py, or ScheduleError saying how to install it."""
    try:
        import h5py
    except ImportError:
        raise ScheduleError(None, INSTALL_HINT) from None
    return h5py


def check_superblock(stream: IO[bytes], size: int, source: str) -> None:
    """Refuse what is not HDF5, or is cut short: the superblock's end-of-file address must lie
    within the ``size`` bytes there are."""
    stream.seek(0)
    head = stream.read(4096 + 64)
    base = next((at for at in _SUPERBLOCK_AT if head[at:at + 8] == SIGNATURE), None)
    if base is None:
        raise ScheduleError(None, f"{source} is not an HDF5 file")
    block = head[base:base + 64]
    version = block[8] if len(block) > 8 else -1
    if version in (0, 1):
        offsets, eof_at = block[13], 24 + 4 * version + 2 * block[13]
    elif version in (2, 3):
        offsets, eof_at = block[9], 12 + 2 * block[9]
    else:
        raise ScheduleError(None, f"{source} is a corrupt HDF5 file (superblock version"
                            f" {version})")
    if offsets not in (2, 4, 8) or len(block) < eof_at + offsets:
        raise ScheduleError(None, f"{source} is a corrupt or truncated HDF5 file")
    end = base + int.from_bytes(block[eof_at:eof_at + offsets], "little")
    if end > size:
        raise ScheduleError(None, f"{source} is truncated: HDF5 says {end:,} bytes, the file has"
                            f" {size:,}")


#: What h5py raises for damage libhdf5 finds ("bad heap free list", "wrong B-tree signature").
DAMAGE = (OSError, ValueError, RuntimeError, KeyError, TypeError, UnicodeDecodeError)


@contextlib.contextmanager
def open_file(stream: IO[bytes], size: int, source: str) -> Iterator[Any]:
    """An h5py File read from ``stream`` (a file or a zip member) after ``check_superblock``;
    damage libhdf5 meets while it is read becomes one ScheduleError naming the file."""
    check_superblock(stream, size, source)
    h5py = h5py_module()
    stream.seek(0)
    try:
        with h5py.File(stream, "r") as root:
            yield root
    except DAMAGE as exc:
        raise ScheduleError(None, f"{source} is a corrupt HDF5 file ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:100]


def json_attribute(node: Any, name: str, source: str) -> Any:
    """A JSON attribute (Keras's ``model_config``, ``training_config``), decoded; None if absent."""
    if name not in node.attrs:
        return None
    value = node.attrs[name]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise ScheduleError(None, f"{source}: {name} is not JSON text")
    if len(value) > MAX_BYTES:
        raise ScheduleError(None, f"{source}: {name} holds more than {MAX_BYTES >> 20} MB")
    try:
        return keras_json.decode(value)
    except (ScheduleError, RecursionError):
        raise ScheduleError(None, f"{source}: {name} is not valid JSON") from None


def scalar_step(node: Any) -> int | None:
    """The value of a scalar integer dataset, or None when ``node`` is none."""
    shape, dtype = getattr(node, "shape", None), getattr(node, "dtype", None)
    if shape != () or dtype is None or dtype.kind not in "iu":
        return None
    return int(node[()])


def archive_step(weights: Any) -> int | None:
    """``optimizer.iterations`` in a ``.keras`` archive's ``model.weights.h5``: the optimizer's
    first variable, ``optimizer/vars/0`` (None: no optimizer state was saved)."""
    return scalar_step(weights.get("optimizer/vars/0"))


def legacy_step(root: Any) -> int | None:
    """``optimizer.iterations`` in a legacy ``.h5`` model: the ``optimizer_weights`` dataset whose
    name ends in ``iteration`` (Keras 3) or ``iter`` (Keras 2); None without one."""
    group = root.get("optimizer_weights")
    if group is None:
        return None
    names = [n for key in group.attrs if key.startswith("weight_names")
             for n in group.attrs[key]]
    for name in names:
        text = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        if text.rsplit("/", 1)[-1].split(":")[0] in _ITERATION_NAMES:
            return scalar_step(group.get(text))
    return None


def isolated(task: Callable[[], T], source: str) -> T:
    """``task()`` run in a forked child process, its JSON-able result sent back as JSON.

    A ScheduleError in the child is raised here with its message; a child that dies (libhdf5
    crashed) or takes longer than TIMEOUT becomes a ScheduleError naming ``source``. Forking
    costs a few milliseconds and needs no import in the child; where fork is unavailable the
    task runs in this process.
    """
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return task()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(task, send, source), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(TIMEOUT):
            raise ScheduleError(None, f"{source} is a corrupt HDF5 file (reading it did not end"
                                f" within {TIMEOUT:.0f} s)")
        kind, payload = json.loads(receive.recv_bytes())
    except EOFError:
        raise ScheduleError(None, f"{source} is a corrupt HDF5 file (libhdf5 failed reading"
                            " it)") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "error":
        raise ScheduleError(None, payload)
    return payload  # type: ignore[no-any-return]


def _child(task: Callable[[], Any], send: Any, source: str) -> None:
    """The child's side of ``isolated``: one message, then an exit that runs no cleanup."""
    import faulthandler

    faulthandler.disable()  # a crash here is reported by the parent, in one line
    try:
        message = ["ok", task()]
    except ScheduleError as exc:
        message = ["error", exc.message]
    except Exception as exc:  # anything else libhdf5 or h5py raise on damage
        message = ["error", f"{source} is a corrupt HDF5 file ({_first_line(exc)})"]
    try:
        send.send_bytes(json.dumps(message).encode())
    finally:
        os._exit(0)
