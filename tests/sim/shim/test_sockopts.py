"""The table of Linux's socket options the simulated sockets answer from."""

from __future__ import annotations

import errno
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.sim.shim._sockopts import FOREVER_FROM, option_error, shown_timeout, timeout_ns, timeout_value


@pytest.mark.parametrize("tcp", [True, False])
def test_a_level_the_protocol_does_not_handle_is_eopnotsupp_to_get_and_enoprotoopt_to_set(tcp):
    """A foreign level falls to IPv4's handler: EOPNOTSUPP for getsockopt, ENOPROTOOPT for setsockopt."""
    other = socket.IPPROTO_UDP if tcp else socket.IPPROTO_TCP
    for level in (other, 9999):
        assert option_error(tcp, level, 1, setting=False) == errno.EOPNOTSUPP
        assert option_error(tcp, level, 1, setting=True) == errno.ENOPROTOOPT


def test_read_only_write_only_and_foreign_options_refuse_the_other_way():
    """SO_TYPE cannot be set, SO_RCVBUFFORCE cannot be read, SO_PASSCRED is not an AF_INET option."""
    assert option_error(True, socket.SOL_SOCKET, socket.SO_TYPE, setting=False) is None
    assert option_error(True, socket.SOL_SOCKET, socket.SO_TYPE, setting=True) == errno.ENOPROTOOPT
    assert option_error(True, socket.SOL_SOCKET, 33, setting=True) is None
    assert option_error(True, socket.SOL_SOCKET, 33, setting=False) == errno.ENOPROTOOPT
    assert option_error(False, socket.SOL_SOCKET, socket.SO_PASSCRED, setting=True) == errno.EOPNOTSUPP
    assert option_error(True, socket.IPPROTO_TCP, socket.TCP_INFO, setting=True) == errno.ENOPROTOOPT
    assert option_error(False, socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, setting=False) == errno.ENOPROTOOPT


@given(st.integers(-(2**63), 2**63 - 1), st.integers(0, 999_999))
def test_a_timeval_is_kept_as_given_and_waits_its_time(seconds, micros):
    """A valid timeval is stored as given; it waits seconds+micros (None for zero or past a century, which
    the 64-bit clock could not reach), a negative one not at all."""
    stored = timeout_value(struct.pack("@qq", seconds, micros))
    assert struct.unpack("@qq", stored) == (seconds, micros)
    wait = timeout_ns(stored)
    if seconds < 0:
        assert wait == 0 and shown_timeout(stored) == bytes(16)
    elif seconds >= FOREVER_FROM:
        assert wait is None
    else:
        assert wait == (seconds * 10**9 + micros * 1000 or None) and shown_timeout(stored) == stored


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (struct.pack("@qq", 1, 10**6), errno.EDOM),
        (struct.pack("@qq", 1, -1), errno.EDOM),
        (b"x" * 15, errno.EINVAL),
        (5, errno.EINVAL),
    ],
)
def test_a_bad_timeval_is_the_error_linux_gives(value, code):
    """Microseconds out of range are EDOM; a value shorter than a timeval (or not bytes) is EINVAL."""
    with pytest.raises(OSError) as caught:
        timeout_value(value)
    assert caught.value.errno == code


def test_off_linux_every_option_is_taken_and_only_named_defaults_apply(monkeypatch):
    """The tables are in Linux's numbers: on another platform (a program's constants are its own) no option is
    refused, and a default the platform's socket module does not name is left out."""
    from lanlab.sim.shim import _sockopts

    assert _sockopts._defaults({(socket.SOL_SOCKET, "SO_NO_SUCH_OPTION"): 5}, {(socket.SOL_SOCKET, 42): -1}) == (
        {(socket.SOL_SOCKET, 42): -1} if _sockopts.ON_LINUX else {}
    )
    monkeypatch.setattr(_sockopts, "ON_LINUX", False)
    assert option_error(True, socket.SOL_SOCKET, 9999, setting=True) is None
    assert option_error(False, 9999, 1, setting=False) is None
    assert _sockopts._defaults({(socket.SOL_SOCKET, "SO_TYPE"): 2}, {(socket.SOL_SOCKET, 42): -1}) == {
        (socket.SOL_SOCKET, socket.SO_TYPE): 2
    }
