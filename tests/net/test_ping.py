"""lanlab ping: statistics, output format, and real pings on loopback and in namespaces (iputils as peer)."""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lanlab.cli.main import cli
from lanlab.cli.ping import summary_lines
from lanlab.ping_lines import format_rtt
from lanlab.net import ping as ping_module
from lanlab.net.ping import EchoSocket, IcmpErrorReport, PingOptions, PingPermissionError, PingStatistics
from netlab import needs_netns

ROOT_DIR = Path(__file__).resolve().parents[2]

SILENT = "198.18.0.99"  # on the lab's subnet, owned by nobody


def _icmp_socket_reason():
    try:
        EchoSocket(IPv4Address("127.0.0.1"), PingOptions()).close()
    except PingPermissionError as error:
        return str(error)
    return None


needs_icmp = pytest.mark.skipif(_icmp_socket_reason() is not None, reason=str(_icmp_socket_reason()))


@given(st.lists(st.integers(1_000, 10**10), min_size=1, max_size=50))
def test_mdev_is_the_population_standard_deviation(rtts):
    """min/avg/max/mdev agree with the statistics module (mdev = population std deviation)."""
    summary = PingStatistics(transmitted=len(rtts), received=len(rtts), rtts_ns=rtts).rtt_summary_ms()
    values = [ns / 1e6 for ns in rtts]
    assert summary[0] == min(values) and summary[2] == max(values)
    assert summary[1] == pytest.approx(statistics.fmean(values))
    assert summary[3] == pytest.approx(statistics.pstdev(values), rel=1e-6, abs=1e-6)


@pytest.mark.parametrize(
    "ns, text", [(45_000, "0.045"), (1_234_000, "1.23"), (12_340_000, "12.3"), (123_400_000, "123")]
)
def test_rtt_has_iputils_precision(ns, text):
    """Round-trip times print with iputils' precision: 3 decimals below 1 ms, then fewer."""
    assert format_rtt(ns) == text


def test_statistics_lines_match_iputils_layout():
    """The summary says transmitted, received, errors, loss with %g, time, and the rtt line."""
    stats = PingStatistics(transmitted=3, received=2, errors=1, elapsed_ns=2_003_000_000, rtts_ns=[100_000, 300_000])
    assert summary_lines("h", stats, 56) == [
        "",
        "--- h ping statistics ---",
        "3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss, time 2003ms",
        "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.100 ms",
    ]


@needs_icmp
def test_a_ping_too_short_to_time_prints_no_times_as_iputils():
    """-s 8 cannot carry the send time: the replies show no time= and there is no rtt line, as iputils prints."""
    result = CliRunner().invoke(cli, ["ping", "-c", "2", "-i", "0.05", "-s", "8", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert "16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n" in result.output
    assert "time=" not in result.output and "rtt" not in result.output


@needs_icmp
def test_ping_loopback_replies_and_exits_0():
    """Pinging 127.0.0.1 three times gives three replies in iputils' format and exit 0."""
    result = CliRunner().invoke(cli, ["ping", "-c", "3", "-i", "0.05", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n")
    assert [f"icmp_seq={n} ttl=64" in result.output for n in (1, 2, 3)] == [True] * 3
    assert "3 packets transmitted, 3 received, 0% packet loss" in result.output
    assert "rtt min/avg/max/mdev = " in result.output


def test_unknown_host_is_a_one_line_error():
    """A host that does not resolve exits 2 with one line."""
    result = CliRunner().invoke(cli, ["ping", "-c", "1", "no-such-host.invalid"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "cannot resolve" in result.output


def _ping_pair(lan, *args):
    a, b = lan(2).hosts
    return a, b, json.loads(a.lanlab("ping", "-c", "3", "-i", "0.05", *args, b.ip, "--json").stdout)


@needs_netns
def test_ping_a_neighbour_over_a_raw_socket(lan):
    """As root with the default ping_group_range the raw socket is used; 3 replies, TTL 64, exit 0."""
    a, b, document = _ping_pair(lan, "-s", "1000", "-t", "5")
    assert document["socket"] == "raw"
    assert (document["transmitted"], document["received"], document["loss_percent"]) == (3, 3, 0.0)
    assert [(r["seq"], r["from"], r["bytes"], r["ttl"]) for r in document["replies"]] == [
        (n, b.ip, 1008, 64) for n in (1, 2, 3)
    ]


@needs_netns
def test_ping_a_neighbour_over_an_unprivileged_icmp_socket(lab, lan):
    """With ping_group_range open the datagram socket is used, replies matched on sequence, TTL from cmsg."""
    hosts = lan(2).hosts
    hosts[0].run("sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
    result = hosts[0].lanlab("ping", "-c", "3", "-i", "0.05", hosts[1].ip, "--json")
    document = json.loads(result.stdout)
    assert result.returncode == 0 and document["socket"] == "dgram"
    assert [(r["seq"], r["ttl"]) for r in document["replies"]] == [(1, 64), (2, 64), (3, 64)]


@needs_netns
def test_a_broadcast_address_needs_b_like_iputils(lan):
    """Without -b the subnet's broadcast address is refused, exit 2, as iputils refuses it; with -b iputils'
    warning comes first on stderr, the requests go out (Linux hosts ignore them) and --json says broadcast."""
    host = lan(2).hosts[0]
    refused = host.lanlab("ping", "-c", "1", "-W", "0.5", "198.18.0.255")
    assert refused.returncode == 2 and "broadcast address; add -b" in refused.stderr
    allowed = host.lanlab("ping", "-b", "-c", "1", "-W", "0.5", "198.18.0.255")
    assert allowed.returncode == 1 and allowed.stderr == "WARNING: pinging broadcast address\n"
    assert "1 packets transmitted, 0 received" in allowed.stdout
    assert json.loads(host.lanlab("ping", "-b", "-c", "1", "-W", "0.5", "198.18.0.255", "--json").stdout)["broadcast"]
    if shutil.which("ping"):
        assert host.run("ping", "-c", "1", "-W", "0.5", "198.18.0.255", check=False).returncode == 2
        theirs = host.run("ping", "-b", "-c", "1", "-W", "0.5", "198.18.0.255", check=False)
        assert (theirs.returncode, theirs.stderr) == (allowed.returncode, allowed.stderr)


@needs_netns
def test_silent_address_exits_1_like_iputils(lan):
    """No reply from an unused address: 100% loss and exit 1, the same exit as iputils ping."""
    host = lan(2).hosts[0]
    ours = host.lanlab("ping", "-c", "2", "-i", "0.1", "-W", "0.5", SILENT)
    assert ours.returncode == 1
    assert "2 packets transmitted, 0 received" in ours.stdout and "100% packet loss" in ours.stdout
    if shutil.which("ping"):
        theirs = host.run("ping", "-c", "2", "-i", "0.1", "-W", "0.5", SILENT, check=False)
        assert theirs.returncode == ours.returncode


@needs_netns
def test_deadline_with_count_exits_1_when_too_few_replies(lan):
    """-c 5 -w 0.3 with 0.2 s interval gets fewer than 5 replies by the deadline: exit 1, as iputils."""
    a, b = lan(2).hosts
    ours = a.lanlab("ping", "-c", "5", "-i", "0.2", "-w", "0.3", b.ip)
    assert ours.returncode == 1 and "2 packets transmitted, 2 received" in ours.stdout
    if shutil.which("ping"):
        assert a.run("ping", "-c", "5", "-i", "0.2", "-w", "0.3", b.ip, check=False).returncode == 1


@needs_netns
def test_same_replies_as_iputils_ping(lan):
    """iputils ping and ours, in the same namespace, see the same replies from the same host."""
    if not shutil.which("ping"):
        pytest.skip("iputils ping is not installed")
    a, b = lan(2).hosts
    ours = a.lanlab("ping", "-c", "3", "-i", "0.05", b.ip)
    theirs = a.run("ping", "-c", "3", "-i", "0.05", b.ip, check=False)
    assert ours.returncode == theirs.returncode == 0

    def shape(text):
        return [line.split(" time=")[0] for line in text.splitlines() if "bytes from" in line]

    assert shape(ours.stdout) == shape(theirs.stdout)


@needs_netns
def test_no_socket_allowed_explains_ping_group_range(lan):
    """An ordinary user outside ping_group_range and without CAP_NET_RAW gets one line naming both."""
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv (util-linux) to drop root")
    a, b = lan(2).hosts
    drop = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    probe = a.run(*drop, sys.executable, "-c", "pass", check=False)
    if probe.returncode != 0:  # e.g. a pyenv Python whose libpython sits under root's private home
        pytest.skip(f"user 65534 cannot run {sys.executable}: {probe.stderr.strip()[:120]}")
    result = a.run(*drop, sys.executable, "-m", "lanlab", "ping", "-c", "1", b.ip, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "ping_group_range" in result.stderr and "CAP_NET_RAW" in result.stderr.replace("cap_net_raw", "CAP_NET_RAW")
    assert result.stderr.count("\n") == 1


def _routed_pair(lab):
    """h1 - router - h2 on two /24s; the router answers every ICMP error (rate limit off)."""
    h1, router, h2 = lab.namespace("h"), lab.namespace("r"), lab.namespace("h")
    lab.link(h1, router, "198.18.1.1/24", "198.18.1.254/24")
    lab.link(router, h2, "198.18.2.254/24", "198.18.2.1/24", ifname_a="eth1")
    router.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
    router.run("sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
    h1.run("ip", "route", "add", "default", "via", "198.18.1.254")
    h2.run("ip", "route", "add", "default", "via", "198.18.2.254")
    return h1, h2


@needs_netns
@pytest.mark.parametrize("group_range", ["1 0", "0 2147483647"], ids=["raw", "dgram"])
def test_ttl_exceeded_is_reported_once_per_request_like_iputils(lab, group_range):
    """-t 1 across a router: one "Time to live exceeded" line per request, from the router, exit 1;
    the same lines as iputils ping prints."""
    h1, h2 = _routed_pair(lab)
    h1.run("sysctl", "-qw", f"net.ipv4.ping_group_range={group_range}")
    ours = h1.lanlab("ping", "-c", "2", "-i", "0.1", "-t", "1", h2.ip)
    errors = [line for line in ours.stdout.splitlines() if line.startswith("From")]
    assert ours.returncode == 1
    assert errors == [f"From 198.18.1.254 icmp_seq={n} Time to live exceeded" for n in (1, 2)]
    assert "2 packets transmitted, 0 received, +2 errors, 100% packet loss" in ours.stdout
    if shutil.which("ping"):
        theirs = h1.run("ping", "-c", "2", "-i", "0.1", "-t", "1", h2.ip, check=False)
        assert [line for line in theirs.stdout.splitlines() if line.startswith("From")] == errors


@needs_netns
def test_fragmentation_needed_says_the_next_hops_mtu_like_iputils(lab):
    """A 1400-byte ping with DF to a router whose next link has MTU 1000: "Frag needed and DF set (mtu = 1000)",
    the MTU read from the error queue as iputils prints it (it said the words without the MTU)."""
    h1, h2 = _routed_pair(lab)
    router = lab.spaces[1]
    router.run("ip", "link", "set", "eth1", "mtu", "1000")
    ours = h1.lanlab("ping", "-c", "1", "-W", "1", "-s", "1400", h2.ip)
    errors = [line for line in ours.stdout.splitlines() if line.startswith("From")]
    assert errors == ["From 198.18.1.254 icmp_seq=1 Frag needed and DF set (mtu = 1000)"], ours.stdout
    if shutil.which("ping"):
        h1.run("ip", "route", "flush", "cache")  # the path MTU the first ping learned: iputils must meet the router too
        theirs = h1.run("ping", "-c", "1", "-W", "1", "-s", "1400", "-M", "do", h2.ip, check=False)
        assert [line for line in theirs.stdout.splitlines() if line.startswith("From")] == errors


@needs_netns
def test_m_do_refuses_what_the_path_mtu_cannot_carry_like_iputils(lan):
    """-M do -s 3000 on a 1500-byte link: each request is a local error "message too long, mtu=1500" on
    stderr, counted as an error, exit 1, the lines iputils prints; -M dont lets the kernel fragment it."""
    a, b = lan(2).hosts
    ours = a.lanlab("ping", "-c", "2", "-i", "0.1", "-M", "do", "-s", "3000", b.ip)
    assert ours.returncode == 1
    assert ours.stderr.splitlines() == ["ping: local error: message too long, mtu=1500"] * 2
    assert "2 packets transmitted, 0 received, +2 errors, 100% packet loss" in ours.stdout
    assert a.lanlab("ping", "-c", "1", "-M", "dont", "-s", "3000", b.ip).returncode == 0
    if shutil.which("ping"):
        theirs = a.run("ping", "-c", "2", "-i", "0.1", "-M", "do", "-s", "3000", b.ip, check=False)
        assert (theirs.returncode, theirs.stderr.splitlines()) == (ours.returncode, ours.stderr.splitlines())


@needs_netns
def test_replies_across_a_router_carry_the_decremented_ttl(lab):
    """A reply from two hops away arrives with TTL 63."""
    h1, h2 = _routed_pair(lab)
    document = json.loads(h1.lanlab("ping", "-c", "1", h2.ip, "--json").stdout)
    assert [r["ttl"] for r in document["replies"]] == [63]


@pytest.mark.parametrize("args", [["-i", "0"], ["-W", "0"], ["-w", "-1"], ["-c", "0"], ["-s", "70000"], ["-t", "0"]])
def test_out_of_range_options_are_usage_errors(args):
    """Intervals under 2 ms, non-positive waits, -c 0, oversized -s and TTL 0 exit 2 before sending."""
    result = CliRunner().invoke(cli, ["ping", *args, "127.0.0.1"])
    assert result.exit_code == 2 and "Traceback" not in result.output


@needs_netns
def test_interface_option_takes_a_device_or_a_source_address(lan):
    """-I eth0 and -I <own address> both reach the neighbour; -I of a missing device exits 2 in one line."""
    a, b = lan(2).hosts
    assert a.lanlab("ping", "-c", "1", "-I", "eth0", b.ip).returncode == 0
    assert a.lanlab("ping", "-c", "1", "-I", a.ip, b.ip).returncode == 0
    missing = a.lanlab("ping", "-c", "1", "-I", "nosuch0", b.ip)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "nosuch0" in missing.stderr


@needs_icmp
def test_time_counts_to_the_last_request_like_iputils():
    """The statistics' time runs from the first request to the last, so one ping says "time 0ms"."""
    result = CliRunner().invoke(cli, ["ping", "-c", "1", "127.0.0.1"])
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in result.output


class ScriptedEcho:
    """An echo socket whose replies come back after the delay the script gives each sequence number,
    on a virtual clock that `select` advances (so the test's timing cannot depend on the machine)."""

    kind = "raw"
    destination = IPv4Address("198.18.0.2")

    def __init__(self, delays_s: dict[int, float], errors: frozenset[int] = frozenset()) -> None:
        self.delays_ns = {seq: int(delay * 1e9) for seq, delay in delays_s.items()}
        self.errors = errors
        self.now = 0
        self.due: list[tuple[int, int]] = []  # (time, seq)

    def clock(self) -> int:
        return self.now

    def send(self, seq: int, size: int) -> None:
        if seq in self.delays_ns:
            self.due.append((self.now + self.delays_ns[seq], seq))

    def select(self, readers, writers, errors, timeout_s):
        """select.select's stand-in: jump to the next reply due within the timeout, else past the timeout."""
        first = min(self.due, default=None)
        until = self.now + round(timeout_s * 1e9)
        if first is not None and first[0] <= until:
            self.now = first[0]
            return readers, [], []
        self.now = until
        return [], [], []

    def read(self):
        for item in sorted(item for item in self.due if item[0] <= self.now):
            self.due.remove(item)
            seq = item[1]
            if seq in self.errors:
                yield IcmpErrorReport(seq, str(self.destination), "Destination Host Unreachable")
            else:
                yield str(self.destination), seq, 64, 64

    def close(self) -> None:
        pass


def _scripted_ping(monkeypatch, sock: ScriptedEcho, **options) -> tuple[PingStatistics, int]:
    monkeypatch.setattr(ping_module.select, "select", sock.select)
    stats = ping_module.ping(sock, PingOptions(**options), lambda event: None, clock=sock.clock)
    return stats, sock.now


def test_deadline_waits_for_a_late_last_reply_like_iputils(monkeypatch):
    """With -c 2 -w 3 a second reply 0.2 s late (a loaded machine) still counts: -w has no linger exit."""
    sock = ScriptedEcho({1: 0.005, 2: 0.2})
    stats, ended = _scripted_ping(monkeypatch, sock, count=2, interval=0.5, deadline=3.0)
    assert (stats.transmitted, stats.received) == (2, 2)
    assert ended == int(0.7e9)  # ends on the count's last answer, not at the deadline


def test_linger_after_the_last_request_is_at_least_one_interval(monkeypatch):
    """Without -w, iputils waits max(2 x the longest round trip, the interval) after the last request."""
    sock = ScriptedEcho({1: 0.005, 2: 0.4})
    stats, _ = _scripted_ping(monkeypatch, sock, count=2, interval=0.5)
    assert stats.received == 2
    sock = ScriptedEcho({1: 0.005, 2: 0.6})
    stats, ended = _scripted_ping(monkeypatch, sock, count=2, interval=0.5)
    assert stats.received == 1 and ended == int(1.0e9)  # sent at 0.5 s, waited one interval


def test_a_duplicate_replys_round_trip_joins_the_statistics_like_iputils(monkeypatch):
    """Two replies to one request (a broadcast ping's two hosts): one received, one duplicate, and both round
    trips in min/avg/max, as iputils' gather_statistics counts them (the duplicate's was left out)."""
    stats = PingStatistics()
    events = []
    sent_at, answered = {1: 0}, set()
    ping_module._account(("198.18.0.2", 1, 64, 64), sent_at, answered, stats, events.append, 2_000_000)
    ping_module._account(("198.18.0.3", 1, 64, 64), sent_at, answered, stats, events.append, 4_000_000)
    assert (stats.received, stats.duplicates, stats.rtts_ns) == (1, 1, [2_000_000, 4_000_000])
    assert [(event.source, event.duplicate) for event in events] == [("198.18.0.2", False), ("198.18.0.3", True)]


def test_deadline_ends_at_the_first_error_report_like_iputils(monkeypatch):
    """With -w an unreachable report ends the run at once, as iputils' main loop does."""
    sock = ScriptedEcho({1: 0.1, 2: 0.1, 3: 0.1}, errors=frozenset({1}))
    stats, ended = _scripted_ping(monkeypatch, sock, count=3, interval=1.0, deadline=10.0)
    assert (stats.transmitted, stats.errors, ended) == (1, 1, int(0.1e9))


def test_stop_after_ends_the_run_but_counts_errors_to_c_as_without_w(monkeypatch):
    """--stop-after (the kernel lab's --until) ends the run then, but an error report does not: -c 3 with
    every request unreachable gives 3 errors, as the simulator's ping and iputils without -w."""
    sock = ScriptedEcho({1: 0.1, 2: 0.1, 3: 0.1}, errors=frozenset({1, 2, 3}))
    stats, _ = _scripted_ping(monkeypatch, sock, count=3, interval=1.0, stop_after=10.0)
    assert (stats.transmitted, stats.errors) == (3, 3)
    sock = ScriptedEcho({seq: 0.1 for seq in range(1, 10)})
    stats, ended = _scripted_ping(monkeypatch, sock, count=9, interval=1.0, stop_after=2.5)
    assert (stats.transmitted, stats.received, ended) == (3, 3, int(2.5e9))


@pytest.mark.skipif(
    not (ROOT_DIR / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo").exists(),
    reason="the zh_CN catalogue is not compiled (run `make`)",
)
def test_no_icmp_socket_is_explained_in_the_users_language(monkeypatch):
    """Without an ICMP socket (outside ping_group_range, no CAP_NET_RAW) the one-line reason is Chinese
    under --lang zh, English under en; the error itself stays the English text."""

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(ping_module.socket, "socket", refused)
    monkeypatch.setattr(ping_module, "_ping_group_range", lambda: (1, 0))
    with pytest.raises(PingPermissionError) as caught:
        ping_module._open_icmp_socket()
    assert str(caught.value).startswith("cannot open an ICMP socket: your group id ")
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "ping", "-c", "1", "127.0.0.1"])
    assert chinese.exit_code == 2 and chinese.output.count("\n") == 1
    assert chinese.output.startswith("lanlab: 无法打开 ICMP 套接字：你的组 ID ")
    assert "net.ipv4.ping_group_range（1 0）之内，也没有 CAP_NET_RAW" in chinese.output
    english = CliRunner().invoke(cli, ["--lang", "en", "ping", "-c", "1", "127.0.0.1"])
    assert english.output.startswith("lanlab: cannot open an ICMP socket: your group id ")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
def test_no_route_is_a_one_line_error_before_anything_is_sent():
    """In a network namespace with only lo, pinging 198.18.0.9 says the network is unreachable once, exit 2,
    as iputils' "connect: Network is unreachable" (it printed replies "From 198.18.0.9" that never came, exit 1)."""
    command = f"ip link set lo up && {sys.executable} -m lanlab ping -c 2 -i 0.2 198.18.0.9"
    done = subprocess.run(["unshare", "-n", "sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "lanlab: cannot ping 198.18.0.9: Network is unreachable\n"


def test_answers_slower_than_the_interval_say_pipe_as_iputils(monkeypatch):
    """Replies 2.5 intervals late: three requests are out when one is answered, so the statistics end with
    iputils' ", pipe 3" after the rtt line (finish(): pipesize > 1); replies within the interval say no pipe."""
    sock = ScriptedEcho({seq: 0.25 for seq in range(1, 6)})
    stats, _ = _scripted_ping(monkeypatch, sock, count=5, interval=0.1)
    assert stats.pipe == 3
    assert summary_lines("h", stats, 56)[-1].endswith(" ms, pipe 3")
    sock = ScriptedEcho({seq: 0.05 for seq in range(1, 4)})
    stats, _ = _scripted_ping(monkeypatch, sock, count=3, interval=0.1)
    assert stats.pipe == 1 and "pipe" not in summary_lines("h", stats, 56)[-1]


def test_unreachable_reports_slower_than_the_interval_say_pipe_alone(monkeypatch):
    """Four requests to a host whose ARP fails (each report 3 s late, 0.5 s apart): no rtt line, and "pipe 4"
    on its own line, as iputils prints it; a local error (not from the network) acknowledges nothing."""
    sock = ScriptedEcho({seq: 3.0 for seq in range(1, 5)}, errors=frozenset(range(1, 5)))
    stats, _ = _scripted_ping(monkeypatch, sock, count=4, interval=0.5)
    assert (stats.errors, stats.pipe) == (4, 4)
    assert summary_lines("h", stats, 56)[-2:] == [
        "4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 1500ms",
        "pipe 4",
    ]
    stats = PingStatistics(transmitted=3)
    ping_module._account(
        IcmpErrorReport(1, "h", "Message too long", from_network=False), {1: 0}, set(), stats, print, 0
    )
    assert (stats.errors, stats.pipe) == (1, 0)


def test_the_json_document_says_the_pipe(monkeypatch):
    """--json carries "pipe" (what the text's "pipe N" says), for a script or the kernel lab to read."""
    sock = ScriptedEcho({seq: 0.25 for seq in range(1, 4)})
    monkeypatch.setattr(ping_module.select, "select", sock.select)
    monkeypatch.setattr("lanlab.cli.ping.EchoSocket", lambda address, options: sock)
    real_ping = ping_module.ping
    monkeypatch.setattr("lanlab.cli.ping.ping", lambda s, o, show: real_ping(s, o, show, clock=sock.clock))
    sock.broadcast = False
    done = CliRunner().invoke(cli, ["ping", "-c", "3", "-i", "0.1", "198.18.0.2", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["pipe"] == 3


def _reverse_name(address: str) -> str | None:
    try:
        return socket.gethostbyaddr(address)[0]
    except OSError:
        return None


@needs_icmp
@pytest.mark.skipif(_reverse_name("127.0.0.1") is None, reason="127.0.0.1 has no name here (/etc/hosts)")
def test_a_ping_of_a_name_names_who_answers_unless_n_as_iputils():
    """`ping localhost` prints "64 bytes from NAME (127.0.0.1)", the reverse lookup of who answered, as iputils
    does for a HOST given by name (it printed the address alone); -n, or a HOST given as an address, prints the
    address alone; --json keeps the address, and says the name the text shows ("name", null for none)."""
    name = _reverse_name("127.0.0.1")
    named = CliRunner().invoke(cli, ["ping", "-c", "1", "localhost"])
    assert named.exit_code == 0, named.output
    assert named.output.splitlines()[1].startswith(f"64 bytes from {name} (127.0.0.1): icmp_seq=1 ")
    for args in (["-n", "localhost"], ["127.0.0.1"]):
        plain = CliRunner().invoke(cli, ["ping", "-c", "1", *args])
        assert plain.output.splitlines()[1].startswith("64 bytes from 127.0.0.1: icmp_seq=1 ")
    document = json.loads(CliRunner().invoke(cli, ["ping", "-c", "1", "localhost", "--json"]).output)
    assert document["replies"][0]["from"] == "127.0.0.1" and document["replies"][0]["name"] == name
    for args in (["-n", "localhost"], ["127.0.0.1"]):
        document = json.loads(CliRunner().invoke(cli, ["ping", "-c", "1", *args, "--json"]).output)
        assert document["replies"][0]["name"] is None  # the text names no one either


@needs_icmp
@pytest.mark.skipif(os.geteuid() != 0, reason="-I IF binds to a device: root")
@pytest.mark.parametrize("interface, via", [("lo", "from 127.0.0.1 lo: "), ("127.0.0.1", "from 127.0.0.1 : ")])
def test_the_header_with_i_says_the_source_and_device_as_iputils(interface, via):
    """With -I the first line says where the requests leave from, "from SRC DEV: " (DEV empty for -I ADDRESS),
    as iputils' ping4_run prints it (it left that out)."""
    done = CliRunner().invoke(cli, ["ping", "-c", "1", "-I", interface, "127.0.0.1"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == f"PING 127.0.0.1 (127.0.0.1) {via}56(84) bytes of data."


@needs_icmp
@pytest.mark.parametrize("host", ["0", "0.0.0.0"])
def test_pinging_0_pings_the_source_address_as_iputils(host):
    """HOST 0 or 0.0.0.0 pings the address the route gives as source, and says it: "PING 0 (127.0.0.1)", the
    replies from 127.0.0.1 by number (it said "(0.0.0.0)", and "0", an address to inet_aton, was looked up by
    name, "from localhost (127.0.0.1)")."""
    done = CliRunner().invoke(cli, ["ping", "-c", "1", host])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == f"PING {host} (127.0.0.1) 56(84) bytes of data."
    assert lines[1].startswith("64 bytes from 127.0.0.1: icmp_seq=1 ")
    document = json.loads(CliRunner().invoke(cli, ["ping", "-c", "1", host, "--json"]).output)
    assert document["address"] == "127.0.0.1"
