"""A Keras 3 ``.keras`` archive, read as data: a zip of ``config.json`` and ``model.weights.h5``.

The archive may come from anywhere, so each read is bounded: ``config.json`` is refused when its
declared size is over the limit (a zip bomb says so in its directory) and read at most one byte
past the limit (in case the directory lies). The weights are HDF5 read in place from the zip
member (h5py takes a file object), only for the optimizer's step counter; without h5py the
schedule is still shown, with a note that the step could not be read.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from typing import Any

from lrtool.modelfile import hdf5
from lrtool.schedules import ScheduleError
from lrtool.textinput import MAX_BYTES, decode

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"


def _corrupt(source: str, exc: BaseException) -> ScheduleError:
    reason = str(exc).strip().splitlines()[0][:80] if str(exc).strip() else type(exc).__name__
    return ScheduleError(None, f"{source} is a corrupt or truncated .keras archive ({reason})")


def read_archive(path: str, source: str, limit: int = MAX_BYTES,
                 notes: list[str] | None = None) -> tuple[Any, int | None]:
    """The decoded ``config.json`` of a ``.keras`` file and the step its optimizer reached
    (None when the archive holds no optimizer state, or h5py is missing: then a note says so)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = _config(archive, source, limit)
            step = _step(archive, source, notes)
    except ScheduleError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise _corrupt(source, exc) from None
    except OSError as exc:
        raise ScheduleError(None, f"cannot read {source}: {exc.strerror or exc}") from None
    return config, step


def _config(archive: zipfile.ZipFile, source: str, limit: int) -> Any:
    try:
        info = archive.getinfo(CONFIG)
    except KeyError:
        names = archive.namelist()
        what = ("a weights-only archive" if any(n.endswith(".h5") for n in names)
                else "not a Keras model archive")
        raise ScheduleError(None, f"{source} has no {CONFIG}: {what}; lrtool reads a model"
                            " saved with model.save('model.keras')") from None
    if info.file_size > limit:
        raise ScheduleError(None, f"{source}: {CONFIG} declares {info.file_size:,} bytes, more"
                            f" than the {limit >> 20} MB a model config can sensibly take")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ScheduleError(None, f"{source}: {CONFIG} holds more than {limit >> 20} MB, more"
                            " than a model config can sensibly take")
    try:
        return json.loads(decode(data, f"{source}'s {CONFIG}"))
    except (ValueError, RecursionError):
        raise ScheduleError(None, f"{source}: {CONFIG} is not valid JSON") from None


def _step(archive: zipfile.ZipFile, source: str, notes: list[str] | None) -> int | None:
    try:
        info = archive.getinfo(WEIGHTS)
    except KeyError:
        return None
    try:
        hdf5.h5py_module()
    except ScheduleError as exc:
        if notes is not None:
            notes.append(f"{source}: the step training reached is not read ({exc.message})")
        return None
    with archive.open(info) as member:
        weights = hdf5.open_file(member, info.file_size, f"{source}'s {WEIGHTS}")
        with weights:
            return hdf5.archive_step(weights)
