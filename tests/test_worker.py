"""The TensorFlow worker, with real workers in private runtime directories: warm output equals
in-process output byte for byte, status and stop, idle exit, another installation's worker
ignored, a killed or wedged worker falls back, unsafe permissions are refused, several clients
at once, and nothing is left running afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing import Pipe
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, _env, run
from lrtool.worker import paths
from lrtool.schedules import REGISTRY, OpaqueSchedule
from lrtool.worker.protocol import (
    STEPS, VALUES, ProtocolError, recv_array, recv_json, schedule_json, schedule_of, send_array,
    send_json, sendable)

SCHEDULES = ["CosineDecay(1e-3, decay_steps=1000, warmup_target=1e-2, warmup_steps=100)",
             "ExponentialDecay(0.1, 300, 0.5, staircase=True)",
             "PolynomialDecay(0.1, 700, power=0.5, cycle=True)"]


def worker_processes(directory: Path) -> list[int]:
    """Pids of workers whose runtime directory is under ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"lrtool.worker.server" in cmdline and \
                f"{paths.ENV_DIR}={directory}".encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every runtime directory of this module is under this one; none has a worker at the end."""
    directory = tmp_path_factory.mktemp("w")
    yield directory
    for pid in worker_processes(directory):  # a failed test's worker: stop it, then fail
        os.kill(pid, signal.SIGTERM)
    time.sleep(0.5)
    assert worker_processes(directory) == []


def settings_for(directory: Path, idle: str = "300") -> dict[str, str]:
    return {"LRTOOL_WORKER": "on", paths.ENV_DIR: str(directory), paths.ENV_IDLE: idle}


def lrtool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return run(*args, **env)


def wait_for(condition: object, seconds: float = 180.0) -> None:
    end = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def served(env: dict[str, str]) -> int:
    text = lrtool(env, "worker", "status").stdout.decode()
    return int(text.split(" request")[0].rsplit(" ", 1)[1])


@pytest.fixture(scope="module")
def warm(base: Path) -> Iterator[dict[str, str]]:
    """A worker started once for the module's warm tests; stopped, and checked gone, after."""
    directory = base / "warm"
    env = settings_for(directory)
    started = lrtool(env, "worker", "start")
    assert started.returncode == 0, started.stderr
    yield env
    stopped = lrtool(env, "worker", "stop")
    assert b"stopped the worker" in stopped.stdout
    assert worker_processes(directory) == []
    assert sorted(p.name for p in directory.iterdir()) == ["key"]


COMMANDS = [
    ("table", *SCHEDULES, "--steps", "2000"),
    ("table", *SCHEDULES, "--steps", "2000", "--run-eagerly"),
    ("table", *SCHEDULES, "--steps", "2000", "--jit-compile"),
    ("csv", *SCHEDULES, "--steps", "5000"),
    ("plot", "CosineDecayRestarts(0.1, 300)", "--steps", "3000"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[-2:]))
def test_warm_output_is_the_in_process_output(warm: dict[str, str], base: Path,
                                              args: tuple[str, ...]) -> None:
    before = served(warm)
    off = {**warm, "LRTOOL_WORKER": "off", paths.ENV_DIR: str(base / "never")}
    cold, hot = lrtool(off, *args), lrtool(warm, *args)
    assert hot.returncode == cold.returncode == 0, hot.stderr
    assert (hot.stdout, hot.stderr) == (cold.stdout, cold.stderr)
    assert served(warm) > before  # the worker computed them
    assert not (base / "never").exists()  # LRTOOL_WORKER=off touches nothing


def test_a_warm_command_does_not_import_tensorflow(warm: dict[str, str]) -> None:
    code = ("import sys, atexit; from lrtool.cli import main;"
            " atexit.register(lambda: print('tf' if 'tensorflow' in sys.modules else 'no tf',"
            " file=sys.stderr)); main(['table', '--steps', '5'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, env=_env(**warm),
                            timeout=120)
    assert result.returncode == 0
    assert result.stderr.decode().splitlines()[-1] == "no tf"


def test_status(warm: dict[str, str]) -> None:
    lines = lrtool(warm, "worker", "status").stdout.decode().splitlines()
    assert lines[0].startswith("worker: running, pid ")
    assert " served" in lines[0] and ", up " in lines[0]
    assert lines[1].endswith("exits after 5m 00s idle")
    assert lines[2].startswith("versions: lrtool ") and "tensorflow 2." in lines[2]
    assert lines[-1].startswith(f"socket: {warm[paths.ENV_DIR]}/tf-")
    assert lines[-1].endswith(".sock")


def test_several_clients_at_once_and_ctrl_c(warm: dict[str, str]) -> None:
    before = served(warm)
    interrupted = subprocess.Popen([sys.executable, "-m", "lrtool", "csv", SCHEDULES[0],
                                    "--steps", "1e7"], env=_env(**warm),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(lambda: served(warm) > before + 1)  # its requests are under way
    interrupted.send_signal(signal.SIGINT)
    assert interrupted.wait(timeout=60) == 130
    assert interrupted.stderr is not None and interrupted.stderr.read() == b"lrtool: interrupted\n"
    args = ["-m", "lrtool", "csv", SCHEDULES[0], "--steps", "200000"]
    expected = lrtool({**warm, "LRTOOL_WORKER": "off"}, *args[2:]).stdout
    clients = [subprocess.Popen([sys.executable, *args], env=_env(**warm),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [c.communicate(timeout=300) for c in clients]
    assert all(out == (expected, b"") for out in outputs)


def test_the_numpy_backend_never_touches_the_worker(base: Path) -> None:
    directory = base / "numpy"
    env = settings_for(directory)
    assert lrtool(env, "table", "--steps", "5", "--backend", "numpy").returncode == 0
    assert lrtool({**env, "LRTOOL_BACKEND": "numpy"}, "csv", "--steps", "5").returncode == 0
    time.sleep(1.0)
    assert not directory.exists() and worker_processes(directory) == []


def test_first_command_starts_a_worker_that_idles_out(base: Path) -> None:
    directory = base / "idle"
    env = settings_for(directory, idle="4")
    first = lrtool(env, "table", "--steps", "5")
    assert first.returncode == 0 and first.stderr == b""
    wait_for(lambda: b"running" in lrtool(env, "worker", "status").stdout)
    assert worker_processes(directory)
    wait_for(lambda: not worker_processes(directory), seconds=60)
    assert sorted(p.name for p in directory.iterdir()) == ["key"]  # no socket, no lock


def test_a_killed_or_wedged_worker_falls_back(base: Path) -> None:
    env = settings_for(base / "faults")
    args = ("csv", SCHEDULES[1], "--steps", "3e5")
    expected = lrtool({**env, "LRTOOL_WORKER": "off"}, *args)
    assert lrtool(env, "worker", "start").returncode == 0
    [pid] = worker_processes(base / "faults")
    os.kill(pid, signal.SIGSTOP)  # wedged: connects, never answers
    try:
        wedged = lrtool(env, *args)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert wedged.stdout == expected.stdout
    assert wedged.stderr.decode().count("\n") == 1 and "did not answer" in wedged.stderr.decode()

    before = served(env)
    client = subprocess.Popen([sys.executable, "-m", "lrtool", *args], env=_env(**env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: served(env) > before + 1)
    os.kill(pid, signal.SIGKILL)  # mid-request; its socket and lock stay behind
    out, err = client.communicate(timeout=300)
    assert out == expected.stdout
    assert err.decode().count("\n") == 1 and "the TensorFlow worker failed" in err.decode()

    wait_for(lambda: not worker_processes(base / "faults"))
    dead = lrtool(env, *args)  # a stale socket: no line, and a new worker replaces it
    assert (dead.stdout, dead.stderr) == (expected.stdout, b"")
    wait_for(lambda: b"running" in lrtool(env, "worker", "status").stdout)
    assert lrtool(env, *args).stdout == expected.stdout
    assert served(env) >= 1
    assert b"stopped" in lrtool(env, "worker", "stop").stdout


def test_a_worker_of_another_installation_is_never_used(base: Path) -> None:
    directory = base / "other"
    env = settings_for(directory)
    code = ("import dataclasses, sys; from lrtool.worker import paths, server;"
            " real = paths.identity(); ours = paths.Place(paths.runtime_dir(), real).socket;"
            " paths.identity = lambda: dataclasses.replace(real, lrtool='0.0.0-other');"
            " paths.Place.socket = property(lambda self: ours); sys.exit(server.main())")
    impostor = subprocess.Popen([sys.executable, "-c", code], env=_env(**env), cwd=ROOT)
    wait_for(lambda: any(p.suffix == ".sock" for p in directory.glob("*")))
    expected = lrtool({**env, "LRTOOL_WORKER": "off"}, "table", "--steps", "5")
    result = lrtool(env, "table", "--steps", "5")
    assert result.stdout == expected.stdout
    assert "belongs to another installation" in result.stderr.decode()
    assert result.stderr.decode().count("\n") == 1
    impostor.terminate()
    assert impostor.wait(timeout=30) in (0, -signal.SIGTERM)


def test_unsafe_directory_or_key_is_refused(base: Path) -> None:
    directory = base / "unsafe"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    env = settings_for(directory)
    result = lrtool(env, "table", "--steps", "5")
    assert result.returncode == 0 and b"backend: tensorflow" in result.stdout
    assert result.stderr.decode() == (f"lrtool: not using the TensorFlow worker: the worker's"
                                      f" directory {directory} is open to other users (mode 755;"
                                      " chmod 700 it); evaluating in this process\n")
    status = lrtool(env, "worker", "status")
    assert status.returncode == 1 and b"open to other users" in status.stderr
    directory.chmod(0o700)
    (directory / "key").write_bytes(os.urandom(paths.KEY_BYTES))
    (directory / "key").chmod(0o644)
    status = lrtool(env, "worker", "status")
    assert status.returncode == 1
    assert f"the worker's key file {directory / 'key'} is open to other users (mode 644;" \
        in status.stderr.decode()
    time.sleep(0.5)
    assert worker_processes(directory) == []  # the first command started none in that place


def warm_place(warm: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[paths.Place, bytes]:
    """The warm worker's place and key, as a command in this environment finds them."""
    monkeypatch.setenv(paths.ENV_DIR, warm[paths.ENV_DIR])
    ident = paths.identity()
    assert ident is not None
    where = paths.place(ident)
    key = paths.read_key(where)
    assert key is not None
    return where, key


def test_a_wrong_key_is_refused_and_the_worker_goes_on(warm: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from lrtool.worker.client import WorkerFault, connect

    where, key = warm_place(warm, monkeypatch)
    with pytest.raises(WorkerFault, match="does not hold this user's key"):
        connect(where, os.urandom(paths.KEY_BYTES))
    with connect(where, key) as conn:
        send_json(conn, {"op": "status"})
        assert recv_json(conn)["ok"] is True


def test_a_saved_models_constant_rate_is_served(warm: dict[str, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from lrtool.schedules.constant import Constant
    from lrtool.worker.client import WorkerBackend, connect

    where, key = warm_place(warm, monkeypatch)
    before = served(warm)
    backend = WorkerBackend(connect(where, key), where, "graph")
    values = backend.evaluate(Constant(0.01), np.arange(5, dtype=np.int64))
    backend.close()
    assert values.tolist() == [np.float32(0.01)] * 5 and values.dtype == np.float32
    assert served(warm) == before + 1


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_what_travels_rebuilds_the_same_schedule(name: str) -> None:
    from lrtool.schedules.constant import Constant

    schedule = REGISTRY[name](**REGISTRY[name].example)
    assert sendable(schedule) and schedule_of(schedule_json(schedule)) == schedule
    assert schedule_of(schedule_json(Constant(0.5))) == Constant(0.5)
    assert not sendable(OpaqueSchedule(object()))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-2**63, 2**63 - 1), max_size=200))
def test_numbers_travel_as_raw_bytes(steps: list[int]) -> None:
    left, right = Pipe()
    array = np.array(steps, dtype=np.int64)
    send_array(left, array, STEPS)
    assert recv_array(right, STEPS, len(steps)).tolist() == steps
    send_array(left, array.astype(np.float32), VALUES)
    back = recv_array(right, VALUES, len(steps))
    assert back.dtype == np.float32 and back.tobytes() == array.astype(np.float32).tobytes()


def test_malformed_messages_are_refused_never_unpickled() -> None:
    import pickle

    left, right = Pipe()
    left.send_bytes(pickle.dumps({"op": "hello"}))
    with pytest.raises(ProtocolError):
        recv_json(right)
    left.send_bytes(b"[1, 2]")
    with pytest.raises(ProtocolError, match="JSON object"):
        recv_json(right)
    left.send_bytes(b"\0" * 12)
    with pytest.raises(ProtocolError, match="expected 2 numbers"):
        recv_array(right, STEPS, 2)
