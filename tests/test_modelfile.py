"""Saved Keras models as SCHEDULE: the compiled optimizer's learning rate and the step training
reached, read from real .keras, .h5 and config.json files that real Keras wrote, compared bit
for bit with what the saved optimizer's schedule applies in model.fit."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import run
from fitloop import applied_rates
from lrtool.spec import Reader

CUSTOM = '''
import keras

@keras.saving.register_keras_serializable(package="mine")
class Halving(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, rate, every):
        self.rate, self.every = rate, every

    def __call__(self, step):
        return self.rate * keras.ops.power(0.5, keras.ops.floor_divide(step, self.every))

    def get_config(self):
        return {"rate": self.rate, "every": self.every}
'''


@pytest.fixture(scope="session")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Tiny models saved by real Keras, each as .keras and .h5, and the Keras module."""
    from lrtool.backends import resolve

    resolve("tensorflow")  # sets KERAS_BACKEND before Keras is imported; must not skip
    import keras

    folder = tmp_path_factory.mktemp("models")
    (folder / "my_halving.py").write_text(CUSTOM)
    spec = importlib.util.spec_from_file_location("my_halving", folder / "my_halving.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["my_halving"] = module
    spec.loader.exec_module(module)
    schedules = keras.optimizers.schedules
    optimizers = {
        "cosine": keras.optimizers.Adam(schedules.CosineDecay(
            1e-3, 100, warmup_target=1e-2, warmup_steps=10)),
        "piecewise": keras.optimizers.SGD(schedules.PiecewiseConstantDecay(
            [5, 20], [0.1, 0.01, 0.001])),
        "constant": keras.optimizers.SGD(0.01),
        "custom": keras.optimizers.SGD(module.Halving(0.1, 3)),
        "uncompiled": None,
    }
    for name, optimizer in optimizers.items():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        if optimizer is not None:
            model.compile(optimizer=optimizer, loss="mse")
        if name in ("cosine", "piecewise"):  # trained: 7 and 10 steps
            count = 14 if name == "cosine" else 20
            model.fit(np.zeros((count, 3)), np.zeros((count, 2)), batch_size=2, verbose=0)
        model.save(folder / f"{name}.keras")
        model.save(folder / f"{name}.h5")
        if name == "cosine":
            model.save_weights(folder / "cosine.weights.h5")
            unzipped = folder / "unzipped"
            unzipped.mkdir()
            zipfile.ZipFile(folder / "cosine.keras").extractall(unzipped)
            (folder / "to_json.json").write_text(model.to_json())
    return {"folder": folder, "keras": keras}


def lrtool(*args: str, **kw: Any) -> Any:
    result = run(*args, **kw)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def keras_schedule(keras: Any, path: Path) -> tuple[Any, int]:
    """The saved optimizer's schedule (or float rate) and iterations, as Keras loads them."""
    model = keras.models.load_model(path, compile=True)
    config = model.optimizer.get_config()["learning_rate"]
    rate = (keras.optimizers.schedules.deserialize(config) if isinstance(config, dict)
            else config)
    return rate, int(model.optimizer.iterations.numpy())


@pytest.mark.parametrize("name", ["cosine", "piecewise", "constant"])
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_values_are_what_the_saved_optimizer_applies(saved: dict[str, Any], name: str,
                                                     ext: str) -> None:
    path = saved["folder"] / f"{name}.{ext}"
    reader = Reader()
    schedule = reader.parse(str(path))
    [model] = reader.saved
    rate, iterations = keras_schedule(saved["keras"], saved["folder"] / f"{name}.keras")
    assert model.trained == iterations == {"cosine": 7, "piecewise": 10, "constant": 0}[name]
    expected = applied_rates(rate, 30)  # model.fit, Keras's default compile (graph)
    from lrtool import evaluate

    for backend in ("tensorflow", "numpy"):
        got = evaluate(schedule, range(30), backend=backend).values
        assert got.tobytes() == expected.tobytes(), (backend, got, expected)
    resumed = applied_rates(rate, 1, start=iterations)  # what resuming the run applies first
    code, out, err = lrtool("table", str(path), "--backend", "numpy")
    assert code == 0, err
    text = str(np.float32(resumed[0]))
    assert (f"trained {iterations} steps; the next step ({iterations}) applies lr {text}"
            in out)
    assert any(line.split()[:3] == [str(iterations), "◀", "next"] for line in out.splitlines())


def test_constant_rate_reads_as_a_constant(saved: dict[str, Any]) -> None:
    code, out, err = lrtool("csv", str(saved["folder"] / "constant.keras"), "--steps", "2",
                            "--backend", "numpy")
    assert (code, out) == (0, "step,lr\n0,0.01\n1,0.01\n"), err
    code, out, err = lrtool("config", str(saved["folder"] / "constant.keras"))
    assert code == 2 and "constant learning rate is no Keras schedule" in err
    assert err.count("\n") == 1


def test_resume_begins_where_training_stands(saved: dict[str, Any]) -> None:
    path = str(saved["folder"] / "cosine.keras")
    code, out, err = lrtool("csv", path, "--resume", "--steps", "10", "--backend", "numpy")
    assert code == 0, err
    assert [line.split(",")[0] for line in out.splitlines()] == ["step", "7", "8", "9"]
    code, _, err = lrtool("csv", path, "--resume", "--steps", "5", "--backend", "numpy")
    assert code == 2 and "'--resume'" in err and "training reached step 7" in err
    code, _, err = lrtool("csv", path, "--resume", "--start", "3", "--backend", "numpy")
    assert code == 2 and "--resume" in err
    code, _, err = lrtool("csv", "CosineDecay(0.1, 100)", "--resume", "--backend", "numpy")
    assert code == 2 and "saved model" in err and err.count("\n") == 1


def test_plots_mark_the_step(saved: dict[str, Any], tmp_path: Path) -> None:
    path = str(saved["folder"] / "cosine.h5")
    code, out, err = lrtool("plot", path, "--backend", "numpy", COLUMNS="100", LINES="30")
    assert code == 0, err
    assert "┊ trained 7 steps" in out and out.count("┊") > 10
    assert "the next step (7) applies lr 0.0072999997" in err
    image = tmp_path / "lr.svg"
    code, _, err = lrtool("plot", path, "--backend", "numpy", "-o", str(image))
    assert code == 0, err
    assert "dashed: trained 7 steps" in image.read_text()


def test_custom_schedule_needs_import(saved: dict[str, Any]) -> None:
    path = str(saved["folder"] / "custom.keras")
    code, _, err = lrtool("csv", path, "--steps", "4")
    assert code == 2 and "Halving" in err and "--import" in err and err.count("\n") == 1
    code, out, err = lrtool("csv", path, "--steps", "7", "--import",
                            str(saved["folder"] / "my_halving.py"))
    assert code == 0, err
    rate, _ = keras_schedule(saved["keras"], Path(path))
    expected = applied_rates(rate, 7)
    assert out.splitlines()[1:] == [f"{i},{str(v)}" for i, v in enumerate(expected)]


def test_deflated_archive_reads_the_same_step(saved: dict[str, Any], tmp_path: Path) -> None:
    packed = tmp_path / "deflated.keras"
    with zipfile.ZipFile(saved["folder"] / "cosine.keras") as source, \
            zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
    reader = Reader()
    reader.parse(str(packed))
    assert reader.saved[0].trained == 7


def test_config_json_and_its_neighbouring_weights(saved: dict[str, Any]) -> None:
    code, out, err = lrtool("table", str(saved["folder"] / "unzipped" / "config.json"),
                            "--backend", "numpy")
    assert code == 0, err and "trained 7 steps" in out
    code, _, err = lrtool("table", str(saved["folder"] / "to_json.json"), "--backend", "numpy")
    assert code == 2 and "model.to_json() does" in err


@pytest.mark.parametrize(("name", "fragment"), [
    ("uncompiled.keras", "saved without compile(), so it holds no optimizer"),
    ("uncompiled.h5", "saved without compile(), so it holds no optimizer"),
    ("cosine.weights.h5", "holds weights only"),
    ("unzipped", "give its"),
])
def test_files_without_an_optimizer_are_refused_in_one_line(saved: dict[str, Any], name: str,
                                                            fragment: str) -> None:
    code, out, err = lrtool("table", str(saved["folder"] / name), "--backend", "numpy")
    assert (code, out) == (2, "") and fragment in err and err.count("\n") == 1, err


def test_savedmodel_and_checkpoints_are_refused_naming_what_to_give(
        saved: dict[str, Any], tmp_path: Path) -> None:
    import tensorflow as tf

    checkpoint = tf.train.Checkpoint(step=tf.Variable(3)).save(str(tmp_path / "ckpt" / "run"))
    exported = tmp_path / "exported"
    exported.mkdir()
    (exported / "saved_model.pb").write_bytes(b"\x08\x01")
    for target, fragment in [(checkpoint, "TensorFlow checkpoint"),
                             (checkpoint + ".index", "TensorFlow checkpoint"),
                             (str(tmp_path / "ckpt"), "TensorFlow checkpoints"),
                             (str(exported), "SavedModel")]:
        code, _, err = lrtool("table", target, "--backend", "numpy")
        assert code == 2 and fragment in err and "model.save('model.keras')" in err, err
        assert err.count("\n") == 1


def test_corrupt_truncated_and_bomb_archives(saved: dict[str, Any], tmp_path: Path) -> None:
    data = (saved["folder"] / "cosine.keras").read_bytes()
    h5 = (saved["folder"] / "cosine.h5").read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (65 << 20))
    lying = bytearray(bomb.getvalue())
    at = lying.rindex(b"PK\x01\x02")  # the central directory's size field: claim 10 bytes
    lying[at + 24:at + 28] = (10).to_bytes(4, "little")
    notzip = io.BytesIO()
    with zipfile.ZipFile(notzip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    notmodel = io.BytesIO()
    with zipfile.ZipFile(notmodel, "w") as archive:
        archive.writestr("config.json", json.dumps({"epochs": 3}))
    import h5py

    with h5py.File(tmp_path / "data.h5", "w") as table:
        table["x"] = np.arange(3)
    cases = {
        "half.keras": (data[: len(data) // 2], "corrupt or truncated .keras archive"),
        "cut.keras": (data[:-30], "corrupt or truncated .keras archive"),
        "half.h5": (h5[: len(h5) // 2], "truncated"),
        "head.h5": (h5[:40], "corrupt or truncated HDF5"),
        "bomb.keras": (bomb.getvalue(), "declares 68,157,440 bytes"),
        "lying.keras": (bytes(lying), "corrupt or truncated .keras archive"),
        "notes.keras": (notzip.getvalue(), "has no config.json"),
        "notmodel.keras": (notmodel.getvalue(), "config.json is not a Keras model config"),
        "data.h5": ((tmp_path / "data.h5").read_bytes(), "is HDF5 but not a Keras model"),
        "random.h5": (bytes(range(256)) * 8, "binary, not a schedule"),
    }
    for name, (content, fragment) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        code, out, err = lrtool("table", str(path), "--backend", "numpy")
        assert (code, out) == (2, "") and fragment in err and err.count("\n") == 1, (name, err)


DAMAGE = """
import sys, numpy as np
from lrtool.spec import Reader
from lrtool.schedules import ScheduleError
rng = np.random.default_rng(int(sys.argv[1]))
for name in sys.argv[3:]:
    data = np.frombuffer(open(name, "rb").read(), np.uint8)
    for i in range(int(sys.argv[2])):
        damaged = data.copy()
        if i % 3 == 0:  # bytes changed here and there
            spots = rng.integers(0, data.size, rng.integers(1, 60))
            damaged[spots] = rng.integers(0, 256, spots.size)
        elif i % 3 == 1:  # cut short anywhere
            damaged = damaged[: rng.integers(0, data.size)]
        else:  # a block overwritten
            at = rng.integers(0, data.size - 64)
            damaged[at:at + 64] = rng.integers(0, 256, 64)
        damaged.tofile(name + ".damaged")
        try:
            Reader().parse(name + ".damaged")
        except ScheduleError as exc:
            assert "\\n" not in exc.message
print("survived")
"""


def test_damaged_files_never_hang_crash_or_raise_anything_else(saved: dict[str, Any],
                                                               tmp_path: Path) -> None:
    """Bytes changed, cut or overwritten anywhere in a legacy .h5 and a .keras (weights
    included): every one reads, or is refused with a ScheduleError. In a process of its own, so
    that a crash in libhdf5 fails the test instead of ending the run; the timeout catches a
    hang. (Found this way: h5py's RuntimeError "bad heap free list".)"""
    import shutil
    import subprocess

    files = [shutil.copy(saved["folder"] / n, tmp_path / n) for n in ("cosine.h5", "cosine.keras")]
    result = subprocess.run([sys.executable, "-c", DAMAGE, "11", "150", *map(str, files)],
                            capture_output=True, text=True, timeout=240,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert (result.returncode, result.stdout.strip()) == (0, "survived"), result.stderr[-2000:]


def test_keras_file_on_numpy_without_tensorflow(saved: dict[str, Any],
                                                no_tensorflow_dir: Path) -> None:
    result = run("csv", str(saved["folder"] / "cosine.keras"), "--resume", "--steps", "9",
                 no_tf_dir=no_tensorflow_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["step,lr", "7,0.0072999997", "8,0.0082"]


def test_without_h5py_archives_read_and_h5_asks_for_it(saved: dict[str, Any],
                                                       tmp_path: Path) -> None:
    (tmp_path / "h5py.py").write_text("raise ImportError('No module named h5py')\n")
    keras_file = run("table", str(saved["folder"] / "cosine.keras"), "--backend", "numpy",
                     no_tf_dir=tmp_path)
    assert keras_file.returncode == 0 and "not read" in keras_file.stderr.decode()
    h5 = run("table", str(saved["folder"] / "cosine.h5"), "--backend", "numpy",
             no_tf_dir=tmp_path)
    assert h5.returncode == 2 and "pip install h5py" in h5.stderr.decode()
    assert h5.stderr.decode().count("\n") == 1


def test_a_crash_or_hang_inside_libhdf5_is_one_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """libhdf5 can crash on a damaged file (a segmentation fault seen while fuzzing): the read
    runs in a child process, and its death or a hang is a refusal naming the file."""
    import signal
    import time

    from lrtool.modelfile import hdf5
    from lrtool.schedules import ScheduleError

    with pytest.raises(ScheduleError, match=r"^model\.h5 is a corrupt HDF5 file \(libhdf5 failed"):
        hdf5.isolated(lambda: os.kill(os.getpid(), signal.SIGSEGV), "model.h5")
    monkeypatch.setattr(hdf5, "TIMEOUT", 0.5)
    with pytest.raises(ScheduleError, match="did not end within"):
        hdf5.isolated(lambda: time.sleep(30), "model.h5")
    assert hdf5.isolated(lambda: [7, None], "model.h5") == [7, None]
