"""Network namespaces for real-network tests: hosts on a Linux bridge, or on point-to-point veths.

Everything lives inside namespaces this module creates — the bridge too — so nothing is ever
added to, or sent from, the machine's own namespace. Addresses come from 198.18.0.0/15
(RFC 2544 benchmarking space). A Lab removes everything it made when closed; a run killed
before closing leaks its ll<pid>x... namespaces, which the next session removes (pid dead).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_IP = shutil.which("ip") or "ip"
_serial = itertools.count()
_OURS = re.compile(r"ll(?:(\d+)x|probe(\d+)$)")  # a Lab's ll<pid>x<n>..., the probe's llprobe<pid>


@functools.cache
def netns_unavailable_reason() -> str | None:
    """Why namespaces cannot be made here, or None when they can. Called once per process (a test
    session): where they can, it first removes the namespaces killed runs leaked."""
    if not sys.platform.startswith("linux"):
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "needs iproute2's `ip`"
    remove_leaked_namespaces()
    probe = f"llprobe{os.getpid()}"
    made = subprocess.run([_IP, "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    subprocess.run([_IP, "netns", "del", probe], capture_output=True)
    return None


def __getattr__(name: str):
    """`needs_netns`, the skip mark, made when a test asks for it: the lab itself does not need
    pytest (bench/scan.py builds one outside the test environment)."""
    if name == "needs_netns":
        import pytest

        reason = netns_unavailable_reason()
        return pytest.mark.skipif(reason is not None, reason=str(reason))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _ip(*argv: str) -> None:
    subprocess.run([_IP, *argv], check=True, capture_output=True, text=True)


@dataclass
class Netns:
    """One namespace: a host, a router or the bridge ("switch") of a lab."""

    name: str
    ip: str | None = None  # first address given by attach/link, without prefix
    mac: str | None = None
    interfaces: list[str] = field(default_factory=list)

    def argv(self, *argv: str) -> list[str]:
        """The command line that runs argv inside this namespace."""
        return [_IP, "netns", "exec", self.name, *argv]

    def run(self, *argv: str, check: bool = True, timeout: float = 30, **kwargs) -> subprocess.CompletedProcess:
        """Run a command inside the namespace and wait for it (text output captured)."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run(self.argv(*argv), check=check, timeout=timeout, **kwargs)

    def popen(self, *argv: str, **kwargs) -> subprocess.Popen:
        """Start a command inside the namespace; the caller waits for or kills it."""
        return subprocess.Popen(self.argv(*argv), **kwargs)

    def python(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """Run this interpreter (the project's venv) inside the namespace."""
        return self.run(sys.executable, *args, **kwargs)

    def lanlab(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """Run `lanlab ARGS` inside the namespace, without raising on a non-zero exit."""
        kwargs.setdefault("check", False)
        return self.run(sys.executable, "-m", "lanlab", *args, **kwargs)

    def lanlab_popen(self, *args: str, **kwargs) -> subprocess.Popen:
        """Start `lanlab ARGS` inside the namespace (a server: `dhcp serve`, `tcp serve`); the caller stops it."""
        return self.popen(sys.executable, "-m", "lanlab", *args, **kwargs)

    def dhcp_serving(self, pool: str, *options: str) -> subprocess.Popen:
        """Start `lanlab dhcp serve -I eth0 --pool POOL OPTIONS...` inside the namespace, its output in text
        pipes; the caller stops it."""
        return self.lanlab_popen(
            "dhcp",
            "serve",
            "-I",
            "eth0",
            "--pool",
            pool,
            *options,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def mac_of(self, ifname: str) -> str:
        """The MAC address of one of this namespace's interfaces."""
        out = self.run("cat", f"/sys/class/net/{ifname}/address").stdout
        return out.strip()


ETC_NETNS = Path("/etc/netns")


@contextmanager
def etc_files(ns: Netns, files: dict[str, str]) -> Iterator[None]:
    """/etc/netns/NS/NAME for each of `files` (`ip netns exec` mounts them over /etc/NAME in NS), removed after,
    and /etc/netns too when this made it and nothing else is in it (as lanlab.real.netns leaves it)."""
    made = not ETC_NETNS.exists()
    folder = ETC_NETNS / ns.name
    folder.mkdir(parents=True)
    try:
        for name, text in files.items():
            (folder / name).write_text(text)
        yield
    finally:
        shutil.rmtree(folder)
        if made:
            try:
                ETC_NETNS.rmdir()
            except OSError:  # another test's or lab's files are in it now
                pass


class Lab:
    """The namespaces, bridges and veths of one test; `close()` removes every one of them."""

    def __init__(self) -> None:
        self.tag = f"ll{os.getpid()}x{next(_serial)}"  # the whole pid: remove_leaked_namespaces reads it
        self.spaces: list[Netns] = []
        self._ports = itertools.count()

    def namespace(self, role: str = "h") -> Netns:
        """A fresh namespace with loopback up and IPv6 off (no router solicitations in captures)."""
        ns = Netns(f"{self.tag}{role}{len(self.spaces)}")
        _ip("netns", "add", ns.name)
        self.spaces.append(ns)
        ns.run("ip", "link", "set", "lo", "up")
        ns.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        ns.run("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        return ns

    def bridge(self, stp: bool = False) -> Netns:
        """A namespace holding bridge `br0`, the switch of the lab; ports join it via attach()."""
        ns = self.namespace("sw")
        ns.run("ip", "link", "add", "br0", "type", "bridge", "stp_state", "1" if stp else "0")
        ns.run("ip", "link", "set", "br0", "up")
        return ns

    def attach(
        self, ns: Netns, bridge: Netns, ip: str | None = "198.18.0.1/24", ifname: str = "eth0", mac: str | None = None
    ) -> str:
        """Give `ns` an interface wired to bridge br0; return the interface's MAC."""
        port = f"p{next(self._ports)}"
        _ip(
            "-n",
            ns.name,
            "link",
            "add",
            ifname,
            *(["address", mac] if mac else []),
            "type",
            "veth",
            "peer",
            "name",
            port,
            "netns",
            bridge.name,
        )
        bridge.run("ip", "link", "set", port, "master", "br0")
        bridge.run("ip", "link", "set", port, "up")
        return self._configure(ns, ifname, ip)

    def link(
        self, a: Netns, b: Netns, ip_a: str | None, ip_b: str | None, ifname_a: str = "eth0", ifname_b: str = "eth0"
    ) -> tuple[str, str]:
        """A point-to-point veth between two namespaces; return the two MACs."""
        _ip("-n", a.name, "link", "add", ifname_a, "type", "veth", "peer", "name", ifname_b, "netns", b.name)
        return self._configure(a, ifname_a, ip_a), self._configure(b, ifname_b, ip_b)

    def _configure(self, ns: Netns, ifname: str, ip: str | None) -> str:
        if ip is not None:
            ns.run("ip", "addr", "add", ip, "dev", ifname)
            if ns.ip is None:
                ns.ip = ip.split("/")[0]
        ns.run("ip", "link", "set", ifname, "up")
        mac = ns.mac_of(ifname)
        ns.mac = ns.mac or mac
        ns.interfaces.append(ifname)
        return mac

    def close(self) -> None:
        """Kill what still runs in the namespaces and delete them (veths and bridges go too)."""
        for ns in reversed(self.spaces):
            _delete_namespace(ns.name)
        self.spaces.clear()


def _delete_namespace(name: str) -> None:
    """Kill what runs in the namespace, then delete it (its veths and bridges go with it)."""
    pids = subprocess.run([_IP, "netns", "pids", name], capture_output=True, text=True)
    for pid in pids.stdout.split():
        try:
            os.kill(int(pid), 9)
        except (ProcessLookupError, ValueError):
            pass
    subprocess.run([_IP, "netns", "del", name], capture_output=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: alive
        return True
    return True


def remove_leaked_namespaces() -> list[str]:
    """Delete the namespaces a killed test run left behind (ll<pid>x..., llprobe<pid> whose pid is
    dead); returns their names. Those of a live process (another session running now) stay."""
    listed = subprocess.run([_IP, "netns", "list"], capture_output=True, text=True)
    leaked = []
    for line in listed.stdout.splitlines():
        name = line.split(" ", 1)[0]
        match = _OURS.match(name)
        if match is not None and not _alive(int(match.group(1) or match.group(2))):
            _delete_namespace(name)
            leaked.append(name)
    return leaked


@dataclass
class Lan:
    """Hosts on one bridge: hosts[i] has address subnet.(i+1)."""

    bridge: Netns
    hosts: list[Netns]


def build_lan(lab: Lab, n_hosts: int, subnet: str = "198.18.0.0/24", stp: bool = False) -> Lan:
    """n_hosts namespaces on one bridge, numbered from the subnet's first address."""
    import ipaddress

    network = ipaddress.ip_network(subnet)
    bridge = lab.bridge(stp=stp)
    hosts = []
    for index in range(n_hosts):
        host = lab.namespace("h")
        lab.attach(host, bridge, f"{network.network_address + index + 1}/{network.prefixlen}")
        hosts.append(host)
    return Lan(bridge, hosts)


def lanlab_compare(*args: str, cwd: str | os.PathLike[str] | None = None) -> dict:
    """`lanlab compare ARGS --json` with this Python: its document, once it exited 0 (no difference)."""
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "compare", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)
