"""`threading` for programs on a simulated host: each Thread a greenlet, every lock,
condition, semaphore and event a predicate the program parks on (in virtual time).

The classes are written once, here; `threading_module(program)` subclasses each for one
program (`_program` and `_threads` set on the subclass), so a program's own
`class Worker(threading.Thread)` and `isinstance` checks work as with the real module."""

from __future__ import annotations

import builtins
import itertools
import threading as _real_threading
import types
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from greenlet import GreenletExit, getcurrent

from lanlab.sim.shim._process import ProgramExit, RunInterrupted, seconds_argument, seconds_to_ns
from lanlab.sim.shim._proxy import with_globals

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program, SimThread

TIMEOUT_MAX = _real_threading.TIMEOUT_MAX  # the longest wait a lock takes (_thread's PY_TIMEOUT_MAX), in s


def _real_words(call: Callable[[], object]) -> str:
    """What the running CPython's ValueError says for `call`: its words change between versions."""
    try:
        call()
    except ValueError as error:
        return str(error)
    raise AssertionError("the real call was to raise ValueError")


# "timeout value must be positive" until 3.12, "... a non-negative number" from 3.13
NEGATIVE_TIMEOUT = _real_words(lambda: _real_threading.Lock().acquire(True, -2))


def _lock_ns(blocking: bool, timeout: Any) -> int | None:
    """A lock's acquire(blocking, timeout) as _thread's lock_acquire_parse_args reads it: the wait in ns, None
    for ever (timeout -1, the default), 0 not blocking; a timeout with blocking=False, a negative one other
    than -1 and one past TIMEOUT_MAX are its ValueErrors and OverflowError."""
    seconds = seconds_argument(timeout)
    if not blocking and seconds != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if seconds < 0 and seconds != -1:
        raise ValueError(NEGATIVE_TIMEOUT)
    if not blocking:
        return 0
    if seconds > TIMEOUT_MAX:
        raise OverflowError("timeout value is too large")
    return None if seconds == -1 else seconds_to_ns(seconds)


def _wait_ns(timeout: Any) -> int | None:
    """A Condition's (and so an Event's, a Semaphore's) wait(timeout) as threading.py's: None for ever, a
    timeout not over 0 no wait at all (waiter.acquire(False): a deadline already past returns at once), a
    positive one as a lock takes it."""
    if timeout is None:
        return None
    return _lock_ns(True, timeout) if timeout > 0 else 0


class _Bound:
    """A class of the simulated module: `_program` is the program its subclass serves."""

    _program: Program
    _threads: Threads


class Lock(_Bound):
    def __init__(self) -> None:
        self._locked = False

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait = _lock_ns(blocking, timeout)
        if not self._locked:
            self._locked = True
            return True
        if wait == 0 or not self._program.wait(lambda: not self._locked, wait):
            return False
        self._locked = True
        return True

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("release unlocked lock")
        self._locked = False
        self._program.shim.poke()

    def locked(self) -> bool:
        return self._locked

    def _at_fork_reinit(self) -> None:  # concurrent.futures registers it with os.register_at_fork
        self._locked = False

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


class RLock(_Bound):
    def __init__(self) -> None:
        self._owner: Any = None
        self._count = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait = _lock_ns(blocking, timeout)
        me = getcurrent()
        if self._owner is me:
            self._count += 1
            return True
        if self._owner is not None and (wait == 0 or not self._program.wait(lambda: self._owner is None, wait)):
            return False
        self._owner, self._count = me, 1
        return True

    def release(self) -> None:
        if self._owner is not getcurrent():
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if not self._count:
            self._owner = None
            self._program.shim.poke()

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _is_owned(self) -> bool:
        return self._owner is getcurrent()


class Condition(_Bound):
    def __init__(self, lock: Any = None) -> None:
        self._lock = lock if lock is not None else self._threads.classes["RLock"]()
        self._waiters: deque[list[bool]] = deque()
        self.acquire, self.release = self._lock.acquire, self._lock.release

    def __enter__(self) -> bool:
        return self._lock.__enter__()  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(*exc)

    def _release_all(self) -> Any:
        if isinstance(self._lock, RLock):
            if self._lock._owner is not getcurrent():
                raise RuntimeError("cannot wait on un-acquired lock")
            saved = self._lock._count
            self._lock._owner, self._lock._count = None, 0
            self._program.shim.poke()
            return saved
        if not self._lock.locked():
            raise RuntimeError("cannot wait on un-acquired lock")
        self._lock.release()
        return None

    def _reacquire(self, saved: Any) -> None:
        if isinstance(self._lock, RLock):
            self._program.wait(lambda: self._lock._owner is None)
            self._lock._owner, self._lock._count = getcurrent(), saved
        else:
            self._lock.acquire()

    def wait(self, timeout: float | None = None) -> bool:
        token = [False]
        self._waiters.append(token)
        saved = self._release_all()
        try:
            notified = self._program.wait(lambda: token[0], _wait_ns(timeout))
        finally:
            if token in self._waiters:
                self._waiters.remove(token)
            self._reacquire(saved)
        return notified

    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        engine = self._program.engine
        end = None if timeout is None else engine.now + int(timeout * 1e9)
        result = predicate()
        while not result:
            if end is not None:
                left = (end - engine.now) / 1e9
                if left <= 0:
                    break
                self.wait(left)
            else:
                self.wait()
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        for _ in range(min(n, len(self._waiters))):
            self._waiters.popleft()[0] = True
        self._program.shim.poke()

    def notify_all(self) -> None:
        self.notify(len(self._waiters))

    notifyAll = notify_all


class Semaphore(_Bound):
    def __init__(self, value: int = 1) -> None:
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._value = value

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        if not self._value:
            # threading.py's deadline is time() + timeout, computed only when it has to wait
            wait = 0 if not blocking else None if timeout is None else _wait_ns(0.0 + timeout)
            if wait == 0 or not self._program.wait(lambda: self._value > 0, wait):
                return False
        self._value -= 1
        return True

    def release(self, n: int = 1) -> None:
        self._value += n
        self._program.shim.poke()

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self._initial = value

    def release(self, n: int = 1) -> None:
        if self._value + n > self._initial:
            raise ValueError("Semaphore released too many times")
        super().release(n)


class Event(_Bound):
    def __init__(self) -> None:
        self._flag = False

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set

    def set(self) -> None:
        self._flag = True
        self._program.shim.poke()

    def clear(self) -> None:
        self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        return self._flag or self._program.wait(lambda: self._flag, _wait_ns(timeout))


class Thread(_Bound):
    def __init__(
        self,
        group: Any = None,
        target: Callable[..., Any] | None = None,
        name: str | None = None,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        daemon: bool | None = None,
    ) -> None:
        self._target, self._args, self._kwargs = target, args, kwargs or {}
        if name is None:  # as CPython: only unnamed threads take a number, "Thread-1 (work)"
            name = f"Thread-{next(self._threads.counter)}"
            if target is not None and hasattr(target, "__name__"):
                name += f" ({target.__name__})"
        self._name = str(name)
        self._daemonic = daemon if daemon is not None else self._threads.current_thread().daemon
        self._sim: SimThread | None = None
        self._ident: int | None = None

    def start(self) -> None:
        if self._sim is not None:
            raise RuntimeError("threads can only be started once")
        self._ident = next(self._threads.idents) + 1
        self._sim = self._program.spawn(self._name, self._daemonic, self._bootstrap, self)

    def _bootstrap(self) -> None:
        try:
            self.run()
        except (GreenletExit, RunInterrupted):  # the process ended under it; lanlab is stopped
            raise
        except ProgramExit:  # os._exit: the process is gone, no hook runs
            pass
        except BaseException as error:  # noqa: BLE001 - threading.excepthook's report, the thread ends
            self._threads.uncaught(error, self)

    def run(self) -> None:
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def join(self, timeout: float | None = None) -> None:
        sim = self._sim
        if sim is None:
            raise RuntimeError("cannot join thread before it is started")
        if sim.glet is getcurrent():
            raise RuntimeError("cannot join current thread")
        # threading.py waits max(timeout, 0) on the thread's lock: a negative timeout does not wait
        self._program.wait(lambda: sim.finished, None if timeout is None else _lock_ns(True, max(timeout, 0)))

    def is_alive(self) -> bool:
        return self._sim is not None and not self._sim.finished

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def daemon(self) -> bool:
        return self._daemonic

    @daemon.setter
    def daemon(self, value: bool) -> None:
        if self._sim is not None:
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemonic = value

    @property
    def ident(self) -> int | None:
        return self._ident

    native_id = ident

    def getName(self) -> str:
        return self._name

    def setName(self, value: str) -> None:
        self._name = value

    def isDaemon(self) -> bool:
        return self._daemonic

    def setDaemon(self, value: bool) -> None:
        self.daemon = value

    def __repr__(self) -> str:
        status = "started" if self.is_alive() else ("stopped" if self._sim else "initial")
        return f"<Thread({self._name}, {status}{' daemon' if self._daemonic else ''})>"


class _MainThread(Thread):
    def __init__(self) -> None:
        super().__init__(name="MainThread", daemon=False)
        self._sim = self._program.main
        self._ident = 1


class Timer(Thread):
    def __init__(self, interval: float, function: Callable[..., Any], args: Any = None, kwargs: Any = None) -> None:
        super().__init__()
        self.interval, self.function = interval, function
        self.args, self.kwargs = args or [], kwargs or {}
        self.finished = self._threads.classes["Event"]()

    def cancel(self) -> None:
        self.finished.set()

    def run(self) -> None:
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


class local:
    """Attributes per thread (each greenlet sees its own); class attributes are the defaults, as
    with threading.local (asyncio's running loop is a subclass with `loop_pid = (None, None)`)."""

    def _mine(self) -> dict[str, Any]:
        per_thread = object.__getattribute__(self, "__dict__").setdefault("_per_thread", {})
        return per_thread.setdefault(getcurrent(), {})  # type: ignore[no-any-return]

    def __getattribute__(self, name: str) -> Any:
        if name[:2] != "__" and name != "_mine":
            mine = object.__getattribute__(self, "_mine")()
            if name in mine:
                return mine[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._mine()[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._mine()[name]
        except KeyError:
            raise AttributeError(name) from None


CLASSES = (Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, Thread, _MainThread, Timer)


def stdlib_class(real: type, names: dict[str, Any]) -> type:
    """The standard library's pure-Python class `real` (threading.Barrier: a Condition and a counter)
    with its methods reading `names` as their module's globals, so the Condition and Lock it makes
    are the program's simulated ones. Its own code, not a copy: it behaves as CPython's does."""
    scope = {"__builtins__": builtins, "__name__": "threading", **names}
    namespace: dict[str, Any] = {"__module__": "threading"}
    for key, value in vars(real).items():
        if key in ("__dict__", "__weakref__", "__module__"):
            continue
        namespace[key] = with_globals(value, scope) if isinstance(value, types.FunctionType) else value
    return type(real.__name__, (), namespace)


class Threads:
    """One program's threading state (thread names and idents counted per process, as CPython
    does) and the module-level functions, bound to it."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.counter = itertools.count(1)
        self.idents = itertools.count(1)
        self.classes: dict[str, type] = {}
        for cls in CLASSES:
            # A subclass of a bound class stays one (the program's Timer is a threading.Thread).
            bases = (cls, *(self.classes[b.__name__] for b in cls.__bases__ if b.__name__ in self.classes))
            self.classes[cls.__name__] = type(
                cls.__name__, bases, {"_program": program, "_threads": self, "__module__": "threading"}
            )
        self.classes["Barrier"] = stdlib_class(
            _real_threading.Barrier,
            {
                "Condition": self.classes["Condition"],
                "Lock": self.classes["Lock"],
                "BrokenBarrierError": _real_threading.BrokenBarrierError,
            },
        )
        self.module: types.ModuleType | None = None  # the program's threading module (its excepthook)
        self.main = self.classes["_MainThread"]()
        if program.main is not None:
            program.main.thread_object = self.main

    def current_thread(self) -> Any:
        sim = self.program.by_greenlet.get(getcurrent())
        if sim is None or sim.thread_object is None:
            return self.main
        return sim.thread_object

    def main_thread(self) -> Any:
        return self.main

    def get_ident(self) -> int:
        return self.current_thread().ident or 1  # type: ignore[no-any-return]

    def enumerate(self) -> list[Any]:
        return [t.thread_object for t in self.program.threads if t.thread_object is not None and not t.finished]

    def active_count(self) -> int:
        return len(self.enumerate())

    def excepthook(self, args: Any) -> None:
        """threading.__excepthook__: the thread's name and the traceback on the program's output; a SystemExit
        ends the thread silently."""
        if issubclass(args.exc_type, SystemExit):
            return
        name = "" if args.thread is None else f" {args.thread.name}"
        self.program.stdout.write(f"Exception in thread{name}:\n" + self.program.format_traceback(args.exc_value))

    def uncaught(self, error: BaseException, thread: Any) -> None:
        """A thread's uncaught exception, through threading.excepthook: the program's own hook when it set
        one; when that hook fails, sys.excepthook reports its failure (as CPython's thread does)."""
        hook = getattr(self.module, "excepthook", self.excepthook)
        try:
            hook(_real_threading.ExceptHookArgs((type(error), error, error.__traceback__, thread)))
        except Exception as failure:  # noqa: BLE001 - the thread ends either way
            self.program.stdout.write("Exception in threading.excepthook:\n")
            self.program.uncaught(failure)

    def register_atexit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """threading._register_atexit: run before the program waits for its threads (concurrent.futures
        uses it to stop its workers)."""
        self.program.atexit.append(lambda: function(*args, **kwargs))


def threading_module(program: Program) -> types.ModuleType:
    """The `threading` module a program on a simulated host imports."""
    module = types.ModuleType("threading", "Simulated threads (lanlab): greenlets in virtual time.")
    threads = Threads(program)
    classes = {name: cls for name, cls in threads.classes.items() if not name.startswith("_")}
    functions = {
        **classes,
        "local": local,
        "current_thread": threads.current_thread,
        "currentThread": threads.current_thread,
        "main_thread": threads.main_thread,
        "get_ident": threads.get_ident,
        "get_native_id": threads.get_ident,
        "enumerate": threads.enumerate,
        "active_count": threads.active_count,
        "activeCount": threads.active_count,
        "TIMEOUT_MAX": TIMEOUT_MAX,
        "ThreadError": RuntimeError,
        "BrokenBarrierError": _real_threading.BrokenBarrierError,
        "stack_size": lambda size=0: 0,
        "excepthook": threads.excepthook,
        "__excepthook__": threads.excepthook,
        "ExceptHookArgs": _real_threading.ExceptHookArgs,
        "_register_atexit": threads.register_atexit,
    }
    for name, value in functions.items():
        setattr(module, name, value)
    threads.module = module
    module.__all__ = [
        n
        for n in functions
        if n[0].isupper() or n in ("current_thread", "main_thread", "get_ident", "enumerate", "active_count", "local")
    ]
    return module
