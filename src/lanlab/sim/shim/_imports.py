"""One program's import system: its own `sys.modules`, `sys.path`, `__import__` and
`importlib`, so that every route to a module (an `import` statement, `__import__`,
`importlib.import_module`, `sys.modules[...]`, a lazy import inside a library function)
ends at the same door.

A module is found with the interpreter's own finders (so packages, namespace packages,
frozen and zipped modules all work) and then:

- a name the overlay answers for (`_modules.Overlay.special`) is the simulated module, an
  unsupported one, or hidden (a C accelerator whose pure-Python fallback is wanted);
- a pure-Python module is executed afresh for this program, with the program's builtins,
  so its own imports, now and lazily later, come through this door too (http.client gets
  the simulated socket, urllib.request the fresh http.client, logging the simulated
  threading, ...): no list of special cases per library;
- a C extension or built-in module that is not special is shared with lanlab (they
  compute; the ones that reach the network, processes or real threads are special);
- the few modules in SHARED are shared too: pure modules whose objects lanlab's own
  shim hands to programs (io's base classes, the abc machinery), so `isinstance` agrees.

Compiled code is cached per interpreter, so a fresh module costs one `exec` of its body.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys as _real_sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

# Shared with lanlab rather than executed afresh: pure modules (they reach no socket, process
# or thread, read no sys.modules/sys.stdout) whose classes must be the same objects inside and
# outside a program (ProgramOutput is an io.TextIOBase; ABC registrations live in abc).
SHARED = frozenset(
    {
        "abc",
        "_collections_abc",
        "io",
        "codecs",
        "encodings",
        "types",
        "_weakrefset",
        "copyreg",
        "_sitebuiltins",
        "genericpath",
        "posixpath",
        "stat",
        "keyword",
        "_compat_pickle",
    }
)
_REAL_LOADERS = (importlib.machinery.ExtensionFileLoader, importlib.machinery.BuiltinImporter)
_code_cache: dict[tuple[str, str | None, float | None], types.CodeType | None] = {}


class Hidden(Exception):
    """Raised by a special-module builder: the program sees ModuleNotFoundError for this name."""


def is_real_loader(spec: importlib.machinery.ModuleSpec) -> bool:
    """A C extension or built-in module: it cannot run afresh, only be shared (or replaced)."""
    loader = spec.loader
    if isinstance(loader, type):
        return issubclass(loader, importlib.machinery.BuiltinImporter)
    return isinstance(loader, _REAL_LOADERS)


class ProgramImports:
    """`modules` is the program's sys.modules; `path` its sys.path; `import_` its __import__."""

    def __init__(
        self,
        builtins: dict[str, Any],
        special: Callable[[str], types.ModuleType | None],
        path: Iterable[str],
        sent: Iterable[SentModule] = (),
    ) -> None:
        self.builtins = builtins
        self.special = special
        self.modules: dict[str, types.ModuleType] = {}
        self.path = list(path)
        # the program's own modules when they came with it (a sweep's run on a Dask worker): found
        # before the folder, which that machine may not have
        self.sent = {module.name: module for module in sent}

    # -- __import__ ------------------------------------------------------------------------
    def import_(
        self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> types.ModuleType:
        """builtins.__import__ for the program (importlib._bootstrap.__import__'s rules)."""
        absolute = resolve(name, globals, level) if level > 0 else name
        module = self.load(absolute)
        if not fromlist:
            if level == 0:
                return self.modules[name.partition(".")[0]]
            if not name:
                return module
            cut = len(name) - len(name.partition(".")[0])
            return self.modules[absolute[: len(absolute) - cut]]
        if hasattr(module, "__path__"):
            self._from_package(module, fromlist)
        return module

    def _from_package(self, package: types.ModuleType, fromlist: Any) -> None:
        for item in fromlist:
            if item == "*":
                self._from_package(package, getattr(package, "__all__", ()))
            elif not hasattr(package, item):
                try:
                    module = self.load(f"{package.__name__}.{item}")
                except ModuleNotFoundError as error:
                    if error.name != f"{package.__name__}.{item}":
                        raise  # a module it imports is missing, not the name asked for
                    continue
                # A submodule still being initialised (asyncio.tasks <-> asyncio.timeouts import each other)
                # is not yet an attribute of its package; CPython's `from . import tasks` then looks in
                # sys.modules, which is not the program's, so the attribute is set here.
                if not hasattr(package, item):
                    setattr(package, item, module)

    def import_module(self, name: str, package: str | None = None) -> types.ModuleType:
        """importlib.import_module for the program."""
        if name.startswith("."):
            if not package:
                raise TypeError(f"the 'package' argument is required to perform a relative import for {name!r}")
            name = importlib.util.resolve_name(name, package)
        return self.load(name)

    # -- loading ---------------------------------------------------------------------------
    def load(self, fullname: str) -> types.ModuleType:
        """The program's module `fullname`, imported (parents first) if it is not yet."""
        module = self.modules.get(fullname)
        if module is not None:
            return module
        parent_name, _, child = fullname.rpartition(".")
        search: list[str] | None = None
        parent = None
        if parent_name:
            parent = self.load(parent_name)
            module = self.modules.get(fullname)  # the parent's __init__ may have imported it
            if module is not None:
                return module
            search = getattr(parent, "__path__", None)
            if search is None:
                # a plain module's submodule exists only when something put it in sys.modules, as os.py
                # does os.path: the simulated ones are the overlay's
                module = self._special(fullname)
                if module is None:
                    raise ModuleNotFoundError(
                        f"No module named {fullname!r}; {parent_name!r} is not a package", name=fullname
                    )
                setattr(parent, child, module)
                return module
        module = self._create(fullname, search)
        if parent is not None:
            setattr(parent, child, module)
        return module

    def _special(self, fullname: str) -> types.ModuleType | None:
        """The overlay's module for `fullname` (simulated or unsupported), kept as the program's; None if
        the name is an ordinary module's."""
        try:
            special = self.special(fullname)
        except Hidden:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname) from None
        if special is not None:
            # Its spec says the door made it; its builtins are the program's, so that even the real
            # module's source executed into it (spec.loader.exec_module) imports through the door.
            if special.__dict__.get("__spec__") is None:
                special.__spec__ = importlib.machinery.ModuleSpec(fullname, DoorLoader(self))  # type: ignore[arg-type]
            special.__dict__["__builtins__"] = self.builtins
            self.modules[fullname] = special
        return special

    def _create(self, fullname: str, search: list[str] | None) -> types.ModuleType:
        special = self._special(fullname)
        if special is not None:
            return special
        spec = self.find_spec(fullname, search)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        if fullname.partition(".")[0] in SHARED or is_real_loader(spec):
            module = importlib.import_module(fullname)
            self.modules[fullname] = module
            return module
        return self.execute(fullname, spec)

    def find_spec(self, fullname: str, search: list[str] | None) -> importlib.machinery.ModuleSpec | None:
        """The interpreter's finders, with the program's sys.path for top-level modules."""
        sent = self.sent.get(fullname)
        if sent is not None:
            return sent.spec()
        for finder in _real_sys.meta_path:
            if finder is importlib.machinery.PathFinder:
                spec = finder.find_spec(fullname, self.path if search is None else search)
            else:
                find = getattr(finder, "find_spec", None)
                spec = find(fullname, search) if find is not None else None
            if spec is not None:
                return spec
        return None

    def execute(
        self, fullname: str, spec: importlib.machinery.ModuleSpec, module: types.ModuleType | None = None
    ) -> types.ModuleType:
        """Run the module's code afresh for this program (into `module`, for a reload)."""
        if module is None:
            module = importlib.util.module_from_spec(spec)
        module.__dict__["__builtins__"] = self.builtins
        self.modules[fullname] = module
        try:
            code = compiled(fullname, spec)
            if code is not None:
                exec(code, module.__dict__)  # noqa: S102 - the standard library's (or the program's) module
        except BaseException:
            self.modules.pop(fullname, None)
            raise
        return self.modules.get(fullname, module)  # a module may put another object in its place

    def reload(self, module: types.ModuleType) -> types.ModuleType:
        """importlib.reload for the program: fresh modules run again, the others stay."""
        name = getattr(module, "__name__", None)
        if name is None or self.modules.get(name) is not module:
            raise ImportError(f"module {name} not in sys.modules", name=name)
        spec = getattr(module, "__spec__", None)
        if spec is None or module.__dict__.get("__builtins__") is not self.builtins:
            return module  # simulated or shared: nothing of the program's to run again
        parent = name.rpartition(".")[0]
        fresh = self.find_spec(name, getattr(self.modules[parent], "__path__", None) if parent else None)
        return self.execute(name, fresh or spec, module)

    def special_for(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        """The door's module for a spec a program made itself (an extension's init function is
        named after the last part of its name, so `x._socket` is `_socket` too)."""
        for name in sorted({spec.name, spec.name.rpartition(".")[2]}):
            try:
                special = self.special(name)
            except Hidden:
                raise ModuleNotFoundError(f"No module named {spec.name!r}", name=spec.name) from None
            if special is not None:
                return special
        return None

    def module_from_spec(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        """importlib.util.module_from_spec whose module, run by `spec.loader.exec_module`, imports
        through this door (exec only adds the real builtins where a module has none); a C module
        the door replaces is replaced (the real socket.py run this way sits on the simulated _socket)."""
        if is_real_loader(spec):
            special = self.special_for(spec)
            if special is not None:
                return special
            return importlib.util.module_from_spec(spec)
        module = importlib.util.module_from_spec(spec)
        module.__dict__["__builtins__"] = self.builtins
        return module

    def spec_of(self, name: str, package: str | None = None) -> importlib.machinery.ModuleSpec | None:
        """importlib.util.find_spec for the program: a parent package is imported through the door."""
        if name.startswith("."):
            name = importlib.util.resolve_name(name, package)
        module = self.modules.get(name)
        if module is None:
            try:
                if self.special(name) is not None:
                    module = self.load(name)
            except Hidden:
                return None
        if module is not None:
            spec = getattr(module, "__spec__", None)
            if spec is None:
                raise ValueError(f"{name}.__spec__ is None")
            return spec  # type: ignore[no-any-return]
        parent = name.rpartition(".")[0]
        return self.find_spec(name, getattr(self.load(parent), "__path__", None) if parent else None)


@dataclass(frozen=True)
class SentModule:
    """A module of the program's folder that travels with it: its dotted name, its file's path
    (a package's is its __init__.py) and text."""

    name: str
    origin: str
    source: bytes

    def spec(self) -> importlib.machinery.ModuleSpec:
        package = Path(self.origin).name == "__init__.py"
        spec = importlib.util.spec_from_loader(self.name, SentLoader(self), origin=self.origin, is_package=package)
        assert spec is not None
        spec.has_location = True  # __file__ is the origin, as for a module read from its folder
        if package:
            spec.submodule_search_locations = [str(Path(self.origin).parent)]
        return spec


class SentLoader(importlib.abc.Loader):
    """Loads a SentModule from its text (compiled once per interpreter, by `compiled`)."""

    def __init__(self, module: SentModule) -> None:
        self.module = module

    def path_stats(self, path: str) -> dict[str, Any]:
        # compiled()'s cache key: the text's hash stands for the file's mtime
        return {"mtime": hash(self.module.source)}

    def get_code(self, fullname: str) -> types.CodeType:
        # dont_inherit: the module's own __future__ imports only, not this one's (as __init__.run_program compiles)
        return compile(self.module.source, self.module.origin, "exec", dont_inherit=True)

    def is_package(self, fullname: str) -> bool:
        return Path(self.module.origin).name == "__init__.py"


class DoorLoader:
    """The loader in the spec of a module the door made: creating gives the program's module,
    executing does nothing (it is complete)."""

    def __init__(self, imports: ProgramImports) -> None:
        self.imports = imports

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.imports.load(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def compiled(fullname: str, spec: importlib.machinery.ModuleSpec) -> types.CodeType | None:
    """The module's code object, read once per interpreter (code objects are immutable)."""
    stats = getattr(spec.loader, "path_stats", None)
    key = (fullname, spec.origin, stats(spec.origin)["mtime"] if stats is not None and spec.origin else None)
    if key not in _code_cache:
        get_code = getattr(spec.loader, "get_code", None)
        _code_cache[key] = get_code(fullname) if get_code is not None else None
    return _code_cache[key]


def resolve(name: str, globals: Any, level: int) -> str:
    """The absolute name of a relative import (importlib._bootstrap._calc___package__)."""
    globals = globals or {}
    package = globals.get("__package__")
    if package is None:
        spec = globals.get("__spec__")
        package = spec.parent if spec is not None else globals.get("__name__", "")
        if "__path__" not in globals and spec is None:
            package = package.rpartition(".")[0]
    if not package:
        raise ImportError("attempted relative import with no known parent package")
    return importlib.util.resolve_name("." * level + name, package)
