"""Saved Keras models as SCHEDULE arguments: the compiled optimizer's learning rate, and the step
training reached (``optimizer.iterations``) where the file holds the optimizer's state.

Read: a Keras 3 ``.keras`` archive (``archive``), a legacy ``.h5`` model (``hdf5``), a model's
``config.json`` or ``model.to_json()`` output (``config``; an unzipped archive's
``model.weights.h5`` beside it gives the step). All of it is read as data: no
``keras.models.load_model``, no model built, no custom object imported unless ``--import``
names it, so it works on the NumPy backend without TensorFlow. Files that hold no optimizer
config (weights only, a SavedModel, a TensorFlow checkpoint) are refused naming what to give.

Example:
    >>> kind(b"PK\\x03\\x04....") , kind(b"\\x89HDF\\r\\n\\x1a\\n"), kind(b"{}")
    ('zip', 'hdf5', None)
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

from lrtool.modelfile.config import is_model, schedule_of
from lrtool.schedules import AnySchedule, ScheduleError
from lrtool.textinput import printable

#: What lrtool reads instead of a file that holds no optimizer config.
READS = "lrtool reads a model saved with model.save('model.keras') (or .h5), or its config.json"


@dataclasses.dataclass(frozen=True)
class SavedModel:
    """The learning rate a saved model's optimizer applies, and where training stands.

    ``trained`` is ``optimizer.iterations`` as saved: the steps trained so far, so the next
    step applies the rate at step ``trained``. None when the file holds no optimizer state.
    """

    schedule: AnySchedule
    trained: int | None
    source: str


def kind(head: bytes) -> str | None:
    """``zip`` or ``hdf5`` from a file's first bytes; None for anything else (text)."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    return None


def not_a_model_file(path: str) -> str | None:
    """Why a path names saved state lrtool cannot read (a SavedModel directory, a TensorFlow
    checkpoint), with what to give instead; None for anything else."""
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "saved_model.pb")):
            return (f"{printable(path)} is a TensorFlow SavedModel, which keeps no Keras compile"
                    f" config: {READS}")
        if os.path.isfile(os.path.join(path, "config.json")):
            return (f"{printable(path)} is a directory: give its"
                    f" {printable(os.path.join(path, 'config.json'))}")
        if os.path.isfile(os.path.join(path, "checkpoint")):
            return f"{printable(path)} holds TensorFlow checkpoints: {READS}"
        return None
    name = os.path.basename(path)
    if (name == "checkpoint" or re.search(r"\.data-\d{5}-of-\d{5}$", name)
            or (name.endswith(".index") and os.path.isfile(path) and _has_data(path[:-6]))
            or (os.path.isfile(f"{path}.index") and _has_data(path))):
        return (f"{printable(path)} is a TensorFlow checkpoint: it holds variables but no"
                f" optimizer config; {READS}")
    return None


def _has_data(prefix: str) -> bool:
    """Whether a TensorFlow checkpoint's data shards sit beside ``prefix.index``."""
    folder, stem = os.path.split(prefix)
    try:
        return any(n.startswith(f"{stem}.data-") for n in os.listdir(folder or "."))
    except OSError:
        return False


def from_json(document: Any, path: str | None, custom: Any = None,
              notes: list[str] | None = None) -> SavedModel:
    """A model's decoded ``config.json``; ``path`` (its file, if any) finds the step in the
    ``model.weights.h5`` of an unzipped archive beside it."""
    schedule = schedule_of(document, custom, notes)
    trained = None
    source = printable(path) if path else "the model config"
    if path is not None:
        weights = os.path.join(os.path.dirname(path), "model.weights.h5")
        if os.path.isfile(weights):
            from lrtool.modelfile.hdf5 import isolated

            shown = printable(weights)
            trained = isolated(lambda: _weights_step(weights, shown), shown)
    return SavedModel(schedule, trained, source)


def read(path: str, file_kind: str, custom: Any = None,
         notes: list[str] | None = None) -> SavedModel:
    """A ``.keras`` archive (``zip``) or an HDF5 model file (``hdf5``)."""
    source = printable(path)
    if file_kind == "zip":
        from lrtool.modelfile.archive import read_archive

        document, trained = read_archive(path, source, notes=notes)
        _check_model(document, source)
        return SavedModel(schedule_of(document, custom, notes), trained, source)
    return _read_h5(path, source, custom, notes)


def _check_model(document: Any, source: str) -> None:
    if not is_model(document):
        raise ScheduleError(None, f"{source}'s config.json is not a Keras model config")


def _weights_step(weights: str, shown: str) -> int | None:
    from lrtool.modelfile.hdf5 import archive_step, open_file

    with open(weights, "rb") as stream:
        with open_file(stream, os.fstat(stream.fileno()).st_size, shown) as root:
            return archive_step(root)


def _read_h5(path: str, source: str, custom: Any, notes: list[str] | None) -> SavedModel:
    from lrtool.modelfile import hdf5

    try:
        stream = open(path, "rb")
    except OSError as exc:
        raise ScheduleError(None, f"cannot read {source}: {exc.strerror or exc}") from None
    with stream:
        document, training, step = hdf5.isolated(lambda: _h5_contents(stream, path, source),
                                                 source)
    _check_model(document, source)
    schedule = schedule_of(document, custom, notes, training=training or {})
    return SavedModel(schedule, step, source)


def _h5_contents(stream: Any, path: str, source: str) -> tuple[Any, Any, int | None]:
    """A legacy .h5 model's model config, training config and step (in ``hdf5.isolated``)."""
    from lrtool.modelfile import hdf5

    with hdf5.open_file(stream, os.fstat(stream.fileno()).st_size, source) as root:
        document = hdf5.json_attribute(root, "model_config", source)
        if document is None:
            weights = path.endswith(".weights.h5") or "layers" in root or "model_weights" in root
            what = ("holds weights only (model.save_weights), no optimizer config"
                    if weights else "is HDF5 but not a Keras model")
            raise ScheduleError(None, f"{source} {what}: {READS}")
        training = hdf5.json_attribute(root, "training_config", source)
        return document, training, hdf5.legacy_step(root)


__all__ = ["READS", "SavedModel", "from_json", "is_model", "kind", "not_a_model_file", "read"]
