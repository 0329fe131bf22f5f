"""Prepare OpenStreetMap extracts for OSRM once, and cache the prepared files.

The ``osrm-bindings`` wheel ships OSRM's executables and its stock Lua profiles.
:func:`prepare_osrm` runs ``osrm-extract`` with a profile, then ``osrm-contract``
(algorithm ``"ch"``, contraction hierarchies) or ``osrm-partition`` and ``osrm-customize``
(``"mld"``, multi-level Dijkstra). Several extracts are first merged into one file
(:func:`merge_pbf`), as ``osrm-extract`` reads a single file.

The prepared files go to ``options.cache_dir / "osrm" / <key>/``, where the key hashes the
bytes of every input file (SHA-256, order free), the profile (name and Lua source), the
algorithm, the OSRM version and :data:`OSRM_FORMAT`. An entry is built in a temporary
folder and renamed into place when complete; its ``meta.json`` lists the size and SHA-256
of each prepared file. An entry whose ``meta.json`` is missing or does not match its
files is rebuilt, never used: OSRM maps the files into memory and a damaged one could
crash the process instead of raising an error.

Examples
--------
>>> import tempfile
>>> from maillage.sources import fetch
>>> with tempfile.TemporaryDirectory() as tmp, options.set(cache_dir=tmp):
...     first = prepare_osrm([fetch("osm-saint-barthelemy-2015")[0]])
...     again = prepare_osrm([fetch("osm-saint-barthelemy-2015")[0]])
...     first.base == again.base, first.base.name, first.meta["algorithm"]
(True, 'network.osrm', 'ch')
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maillage.errors import MissingDependencyError, NetworkError, OptionError
from maillage.options import options
from maillage.schema import check_choice
from maillage.sources import sha256_of
from maillage.travel.engine import check_positive
from maillage.travel.graph.osm import as_paths

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from types import ModuleType

__all__ = [
    "ALGORITHMS",
    "INSTALL_HINT",
    "OSRM_FORMAT",
    "PROFILES",
    "SMALL_COMPONENT_SIZE",
    "PreparedOSRM",
    "check_algorithm",
    "merge_pbf",
    "osrm_module",
    "osrm_version",
    "prepare_osrm",
    "profile_file",
]

logger = logging.getLogger(__name__)

OSRM_FORMAT = 1
"""Version of this preparation code; part of every cache key."""

PROFILES = ("car", "bicycle", "foot")
"""Names of the stock OSRM profiles (``share/profiles/<name>.lua`` of the wheel)."""

SMALL_COMPONENT_SIZE = 1000
"""OSRM's default ``--small-component-size``: pieces of the road network with fewer nodes are
"tiny", and a point whose nearest road lies on one is placed on the nearest road of a larger
piece. An extract smaller than this (central Paris) has no large piece at all: OSRM then
places each point on its nearest road, whatever piece it is in, and pairs between pieces are
unreachable; pass a smaller size to treat such an extract as a national one would be."""

ALGORITHMS = {"ch": ("contract",), "mld": ("partition", "customize")}
"""OSRM routing algorithms and the steps that follow ``osrm-extract`` for each."""

INSTALL_HINT = (
    "pip install 'maillage[osrm]' (or: pip install osrm-bindings; wheels for CPython >= 3.12 "
    "on Linux x86_64/aarch64, macOS arm64 and Windows x86_64)"
)

_BASE = "network.osrm"
_META = "meta.json"
_LOG_TAIL = 5
_TIMESTAMP = re.compile(r"^\[[0-9T:-]+\] ")


def osrm_module() -> ModuleType:
    """Return the ``osrm`` module of ``osrm-bindings``.

    Raises
    ------
    MissingDependencyError
        When ``osrm-bindings`` is not installed (the message gives the install command).

    Examples
    --------
    >>> hasattr(osrm_module(), "TableParameters")
    True
    """
    try:
        return importlib.import_module("osrm")
    except ImportError as exc:
        msg = f"the OSRM engine needs the osrm-bindings package: {INSTALL_HINT}"
        raise MissingDependencyError(msg) from exc


def osrm_version() -> str:
    """Return the version of the installed ``osrm-bindings`` (that of OSRM itself).

    Examples
    --------
    >>> osrm_version().count(".") >= 1
    True
    """
    osrm_module()
    return importlib.metadata.version("osrm-bindings")


def _executable(step: str) -> Path:
    """Path of ``osrm-<step>``: in the wheel's ``bin/`` folder, else on the PATH."""
    name = f"osrm-{step}"
    package = Path(str(osrm_module().__file__)).parent
    for candidate in (package / "bin" / name, package / "bin" / f"{name}.exe"):
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found is None:
        msg = f"the OSRM program {name} is missing from osrm-bindings and the PATH: {INSTALL_HINT}"
        raise MissingDependencyError(msg)
    return Path(found)


def profile_file(profile: str | os.PathLike[str]) -> Path:
    """Return the Lua file of a stock profile name, or check a custom ``.lua`` path.

    Parameters
    ----------
    profile : str or path
        One of :data:`PROFILES`, or the path of a Lua profile.

    Returns
    -------
    pathlib.Path
        The profile file.

    Raises
    ------
    OptionError
        Unknown profile name, or a path that is not a ``.lua`` file.

    Examples
    --------
    >>> profile_file("car").name
    'car.lua'
    >>> profile_file("tractor")
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: profile 'tractor' is not an OSRM profile: use one of car, bicycle, foot, or the path of a .lua profile
    """
    if isinstance(profile, str) and profile in PROFILES:
        package = Path(str(osrm_module().__file__)).parent
        path = package / "share" / "profiles" / f"{profile}.lua"
        if not path.is_file():
            msg = f"the stock OSRM profile {path} is missing: reinstall osrm-bindings"
            raise MissingDependencyError(msg)
        return path
    path = Path(profile)
    if path.suffix != ".lua" or not path.is_file():
        msg = (
            f"profile {str(profile)!r} is not an OSRM profile: use one of "
            f"{', '.join(PROFILES)}, or the path of a .lua profile"
        )
        raise OptionError(msg)
    return path


def check_algorithm(algorithm: str) -> str:
    """Return the algorithm name in lower case; raise :class:`OptionError` if unknown.

    Examples
    --------
    >>> check_algorithm("MLD")
    'mld'
    """
    return check_choice("algorithm", str(algorithm).lower(), tuple(ALGORITHMS))


@dataclass(frozen=True)
class PreparedOSRM:
    """OSRM files ready to be opened.

    Attributes
    ----------
    base : pathlib.Path
        The ``.osrm`` base path (``osrm.OSRM(storage_config=base)``).
    meta : dict
        Inputs and parameters of the build (also in the entry's ``meta.json``).
    temporary : bool
        The files are in a temporary folder of their own (uncached build), to delete when
        no longer used.
    """

    base: Path
    meta: dict[str, object]
    temporary: bool = False


def merge_pbf(paths: Sequence[Path], target: Path) -> int:
    """Merge OSM files sorted by type then id into ``target``, each object once.

    Adjacent extracts overlap at their borders: an object found in several files is
    written once, its newest version. The files are streamed (constant memory).

    Parameters
    ----------
    paths : sequence of pathlib.Path
        ``.osm.pbf`` files, each sorted by type then id (as published extracts are).
    target : pathlib.Path
        Output ``.osm.pbf`` (overwritten).

    Returns
    -------
    int
        Number of objects found in more than one file.

    Raises
    ------
    NetworkError
        A file is corrupt or not sorted.

    Examples
    --------
    >>> import tempfile
    >>> from maillage.sources import fetch
    >>> path = fetch("osm-saint-barthelemy-2015")[0]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     merge_pbf([path, path], Path(tmp) / "both.osm.pbf") > 8000
    True
    """
    import osmium  # noqa: PLC0415 - only needed when several extracts are merged

    rank = {"n": 0, "w": 1, "r": 2}
    repeated, last = 0, (-1, 0)
    processors = [osmium.FileProcessor(str(path)) for path in paths]
    try:
        with osmium.SimpleWriter(str(target), overwrite=True) as writer:
            for group in osmium.zip_processors(*processors):
                copies: list[Any] = [item for item in group if item is not None]
                key = (rank.get(copies[0].type_str(), 3), copies[0].id)
                if key < last:
                    msg = (
                        f"OpenStreetMap files {[p.name for p in paths]} are not sorted by "
                        "type then id; sort them (osmium sort) before merging"
                    )
                    raise NetworkError(msg)
                last = key
                repeated += len(copies) > 1
                writer.add(max(copies, key=lambda item: item.version))
    except RuntimeError as exc:
        msg = f"cannot merge OpenStreetMap files {[p.name for p in paths]}: {exc}"
        raise NetworkError(msg) from exc
    logger.info("merged %d files: %d objects were in more than one", len(paths), repeated)
    return repeated


def _cache_key(
    hashes: Sequence[str], profile: Path, algorithm: str, version: str, small: int
) -> str:
    parts: dict[str, object] = {
        "sha256": sorted(hashes),
        "profile": profile.name,
        "profile_sha256": sha256_of(profile),
        "algorithm": algorithm,
        "osrm": version,
        "format": OSRM_FORMAT,
    }
    if small != SMALL_COMPONENT_SIZE:  # the entries of OSRM's default keep their key
        parts["small_component_size"] = small
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _run(step: str, args: list[str], label: str) -> None:
    """Run ``osrm-<step>``; raise :class:`NetworkError` with the end of its log on failure."""
    command = [str(_executable(step)), *args]
    logger.info("osrm-%s %s", step, label)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    logger.debug("osrm-%s output:\n%s%s", step, done.stdout, done.stderr)
    if done.returncode != 0:
        lines = [_TIMESTAMP.sub("", line) for line in (done.stdout + done.stderr).splitlines()]
        errors = [line for line in lines if line.startswith("[error]")]
        lines = errors or [line for line in lines if line.strip()][-_LOG_TAIL:]
        msg = f"osrm-{step} failed on {label} (exit code {done.returncode}): " + " | ".join(lines)
        raise NetworkError(msg)


def _build(folder: Path, paths: list[Path], profile: Path, algorithm: str, small: int) -> None:
    """Write the prepared files of ``paths`` into ``folder`` (``network.osrm.*``)."""
    label = " + ".join(path.name for path in paths)
    source = paths[0]
    if len(paths) > 1:
        source = folder / "merged.osm.pbf"
        merge_pbf(paths, source)
    base = folder / _BASE
    extract = ["-p", str(profile), "--small-component-size", str(small), "-o", str(base)]
    _run("extract", [*extract, str(source)], label)
    if source != paths[0]:
        source.unlink()
    for step in ALGORITHMS[algorithm]:
        _run(step, [str(base)], label)


def _inventory(folder: Path) -> dict[str, list[object]]:
    return {
        path.name: [path.stat().st_size, sha256_of(path)]
        for path in sorted(folder.iterdir())
        if path.name.startswith(_BASE)
    }


def _broken(entry: Path, key: str) -> str | None:
    """Why the cache entry cannot be used, or ``None`` when it is complete and intact."""
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"its {_META} cannot be read ({exc})"
    if not isinstance(meta, dict) or meta.get("key") != key:
        return f"its {_META} is not the one of key {key}"
    try:
        if _inventory(entry) != meta.get("prepared"):
            return "its files differ from those listed in meta.json"
    except OSError as exc:
        return f"a file cannot be read ({exc})"
    return None


def _meta(paths: list[Path], hashes: list[str], profile: Path, algorithm: str, small: int) -> dict:
    return {
        "file": " + ".join(path.name for path in paths),
        "sha256": " + ".join(hashes),
        "files": [path.name for path in paths],
        "profile": profile.stem,
        "profile_sha256": sha256_of(profile),
        "algorithm": algorithm,
        "osrm_version": osrm_version(),
        "osrm_format": OSRM_FORMAT,
        "small_component_size": small,
    }


def prepare_osrm(
    paths: Sequence[Path | str] | Path | str,
    *,
    profile: str | os.PathLike[str] = "car",
    algorithm: str = "ch",
    small_component_size: int = SMALL_COMPONENT_SIZE,
    cache: bool = True,
) -> PreparedOSRM:
    """Extract and contract (or partition and customize) OSM file(s) for OSRM, cached.

    Parameters
    ----------
    paths : path or sequence of paths
        ``.osm.pbf`` extract(s); several are merged first (see :func:`merge_pbf`).
    profile : str or path, default "car"
        A stock profile name (:data:`PROFILES`) or a Lua profile file.
    algorithm : {"ch", "mld"}, default "ch"
        Contraction hierarchies (fastest tables) or multi-level Dijkstra.
    small_component_size : int, default 1000
        ``osrm-extract --small-component-size``: OSRM places a point on the nearest road of
        a component of at least this many nodes when its nearest road lies in a smaller one
        (:data:`SMALL_COMPONENT_SIZE`).
    cache : bool, default True
        Reuse and store the prepared files in ``options.cache_dir / "osrm"``; otherwise
        build them in a temporary folder that lives as long as the result.

    Returns
    -------
    PreparedOSRM
        The base path to open and the build metadata.

    Raises
    ------
    NetworkError
        A file is missing, not a PBF, or OSRM cannot process it (message ends with
        OSRM's log).
    MissingDependencyError
        ``osrm-bindings`` or one of its programs is missing.
    OptionError
        Unknown profile or algorithm.

    Examples
    --------
    See the module docstring.
    """
    files = as_paths(paths)
    lua = profile_file(profile)
    algorithm = check_algorithm(algorithm)
    hashes = [sha256_of(path) for path in files]
    small = int(check_positive("small_component_size", small_component_size))
    meta = _meta(files, hashes, lua, algorithm, small)
    if not cache:
        folder = Path(tempfile.mkdtemp(prefix="maillage-osrm-"))
        try:
            _build(folder, files, lua, algorithm, small)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return PreparedOSRM(folder / _BASE, meta, temporary=True)
    key = _cache_key(hashes, lua, algorithm, str(meta["osrm_version"]), small)
    entry = Path(options.cache_dir) / "osrm" / key
    if entry.is_dir():
        reason = _broken(entry, key)
        if reason is None:
            logger.info("OSRM files of %s read from the cache %s", meta["file"], entry)
            return PreparedOSRM(entry / _BASE, meta)
        logger.warning("OSRM cache entry %s is broken (%s): rebuilt", entry, reason)
        shutil.rmtree(entry, ignore_errors=True)
    entry.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=entry.parent))
    try:
        _build(work, files, lua, algorithm, small)
        meta_out = {**meta, "key": key, "prepared": _inventory(work)}
        (work / _META).write_text(json.dumps(meta_out, indent=1), encoding="utf-8")
        try:
            work.rename(entry)
        except OSError:  # another process finished first: keep its entry if it is intact
            if _broken(entry, key) is not None:
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("OSRM files of %s cached in %s", meta["file"], entry)
    return PreparedOSRM(entry / _BASE, meta)
