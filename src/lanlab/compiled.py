"""Which build of lanlab runs: pure Python (the default and the reference) or the compiled one.

`make fast` (or `LANLAB_COMPILE=1 pip install '.[fast]'`) compiles the simulator's hot path with mypyc
(setup.py lists the modules); each becomes a C extension beside, or instead of, its .py file.
`lanlab --version` says which build runs, and CI checks that its compiled run really is one.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path


def compiled_modules() -> list[str]:
    """The dotted names of lanlab's modules that run as C extensions ([] in the pure Python build)."""
    package = Path(__file__).parent
    suffixes = sorted(EXTENSION_SUFFIXES, key=len, reverse=True)  # ".cpython-311-x86_64-linux-gnu.so" before ".so"
    names = set()
    for path in package.rglob("*.so"):
        suffix = next((s for s in suffixes if path.name.endswith(s)), None)
        if suffix is not None:
            parts = path.relative_to(package.parent).parts
            names.add(".".join((*parts[:-1], parts[-1][: -len(suffix)])))
    return sorted(names)


def build_name() -> str:
    """The build that runs: "pure Python", or "compiled with mypyc, N modules"."""
    modules = compiled_modules()
    return f"compiled with mypyc, {len(modules)} modules" if modules else "pure Python"
