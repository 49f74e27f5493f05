"""proto.traceroute.report_lines prints hops as Linux traceroute (2.1, traceroute.c's print_probe) does: held to
Linux traceroute's own output in network namespaces, parsed (real.commands) and printed again."""

from __future__ import annotations

import shutil
from ipaddress import IPv4Address

import pytest
from netlab import etc_files

from lanlab.proto.traceroute import Hop, numbers_only, report_lines
from lanlab.real.commands import _hops, parse_traceroute, traceroute_names

R1, FAR = IPv4Address("198.18.1.1"), IPv4Address("198.18.12.9")


def test_stars_and_a_sender_after_a_time_are_spaced_as_linux_prints_them():
    """A probe without answer is " *" and a sender differing from the last one " SENDER" (one space), a time
    "  T ms" (two): " 2  * 198.18.1.1 (198.18.1.1)  0.400 ms 198.18.12.9 (198.18.12.9)  0.500 ms *"."""
    hops = [Hop(1, [None, None, None]), Hop(2, [None, (R1, 0.4, ""), (FAR, 0.5, "!H"), None])]
    assert report_lines(FAR, 30, hops)[1:] == [
        " 1  * * *",
        " 2  * 198.18.1.1 (198.18.1.1)  0.400 ms 198.18.12.9 (198.18.12.9)  0.500 ms !H *",
    ]
    assert report_lines(FAR, 30, hops, shown=numbers_only)[2] == " 2  * 198.18.1.1  0.400 ms 198.18.12.9  0.500 ms !H *"


def printed_again(out: str, numeric: bool) -> list[str]:
    """Linux traceroute's output parsed as the kernel lab parses it and printed by report_lines."""
    result = parse_traceroute(out)
    assert result is not None, out
    names = traceroute_names(out)
    shown = numbers_only if numeric else lambda a: f"{names.get(str(a), a)} ({a})"
    target = out.split()[2]
    return report_lines(IPv4Address(result["destination"]), 2, _hops(result), target, shown)


@pytest.mark.netns
@pytest.mark.skipif(shutil.which("traceroute") is None, reason="Linux traceroute not installed")
@pytest.mark.parametrize("numeric", [True, False])
def test_linux_traceroutes_lines_print_again_byte_for_byte(lab, numeric):
    """A neighbour that answers (named "gw" by /etc/hosts, or -n) and hops that never answer: Linux
    traceroute's lines, read and printed again, are the same bytes ("* * *" single-spaced: report_lines
    printed "*  *  *")."""
    here, gw = lab.namespace(), lab.namespace()
    lab.link(here, gw, "198.18.98.1/24", "198.18.98.2/24")
    here.run("ip", "route", "add", "198.18.99.0/24", "via", "198.18.98.2")
    gw.run("sysctl", "-qw", "net.ipv4.ip_forward=0")  # a host drops what is not for it, and says nothing
    flags = ["-n"] if numeric else []
    with etc_files(here, {} if numeric else {"hosts": "127.0.0.1\tlocalhost\n198.18.98.2\tgw\n"}):
        for target in ("198.18.98.2", "198.18.99.99"):
            out = here.run("traceroute", *flags, "-q", "3", "-w", "0.3", "-m", "2", target, timeout=30).stdout
            assert printed_again(out, numeric) == out.splitlines(), out
