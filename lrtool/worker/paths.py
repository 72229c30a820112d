"""Where the worker of this installation lives, who may talk to it, and whether to use it.

Read on every command, so nothing here imports TensorFlow or even ``importlib.metadata`` (50 ms):
versions come from the names of the ``*.dist-info`` directories beside the installed packages.

One worker per user and installation: the socket's name is a digest of the interpreter, lrtool's
version and source files, and the TensorFlow and Keras versions, so a worker started from another
environment or version is never asked. The directory holding it must be the user's own and
closed to everyone else (0700), as must the key that authenticates each connection (0600);
anything else is refused rather than repaired.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
from pathlib import Path

#: ``off`` (or 0, false, no) turns the worker off: every command imports TensorFlow itself.
ENV_SWITCH = "LRTOOL_WORKER"
#: Seconds without a request after which the worker exits.
ENV_IDLE = "LRTOOL_WORKER_IDLE"
#: The directory for the socket, lock and key (default $XDG_RUNTIME_DIR/lrtool).
ENV_DIR = "LRTOOL_RUNTIME_DIR"
DEFAULT_IDLE = 600.0
OFF = frozenset({"off", "0", "false", "no"})
#: Distributions whose version decides what the worker computes, by their dist-info name.
TENSORFLOW_DISTS = ("tensorflow", "tensorflow_cpu", "tensorflow_gpu", "tensorflow_intel",
                    "tensorflow_macos", "tf_nightly", "tf_nightly_cpu")
KEY_BYTES = 32


class UnsafePlace(RuntimeError):
    """The runtime directory or key file is not private to the user: the worker is not used."""


def enabled() -> bool:
    """Whether commands use the worker ($LRTOOL_WORKER, on unless off/0/false/no)."""
    return os.environ.get(ENV_SWITCH, "on").strip().lower() not in OFF


def idle_seconds() -> float:
    """How long the worker waits for a request before it exits ($LRTOOL_WORKER_IDLE)."""
    try:
        seconds = float(os.environ.get(ENV_IDLE, DEFAULT_IDLE))
    except ValueError:
        return DEFAULT_IDLE
    return seconds if seconds > 0 and seconds == seconds else DEFAULT_IDLE


@dataclasses.dataclass(frozen=True)
class Identity:
    """What a worker's answers depend on; two installations differ in at least one field."""

    python: str
    prefix: str
    lrtool: str
    source: str
    stamp: str
    tensorflow: str
    keras: str

    def digest(self) -> str:
        import hashlib
        import json

        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _dist_versions(directory: str) -> dict[str, str]:
    """``{normalised name: version}`` of the dist-info directories in a site directory."""
    found = {}
    try:
        names = os.listdir(directory)
    except OSError:
        return found
    for name in names:
        stem = name[: -len(".dist-info")]
        if name.endswith(".dist-info") and stem.count("-") == 1:
            dist, version = stem.split("-")
            found[dist.lower().replace(".", "_")] = version
    return found


def _source_stamp(package: Path) -> str:
    """The newest modification time among lrtool's modules: an edited source tree is another
    installation, so a worker never runs code older than the command's."""
    newest = 0
    for folder, _, files in os.walk(package):
        for name in files:
            if name.endswith(".py"):
                try:
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime_ns)
                except OSError:
                    pass
    return str(newest)


def identity() -> Identity | None:
    """This installation's identity, or None when no TensorFlow is installed to keep warm."""
    import importlib.util

    import lrtool

    try:
        spec = importlib.util.find_spec("tensorflow")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(list(spec.submodule_search_locations)[0])
    versions = _dist_versions(site)
    tensorflow = next((versions[d] if d == "tensorflow" else f"{d} {versions[d]}"
                       for d in TENSORFLOW_DISTS if d in versions), None)
    if tensorflow is None:
        return None
    package = Path(lrtool.__file__).resolve().parent
    return Identity(python=os.path.realpath(sys.executable), prefix=sys.prefix,
                    lrtool=versions.get("lrtool", "unknown"), source=str(package),
                    stamp=_source_stamp(package), tensorflow=tensorflow,
                    keras=versions.get("keras", "unknown"))


def runtime_dir() -> Path:
    """$LRTOOL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/lrtool, else lrtool-UID in the temp directory."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return Path(xdg) / "lrtool"
    return Path(os.environ.get("TMPDIR") or "/tmp") / f"lrtool-{os.getuid()}"


def check_private(path: Path, directory: bool) -> None:
    """Raise UnsafePlace unless ``path`` is the user's own directory or file, closed to others."""
    info = os.lstat(path)
    kind = "directory" if directory else "key file"
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePlace(f"the worker's {kind} {path} is a symbolic link")
    if (stat.S_ISDIR(info.st_mode) if directory else stat.S_ISREG(info.st_mode)) is False:
        raise UnsafePlace(f"the worker's {kind} {path} is not a {kind.split()[0]}")
    if info.st_uid != os.getuid():
        raise UnsafePlace(f"the worker's {kind} {path} belongs to another user")
    if info.st_mode & 0o077:
        wanted = "700" if directory else "600"
        raise UnsafePlace(f"the worker's {kind} {path} is open to other users"
                          f" (mode {stat.S_IMODE(info.st_mode):o}; chmod {wanted} it)")


@dataclasses.dataclass(frozen=True)
class Place:
    """The files of one installation's worker: socket, lock (held while it lives) and key."""

    directory: Path
    identity: Identity

    @property
    def socket(self) -> Path:
        return self.directory / f"tf-{self.identity.digest()}.sock"

    @property
    def lock(self) -> Path:
        return self.directory / f"tf-{self.identity.digest()}.lock"

    @property
    def key(self) -> Path:
        return self.directory / "key"


def place(ident: Identity, create: bool = False) -> Place:
    """The worker's place, its directory checked (and made, 0700, when ``create``)."""
    directory = runtime_dir()
    if create:
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            pass
    check_private(directory, directory=True)
    return Place(directory, ident)


def read_key(where: Place) -> bytes | None:
    """The authentication key, checked private; None when there is none yet."""
    try:
        check_private(where.key, directory=False)
        data = where.key.read_bytes()
    except FileNotFoundError:
        return None
    return data if len(data) == KEY_BYTES else None


def make_key(where: Place) -> bytes:
    """The key, created 0600 if missing: written aside and linked into place, so a reader never
    sees it half written and two workers starting at once agree on one."""
    key = read_key(where)
    if key is not None:
        return key
    partial = where.directory / f"key.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, os.urandom(KEY_BYTES))
    finally:
        os.close(fd)
    try:
        os.link(partial, where.key)
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    key = read_key(where)
    if key is None:
        raise UnsafePlace(f"the worker's key file {where.key} is not a {KEY_BYTES}-byte key")
    return key
