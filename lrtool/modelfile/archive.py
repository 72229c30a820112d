"""A Keras 3 ``.keras`` archive, read as data: a zip of ``config.json`` and ``model.weights.h5``.

The archive may come from anywhere, so each read is bounded: ``config.json`` is refused when its
declared size is over the limit (a zip bomb says so in its directory) and read at most one byte
past the limit (in case the directory lies). The weights are HDF5 read in place from the zip
member (h5py takes a file object), only for the optimizer's step counter; without h5py the
schedule is still shown, with a note that the step could not be read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import IO, Any

from lrtool import keras_json
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
        return keras_json.decode(decode(data, f"{source}'s {CONFIG}"))
    except (ScheduleError, RecursionError):
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
    shown = f"{source}'s {WEIGHTS}"
    return hdf5.isolated(lambda: _weights_step(archive, info, shown), shown)


def _weights_step(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> int | None:
    """The step in the archive's weights (in ``hdf5.isolated``)."""
    start = _stored_at(archive, info)
    if start is None:  # compressed: zipfile's stream, slower to seek but the same bytes
        with archive.open(info) as member, hdf5.open_file(member, info.file_size, shown) as root:
            return hdf5.archive_step(root)
    assert archive.fp is not None  # open: read_archive holds it
    window = Window(archive.fp, start, info.file_size)
    with hdf5.open_file(window, info.file_size, shown) as root:
        return hdf5.archive_step(root)


def _stored_at(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where an uncompressed member's bytes start in the archive (Keras stores the weights
    uncompressed); None for a compressed or encrypted one. zipfile's own stream seeks by
    reading forward from the start, which for a model of gigabytes is slow."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1 or archive.fp is None:
        return None
    archive.fp.seek(info.header_offset)
    header = archive.fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    start = (info.header_offset + 30 + int.from_bytes(header[26:28], "little")
             + int.from_bytes(header[28:30], "little"))
    archive.fp.seek(0, io.SEEK_END)
    if start + info.file_size > archive.fp.tell():
        raise zipfile.BadZipFile(f"{info.filename} runs past the end of the archive")
    return start


class Window(io.RawIOBase):
    """Bytes ``start .. start + size`` of an open file, as a file of their own that seeks in
    place: what h5py reads an uncompressed zip member through."""

    def __init__(self, handle: IO[bytes], start: int, size: int) -> None:
        super().__init__()
        self.handle, self.start, self.size, self.position = handle, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        self.handle.seek(self.start + self.position)
        data = self.handle.read(count)
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)
