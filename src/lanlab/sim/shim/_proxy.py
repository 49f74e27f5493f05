"""The wrappers the simulated modules are made of."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any


class Proxy(types.ModuleType):
    """A real module with some attributes replaced."""

    def __init__(self, real: types.ModuleType, replaced: dict[str, Any]) -> None:
        super().__init__(real.__name__, real.__doc__)
        self.__dict__.update(replaced)
        self._real = real
        if not hasattr(real, "__all__"):  # `from termios import *` (tty's) takes what it would of the real module
            self.__all__ = sorted({name for name in (*vars(real), *replaced) if not name.startswith("_")})

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._real, attribute)


class Builtin:
    """A function that, like a C builtin, does not bind as a method."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def with_globals(function: Callable[..., Any], scope: dict[str, Any]) -> Callable[..., Any]:
    """`function` (the standard library's own code, not a copy of it) reading `scope` as its
    module's globals: what it calls and makes are then the simulated host's."""
    code: Any = function
    rebound = types.FunctionType(code.__code__, scope, code.__name__, code.__defaults__, code.__closure__)
    rebound.__kwdefaults__ = code.__kwdefaults__
    rebound.__qualname__ = code.__qualname__
    rebound.__doc__ = code.__doc__
    return rebound
