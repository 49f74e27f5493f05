"""What CPython keeps for the whole process, made a program's own: its recursion limit, its garbage collector's
switches and its locale. Set by a program, they were lanlab's and every other program's (and a sweep's later runs'):
a limit set low made lanlab's own code raise RecursionError, gc.disable() left lanlab's collector off for good,
setlocale changed lanlab's formatting.

- sys.setrecursionlimit / getrecursionlimit: the program's limit, checked as CPython checks it, is in force while
  its threads run (`_process._switch` puts it in and lanlab's back), counted from each thread's first frame with
  room left for the shim's frames above (`_process.SHIM_FRAMES`); sys.set_int_max_str_digits likewise.
  sys.setswitchinterval is the program's value (its threads are greenlets: no interval preempts them).
- sys.settrace and sys.setprofile (and cProfile's _lsprof) are unsupported: a trace function is the real thread's,
  so it traced lanlab's engine and every program; sys.gettrace and getprofile answer the program's none.
- gc: enable, disable, isenabled, set_threshold, get_threshold, set_debug, get_debug and callbacks are the
  program's values (a process's collector is its own; here the one collector is lanlab's, and whether it runs is
  seen by no program in virtual time); gc.collect collects and calls the program's callbacks. gc.freeze, which
  only serves a fork to come, is unsupported, as os.fork is.
- _locale.setlocale (locale.py runs afresh over it): the program's locale, in force while it runs, so localeconv,
  strftime, format(x, "n") and strcoll answer as in a process that set it.
- faulthandler: enable, disable and is_enabled are the program's; what would act on the process is unsupported.
- sys.displayhook: the program's, and the one code compiled in 'single' mode (doctest, code.interact) calls while
  the program runs (the interpreter calls the real sys's).
"""

from __future__ import annotations

import __future__
import builtins
import functools
import gc as _real_gc
import locale as _real_locale
import operator
import sys as _real_sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Proxy

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

_INT_MAX = 2**31 - 1
# CPython 3.11 counts the call of a C function against the limit too (setrecursionlimit's own call at module
# level is depth 2), 3.12 on only Python frames
_C_CALL_COUNTED = _real_sys.version_info < (3, 12)


def _c_int(value: Any) -> int:
    """An argument read as a C int, as CPython's argument clinic reads one ("i")."""
    number = operator.index(value)  # TypeError "'str' object cannot be interpreted as an integer"
    if number > _INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if number < -_INT_MAX - 1:
        raise OverflowError("signed integer is less than minimum")
    return number


def _program_depth() -> int:
    """The depth CPython would report in the program's calling thread: its own frames (not the shim's under them)."""
    depth = 0
    frame: types.FrameType | None = _real_sys._getframe(2)
    while frame is not None and "/lanlab/sim/shim/" not in frame.f_code.co_filename:
        depth += 1
        frame = frame.f_back
    return depth + _C_CALL_COUNTED


def sys_calls(program: Program) -> dict[str, Any]:
    """sys's calls on what CPython keeps for the whole process, for the program: setrecursionlimit,
    getrecursionlimit, set_int_max_str_digits (its own, in force while it runs), setswitchinterval and
    getswitchinterval (its own value, the process's untouched)."""

    def setrecursionlimit(new_limit: Any, /) -> None:
        limit = operator.index(new_limit)  # TypeError "'str' object cannot be interpreted as an integer"
        if limit > _INT_MAX or limit < -_INT_MAX - 1:
            raise OverflowError("Python int too large to convert to C int")
        if limit < 1:
            raise ValueError("recursion limit must be greater or equal than 1")
        depth = _program_depth()
        if depth >= limit:  # CPython's check, against the program's own frames
            raise RecursionError(
                f"cannot set the recursion limit to {limit} at the recursion depth {depth}: the limit is too low"
            )
        thread = program.current_thread()
        own = program.own_interpreter()
        own.recursion = limit
        own.apply_limit(thread)

    def getrecursionlimit() -> int:
        own = program.interpreter
        if own is None or own.recursion is None:
            return _real_sys.getrecursionlimit()  # lanlab's, as a process inherits it (CPython's 1000)
        return own.recursion

    def set_int_max_str_digits(maxdigits: Any) -> None:
        own = program.own_interpreter()
        own.keep_digits()  # lanlab's, put back when the program's thread parks
        _real_sys.set_int_max_str_digits(maxdigits)  # checked as CPython checks it, in force now
        own.digits = _real_sys.get_int_max_str_digits()

    def setswitchinterval(interval: Any, /) -> None:
        """Kept as the program's (its threads are greenlets, never preempted: the interval means nothing to
        them), checked as CPython checks it; the process's stays lanlab's."""
        lanlab = _real_sys.getswitchinterval()
        _real_sys.setswitchinterval(interval)
        own = program.own_interpreter()
        own.switch_interval = _real_sys.getswitchinterval()
        _real_sys.setswitchinterval(lanlab)

    def getswitchinterval() -> float:
        own = program.interpreter
        return _real_sys.getswitchinterval() if own is None or own.switch_interval is None else own.switch_interval

    return {
        "setrecursionlimit": setrecursionlimit,
        "getrecursionlimit": getrecursionlimit,
        "set_int_max_str_digits": set_int_max_str_digits,
        "setswitchinterval": setswitchinterval,
        "getswitchinterval": getswitchinterval,
    }


class ProgramCollector:
    """The program's gc switches: what a process sets of its own collector, answered back to it."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.enabled = True  # a process starts with its collector on
        self.threshold: tuple[int, ...] = _START_THRESHOLD
        self.debug = 0
        self.callbacks: list[Callable[[str, dict[str, int]], Any]] = []

    def enable(self) -> None:
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False

    def isenabled(self) -> bool:
        return self.enabled

    def set_threshold(self, *thresholds: Any) -> None:
        if not 1 <= len(thresholds) <= 3:
            if _real_sys.version_info >= (3, 13):
                raise TypeError("gc.set_threshold requires 1 to 3 arguments")
            if not thresholds:
                raise TypeError("set_threshold() takes at least 1 argument (0 given)")
            raise TypeError(f"set_threshold() takes at most 3 arguments ({len(thresholds)} given)")
        given = tuple(_c_int(value) for value in thresholds)
        self.threshold = given + self.threshold[len(given) :]

    def get_threshold(self) -> tuple[int, ...]:
        return self.threshold

    def set_debug(self, flags: Any, /) -> None:
        self.debug = _c_int(flags)

    def get_debug(self) -> int:
        return self.debug

    def collect(self, generation: Any = 2) -> int:
        """A collection, as gc.collect makes one (of the whole process's objects), with the program's callbacks
        called before and after it, as CPython calls gc.callbacks."""
        generation = _c_int(generation)
        if not 0 <= generation <= 2:
            raise ValueError("invalid generation")
        info = {"generation": generation, "collected": 0, "uncollectable": 0}
        for callback in list(self.callbacks):
            callback("start", dict(info))
        before = len(_real_gc.garbage)
        found = _real_gc.collect(generation)
        info.update(collected=found, uncollectable=len(_real_gc.garbage) - before)
        for callback in list(self.callbacks):
            callback("stop", dict(info))
        return found

    def module(self) -> types.ModuleType:
        unfreeze = lambda: None  # noqa: E731 - nothing of the program's is ever frozen
        return Proxy(
            _real_gc,
            {
                "enable": self.enable,
                "disable": self.disable,
                "isenabled": self.isenabled,
                "set_threshold": self.set_threshold,
                "get_threshold": self.get_threshold,
                "set_debug": self.set_debug,
                "get_debug": self.get_debug,
                "collect": self.collect,
                "callbacks": self.callbacks,
                # freeze serves a fork to come (os.fork is unsupported); it froze lanlab's objects with the program's
                "freeze": _unsupported("gc.freeze", self.program.node),
                "unfreeze": unfreeze,
                "get_freeze_count": lambda: 0,
            },
        )


_START_THRESHOLD: tuple[int, int, int] = _real_gc.get_threshold()  # CPython's, as a process starts with


def _unsupported(name: str, host: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise UnsupportedInSimulation(f"{name}() is not available to a program on simulated host {host}")

    call.__name__ = name.rpartition(".")[2]
    return call


def locale_module(program: Program) -> types.ModuleType:
    """`_locale` with the program's setlocale: what it sets is its own locale (kept as setlocale(LC_ALL) names it),
    in force while it runs; a query answers it. The other calls are the real ones, run with its locale in force."""
    real = _real_sys.modules["_locale"]

    def setlocale(category: Any, locale: Any = None, /) -> str:
        if locale is None:
            return real.setlocale(category)  # type: ignore[no-any-return]
        own = program.own_interpreter()
        own.keep_locale()  # lanlab's, put back when the program's thread parks
        found: str = real.setlocale(category, locale)
        own.locale = real.setlocale(_real_locale.LC_ALL)
        return found

    return Proxy(real, {"setlocale": setlocale})


# CPython's message, spelled so until 3.12
_NOT_A_DESCRIPTOR = f"file is not a valid file {'descriptor' if _real_sys.version_info >= (3, 12) else 'descripter'}"


def faulthandler_module(program: Program) -> types.ModuleType:
    """faulthandler for the program: whether it is enabled is the program's (as python3 starts it: on when its
    environment has PYTHONFAULTHANDLER), and enable checks its file as CPython does; the process's handler of fatal
    signals stays lanlab's. What would act on the process (a dump onto a descriptor, a real thread that dumps and
    exits later, a signal handler, the calls that crash it on purpose) is unsupported."""
    real = _real_sys.modules["faulthandler"]
    state = {"enabled": bool(program.environment.environ.get("PYTHONFAULTHANDLER"))}

    def enable(file: Any = None, all_threads: Any = True) -> None:
        if file is None:
            own = program.sys
            file = own.__dict__.get("stderr") if own is not None else program.stderr
            if file is None:
                raise RuntimeError("sys.stderr is None")
        if isinstance(file, int):
            if file < 0:
                raise ValueError(_NOT_A_DESCRIPTOR)
        else:
            number = file.fileno()  # io.UnsupportedOperation, AttributeError, as CPython's
            if not isinstance(number, int) or number < 0:
                raise ValueError(_NOT_A_DESCRIPTOR)
            file.flush()
        state["enabled"] = True

    def disable() -> bool:
        was, state["enabled"] = state["enabled"], False
        return was

    def unregister(signum: Any, /) -> bool:
        operator.index(signum)
        return False  # the program registered none

    replaced: dict[str, Any] = {
        name: _unsupported(f"faulthandler.{name}", program.node)
        for name in dir(real)
        if not name.startswith("__") and callable(getattr(real, name))
    }
    replaced.update(
        enable=enable,
        disable=disable,
        is_enabled=lambda: state["enabled"],
        unregister=unregister,
        cancel_dump_traceback_later=lambda: None,  # the program started none
    )
    return Proxy(real, replaced)


# the compiler flags a code object's __future__ imports set (co_flags & PyCF_MASK, what compile() inherits)
_FUTURE_FLAGS = functools.reduce(
    operator.or_, (getattr(__future__, name).compiler_flag for name in __future__.all_feature_names), 0
)


def display_hook(program: Program, builtins: dict[str, Any]) -> Callable[[Any], None]:
    """sys.displayhook (__displayhook__) of the program: CPython's, onto its sys.stdout and into its builtins' `_`."""

    def displayhook(value: Any, /) -> None:
        if value is None:
            return
        builtins["_"] = None  # as CPython: repr() below may show `_`
        own = program.sys
        stdout = own.__dict__.get("stdout") if own is not None else program.stdout
        if stdout is None:
            raise RuntimeError("lost sys.stdout")
        text = repr(value)
        try:
            stdout.write(text)
        except UnicodeEncodeError:
            data = text.encode(stdout.encoding, "backslashreplace")
            if hasattr(stdout, "buffer"):
                stdout.buffer.write(data)
            else:
                stdout.write(data.decode(stdout.encoding, "strict"))
        stdout.write("\n")
        builtins["_"] = value

    return displayhook


def compile_call(program: Program, default_hook: Callable[[Any], None]) -> Callable[..., Any]:
    """builtins.compile for the program. Code compiled in 'single' mode (doctest's examples, code.interact) shows an
    expression's value through the interpreter's sys.displayhook, the real sys's: from then on, while the program's
    threads run, that is one calling the program's own sys.displayhook (it wrote to lanlab's standard output). The
    caller's __future__ imports are inherited, as compile() inherits them (not this module's)."""

    def hook(value: Any, /) -> Any:
        own = program.sys
        shown = own.__dict__.get("displayhook") if own is not None else default_hook
        if shown is None:
            raise RuntimeError("lost sys.displayhook")
        return shown(value)

    def compile(  # noqa: A001 - the builtin's name
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **kwargs: Any,
    ) -> Any:
        if mode == "single":
            own = program.own_interpreter()
            if own.displayhook is None:
                own.displayhook = hook
                own.put_hook()
        if not dont_inherit:
            flags |= _real_sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        return builtins.compile(source, filename, mode, flags, True, optimize, **kwargs)

    compile.__doc__ = builtins.compile.__doc__
    return compile


def breakpoint_calls(program: Program, imports: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """builtins.breakpoint and sys.breakpointhook (__breakpointhook__) for the program: CPython's, reading
    PYTHONBREAKPOINT from the program's environment and importing the hook through its door, so the default, pdb,
    is the program's (whose sys.settrace is unsupported): the real ones ran lanlab's pdb on lanlab's frames."""

    def breakpointhook(*args: Any, **kwargs: Any) -> Any:
        wanted = program.environment.environ.get("PYTHONBREAKPOINT")
        if not wanted:
            module_path, name = "pdb", "set_trace"
        elif wanted == "0":
            return None
        else:
            module_path, _, name = wanted.rpartition(".")
            module_path = module_path or "builtins"
        try:
            hook = getattr(imports.load(module_path), name)
        except (ImportError, AttributeError):
            warnings = imports.load("warnings")
            warnings.warn(
                f'Ignoring unimportable $PYTHONBREAKPOINT: "{wanted}"', RuntimeWarning, stacklevel=_caller_level()
            )
            return None
        return hook(*args, **kwargs)

    def breakpoint(*args: Any, **kwargs: Any) -> Any:  # noqa: A001 - the builtin's name
        own = program.sys
        hook = own.__dict__.get("breakpointhook") if own is not None else breakpointhook
        if hook is None:
            raise RuntimeError("lost sys.breakpointhook")
        return hook(*args, **kwargs)

    breakpoint.__doc__ = builtins.breakpoint.__doc__
    return breakpoint, breakpointhook


def _caller_level() -> int:
    """warnings.warn's stacklevel, called from here, for the program's frame nearest (the shim's passed over)."""
    level = 1
    frame: types.FrameType | None = _real_sys._getframe(1)
    while frame is not None and "/lanlab/sim/shim/" in frame.f_code.co_filename:
        level += 1
        frame = frame.f_back
    return level
