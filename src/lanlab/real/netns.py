"""Build a topology in network namespaces, and remove it: one namespace per node, a veth pair per
link, a Linux bridge in each switch or hub.

Safety rule: every command here runs inside a namespace this module made (`ip -n NS`, `ip netns
exec NS`); the machine's own namespace is never configured, only asked to add or delete a
namespace. Names carry a run prefix (`lanlab-RUN-NODE`) so `clean` finds what a killed run left.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lanlab.i18n import L_
from lanlab.proto.spanning import bridge_address, port_number
from lanlab.real import bird, dhcp, dns
from lanlab.real.model import BRIDGE, RealLab, RealLink, RealNode

PREFIX = "lanlab-"
ETC_NETNS = Path("/etc/netns")
# Held while a run looks for its names and adds them (not /run/netns itself: `ip netns add` locks that)
CLAIM_LOCK = (
    Path("/run/lock") if Path("/run/lock").is_dir() else Path(tempfile.gettempdir())
) / "lanlab-real.lock"  # per-namespace files ip netns exec mounts (hosts: the lab's names)
# Written when a run made /etc/netns (it did not exist): the last removal then removes it again, if empty.
ETC_NETNS_MADE = Path(tempfile.gettempdir()) / "lanlab-real-made-etc-netns"
BIRD_FOLDER = "lanlab-real-bird-"  # in the temporary directory: the generated bird.conf of a run
DHCP_FOLDER = "lanlab-real-dhcp-"  # likewise: dnsmasq's lease files, the udhcpc script
DNS_FOLDER = "lanlab-real-dns-"  # likewise: the DNS servers' (dnsmasq) pid files and logs
FILES_FOLDER = "lanlab-real-files-"  # likewise: the hosts' folders, where their programs work (without --files)
CENTISECONDS_PER_NS = 1e-7  # the bridge's ageing_time is in 1/100 s
# The simulator has no IPv6, and its hosts and routers send every ICMP error they owe: the kernel's
# rate limit (one a second per peer after a short burst) would turn traceroute's probes into `*`.
SYSCTLS = ("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.icmp_ratelimit=0")
# The kernel's 802.1D bridge keeps 16-bit port costs (802.1D-1998: a veth costs 2); the simulator's
# 802.1D-2004 costs (200000 at 100 Mb/s) do not fit, so the bridges keep their own costs, a file's
# cost up to this is applied, and a larger one is listed as not applied.
KERNEL_MAX_COST = 65535
# Signals that end a run or a build as Ctrl-C does (the lab removed): SIGTERM (kill, a supervisor)
# and SIGHUP (the terminal closed, an ssh session dropped), whose default action left every namespace.
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class RealError(RuntimeError):
    """A lab that cannot be built or run; the message says what to do."""


def require_root() -> None:
    """Namespaces need root and iproute2: say so in one line otherwise."""
    if shutil.which("ip") is None:
        raise RealError(L_("`ip` (iproute2) is not installed: apt install iproute2"))
    if os.geteuid() != 0:
        raise RealError(
            L_("the kernel lab needs root (namespaces, bridges): run it with sudo, or use `lanlab sim run`")
        )


def namespace(run: str, node: str) -> str:
    return f"{PREFIX}{run}-{node}"


def _run(argv: list[str], stdin: str | None = None) -> str:
    # a session of its own: the terminal's Ctrl-C (sent to the whole foreground group) does not kill
    # an `ip` half way through; lanlab decides what an interrupt stops
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, start_new_session=True)
    if done.returncode != 0:
        raise failed(argv, done.stderr, done.returncode)
    return done.stdout


def failed(argv: list[str], stderr: str, status: int) -> RealError:
    """A command's failure as one line: `ip -batch` says the kernel's answer and then which line
    failed ("RTNETLINK answers: File exists" / "Command failed -:1"), on lines of their own."""
    said = "; ".join(line.strip() for line in stderr.splitlines() if line.strip())
    return RealError(f"{' '.join(argv[:6])}: {said or f'exit {status}'}")


def run_all(jobs: list[tuple[list[str], str | None]], width: int = 16) -> None:
    """Run commands (argv, stdin) side by side, `width` at a time; RealError on the first failure."""
    for start in range(0, len(jobs), width):
        running = [
            (
                argv,
                stdin,
                subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,  # as _run's
                ),
            )
            for argv, stdin in jobs[start : start + width]
        ]
        for argv, stdin, process in running:
            _, err = process.communicate(stdin)
            if process.returncode != 0:
                raise failed(argv, err, process.returncode)


def batch(ns: str, lines: Iterable[str], tool: str = "ip") -> None:
    """Several `ip` (or `tc`, `bridge`) commands inside namespace `ns` in one process."""
    text = "\n".join(lines)
    if text:
        _run([tool, "-n", ns, "-batch", "-"], text + "\n")


def inside(ns: str, *argv: str, stdin: str | None = None) -> str:
    """A program run inside namespace `ns` (never the machine's own)."""
    return _run(["ip", "netns", "exec", ns, *argv], stdin)


def namespaces() -> list[str]:
    out = _run(["ip", "netns", "list"])
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def has_netem(ns: str, device: str) -> bool:
    """Whether this kernel has the netem qdisc (many cloud kernels lack sch_netem)."""
    probe = subprocess.run(
        ["tc", "-n", ns, "qdisc", "add", "dev", device, "root", "netem", "delay", "1ms"],
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    if probe.returncode == 0:
        subprocess.run(
            ["tc", "-n", ns, "qdisc", "del", "dev", device, "root"],
            capture_output=True,
            check=False,
            start_new_session=True,
        )
    return probe.returncode == 0


@dataclass
class Built:
    """A lab standing in namespaces: names, and what of the file the kernel could not do."""

    lab: RealLab
    run: str
    not_applied: list[dict[str, str]] = field(default_factory=list)
    dhcp_folder: Path | None = None  # where dnsmasq keeps its leases (None: no DHCP in this lab)
    dhcp_clients: dict[str, tuple[str, subprocess.Popen[bytes]]] = field(default_factory=dict)  # node -> udhcpc
    dhcp_captures: list[tuple[str, subprocess.Popen[str]]] = field(default_factory=list)  # node:port -> dumpcap

    def ns(self, node: str) -> str:
        return namespace(self.run, node)


@contextmanager
def _claiming() -> Iterator[None]:
    """One lanlab at a time between looking for a run's names and adding them (two `real up` at
    once: the second finds the first's, instead of both finding none)."""
    fd = os.open(CLAIM_LOCK, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def build(lab: RealLab, run: str) -> Built:
    """Make the namespaces, links, bridges, addresses and routes; on any failure remove what was
    made (a run's names already standing are refused and left as they are: they are not this build's)."""
    require_root()
    built = Built(lab, run)
    with _claiming():
        clash = [ns for ns in namespaces() if ns.startswith(namespace(run, ""))]
        if clash:
            raise RealError(
                L_(
                    "namespaces of run {run} already exist ({namespace}): `lanlab real down` or "
                    "`lanlab real clean` removes them",
                    run=repr(run),
                    namespace=clash[0],
                )
            )
        try:
            _run(["ip", "-batch", "-"], "".join(f"netns add {built.ns(name)}\n" for name in lab.nodes))
        except BaseException:
            remove(run)
            raise
    try:
        _build(built)
    except BaseException:
        remove(run)
        raise
    return built


def _build(built: Built) -> None:
    lab = built.lab
    _write_hosts(built)
    # Each step's commands are independent across namespaces: run them side by side (starting a
    # process, not the kernel's work, is most of the cost: 55 namespaces in a few seconds).
    first: dict[str, list[str]] = {}
    jobs: list[tuple[list[str], str | None]] = []
    for name, node in lab.nodes.items():
        ns = built.ns(name)
        sysctls = list(SYSCTLS) + (["net.ipv4.ip_forward=1"] if node.kind == "router" else [])
        if node.answer_broadcast_ping:
            sysctls.append("net.ipv4.icmp_echo_ignore_broadcasts=0")
        jobs.append((["ip", "netns", "exec", ns, "sysctl", "-qw", *sysctls], None))
        first[ns] = ["link set lo up"] + ([_bridge_line(built, node)] if node.kind in ("switch", "hub") else [])
    run_all(jobs)
    run_all([(["ip", "-n", ns, "-batch", "-"], "\n".join(lines) + "\n") for ns, lines in first.items()])
    veths: dict[str, list[str]] = {}
    for link in lab.links:
        veths.setdefault(built.ns(link.a[0]), []).append(
            f"link add name {link.a[1]} type veth peer name {link.b[1]} netns {built.ns(link.b[0])}"
        )
    run_all([(["ip", "-n", ns, "-batch", "-"], "\n".join(lines) + "\n") for ns, lines in veths.items()])
    run_all(
        [
            (["ip", "-n", built.ns(name), "-batch", "-"], "\n".join(_node_lines(lab, node)) + "\n")
            for name, node in lab.nodes.items()
        ]
    )
    for link in lab.links:
        _link_options(built, link)
    speakers = [node for node in lab.nodes.values() if node.rip is not None]
    if speakers:
        binary = shutil.which("bird")
        if binary is None:
            raise RealError(bird.MISSING)
        folder = Path(tempfile.mkdtemp(prefix=f"{BIRD_FOLDER}{built.run}-"))
        for node in speakers:
            bird.start(built.ns(node.name), node, folder, binary)
    if any(node.zone is not None for node in lab.nodes.values()):
        if shutil.which("dnsmasq") is None:
            raise RealError(dns.MISSING_SERVER)
        dns.start(built.ns, lab, Path(tempfile.mkdtemp(prefix=f"{DNS_FOLDER}{built.run}-")))
    if any(dhcp.serving(node) or dhcp.leasing(node) or dhcp.relaying(node) for node in lab.nodes.values()):
        for node in lab.nodes.values():
            built.not_applied.extend(dhcp.short_leases(node))
        built.dhcp_folder = Path(tempfile.mkdtemp(prefix=f"{DHCP_FOLDER}{built.run}-"))
        if shutil.which("dumpcap") is not None:  # before any client sends: compare holds the messages
            built.dhcp_captures = dhcp.start_captures(built.ns, lab.nodes, built.dhcp_folder)
        try:
            built.dhcp_clients = dhcp.start(
                built.ns, lab.nodes, built.dhcp_folder, lambda name: resolv_file(built.ns(name))
            )
        except RuntimeError as error:
            raise RealError(str(error)) from None


def hosts_file(ns: str) -> Path:
    """`ip netns exec` bind-mounts /etc/netns/NS/hosts over /etc/hosts inside NS."""
    return ETC_NETNS / ns / "hosts"


def resolv_file(ns: str) -> Path:
    """Likewise /etc/netns/NS/resolv.conf over /etc/resolv.conf (a DHCP client's script writes here)."""
    return ETC_NETNS / ns / "resolv.conf"


def _write_hosts(built: Built) -> None:
    """Every node's name with each of its addresses (its first first) in each namespace's /etc/hosts, so a
    program's gethostbyname("pc2") and gethostbyaddr find what the simulator's topology lookup finds; a node with a resolver
    (`dns:`) asks it instead, as the simulator's does (its /etc/hosts has localhost and its own name only,
    which the simulator's answers without asking either), and every node has a resolv.conf of its own (the
    machine's resolver is never asked from a lab). A DHCP client whose lease will name DNS servers (a pool
    of the file has `dns:`) asks them likewise."""
    localhost = "127.0.0.1\tlocalhost\n"
    lines = {  # every address of a node, its first first: gethostbyaddr names a router's far side
        name: "".join(
            f"{options['ip'].ip}\t{name}\n" for options in node.interfaces.values() if options.get("ip") is not None
        )
        for name, node in built.lab.nodes.items()
    }
    text = localhost + "".join(lines.values())
    if not ETC_NETNS.exists():
        ETC_NETNS_MADE.touch()
    for name in built.lab.nodes:
        node = built.lab.nodes[name]
        path = hosts_file(built.ns(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(localhost + lines[name] if dns.asks_a_resolver(built.lab, node) else text)
        resolv_file(built.ns(name)).write_text(dns.resolv_conf(node))


def _remove_etc_netns() -> None:
    """/etc/netns again as before the first run: removed when a run made it and no lab's files are
    left in it (another lab still running keeps it; the last removal then takes it)."""
    if not ETC_NETNS_MADE.exists():
        return
    try:
        ETC_NETNS.rmdir()
    except FileNotFoundError:
        pass
    except OSError:  # not empty: another lab's folders, or a file someone put there
        return
    ETC_NETNS_MADE.unlink(missing_ok=True)


def _bridge_line(built: Built, node: RealNode) -> str:
    # mcast_snooping 0 everywhere: snooping sends multicast router discovery (224.0.0.106) from the
    # bridge's own MAC, which the next switch would learn; the simulator's switches send nothing.
    if node.kind == "hub":  # ageing 0: the bridge learns nothing and floods every frame, as a hub repeats it
        return f"link add {BRIDGE} type bridge ageing_time 0 stp_state 0 mcast_snooping 0"
    ageing = "" if node.ageing is None else f" ageing_time {round(node.ageing * CENTISECONDS_PER_NS)}"
    stp = node.stp
    if stp is None:
        return f"link add {BRIDGE} type bridge{ageing} stp_state 0 mcast_snooping 0"
    for port, cost in stp.get("costs", {}).items():
        if cost > KERNEL_MAX_COST:
            built.not_applied.append(
                {
                    "where": f"{node.name}:{port}",
                    "property": f"stp cost {cost}",
                    "why": L_("the kernel's 802.1D port costs are 1-{most}", most=KERNEL_MAX_COST),
                }
            )
    if stp["mode"] == "rstp":
        built.not_applied.append(
            {
                "where": node.name,
                "property": "stp mode rstp",
                "why": L_("the kernel bridge has 802.1D STP only: ran STP (802.1D) instead"),
            }
        )
    # The simulator's bridge address (proto.spanning): the same bridge ids elect the same root.
    return (
        f"link add {BRIDGE} address {bridge_address(node.name)} type bridge{ageing} stp_state 1 "
        f"priority {stp['priority']} mcast_snooping 0"
    )


def _ports(lab: RealLab, name: str) -> dict[str, RealLink]:
    """A node's ports and their links, in link order; a spanning tree's bridge ports in the order of
    their 802.1D port numbers (the kernel numbers ports as they join: tie-breaks then agree)."""
    ports = {end[1]: link for link in lab.links for end in (link.a, link.b) if end[0] == name}
    if lab.nodes[name].stp is not None:
        ports = dict(sorted(ports.items(), key=lambda item: port_number(item[0], ports)))
    return ports


def _node_lines(lab: RealLab, node: RealNode) -> list[str]:
    lines = []
    ports = _ports(lab, node.name)
    for port, link in ports.items():
        options = node.interfaces.get(port) or {}
        if options.get("mac") is not None:
            lines.append(f"link set dev {port} address {options['mac']}")
        mtu = options.get("mtu") or link.options.get("mtu")  # the interface's own, else its link's (as sim's)
        if mtu is not None:
            lines.append(f"link set dev {port} mtu {mtu}")
        if node.kind in ("switch", "hub"):
            lines.append(f"link set dev {port} master {BRIDGE}")
            cost = (node.stp or {}).get("costs", {}).get(port)
            if cost is not None and cost <= KERNEL_MAX_COST:
                lines.append(f"link set dev {port} type bridge_slave cost {cost}")
        if options.get("ip") is not None:
            lines.append(f"address add {options['ip']} broadcast + dev {port}")
        lines.append(f"link set dev {port} up")
    if node.kind in ("switch", "hub"):
        lines.append(f"link set {BRIDGE} up")
    if node.kind == "host" and ports:
        # The simulator sends 255.255.255.255 out of a host's first interface; Linux needs a route
        # for it (without a default route sendto() fails with ENETUNREACH), so the host gets one.
        first = next((p for p in node.interfaces if p in ports), next(iter(ports)))
        lines.append(f"route add broadcast 255.255.255.255 dev {first} scope link")
        # Multicast likewise leaves by the first interface in the simulator (a group join or a send
        # to 239.x without a route is ENODEV / ENETUNREACH on Linux).
        lines.append(f"route add 224.0.0.0/4 dev {first} scope link")
    if node.gateway is not None:
        lines.append(f"route add default via {node.gateway}")
    for prefix, via in node.routes:
        lines.append(f"route add {prefix} via {via}")
    return lines


def _link_options(built: Built, link: RealLink) -> None:
    """rate: tc tbf on both ends; loss: nftables drops at each end's ingress; delay: netem where it exists."""
    options = link.options
    ends = [(built.ns(link.a[0]), link.a[1]), (built.ns(link.b[0]), link.b[1])]
    delay, rate = options.get("delay"), options.get("rate")
    if delay and has_netem(*ends[0]):  # netem shapes the rate too, so one root qdisc does both
        for ns, dev in ends:
            batch(
                ns,
                [f"qdisc add dev {dev} root netem delay {delay / 1e6}ms" + (f" rate {int(rate)}bit" if rate else "")],
                tool="tc",
            )
        return _loss(built, link, ends)
    if delay:
        built.not_applied.append(
            {
                "where": link.name,
                "property": f"delay {delay / 1e6:g}ms",
                "why": L_("this kernel has no netem qdisc (sch_netem)"),
            }
        )
    if rate:
        for ns, dev in ends:
            batch(
                ns,
                [f"qdisc add dev {dev} root tbf rate {int(rate)}bit burst {max(int(rate) // 800, 1600)} latency 400ms"],
                tool="tc",
            )
    _loss(built, link, ends)


def _loss(built: Built, link: RealLink, ends: list[tuple[str, str]]) -> None:
    """Each end drops `loss` of the frames it receives (nftables at the device's ingress hook)."""
    loss = link.options.get("loss")
    if loss:
        if shutil.which("nft") is None:
            built.not_applied.append(
                {
                    "where": link.name,
                    "property": f"loss {loss:g}",
                    "why": L_("nftables is not installed (apt install nftables)"),
                }
            )
        else:
            percent = round(loss * 100)
            for ns, dev in ends:
                inside(
                    ns,
                    "nft",
                    "-f",
                    "-",
                    stdin=(
                        f"table netdev lanlab_{dev} {{\n  chain loss {{\n"
                        f"    type filter hook ingress device {dev} priority 0\n"
                        f"    numgen random mod 100 < {percent} counter drop\n  }}\n}}\n"
                    ),
                )


IGMP_TABLE = "lanlab_igmp"


def count_igmp(ns: str) -> bool:
    """Count the IGMP messages `ns` sends (a joined group's membership reports, RFC 3376 5.1) with
    an nftables counter; False when nftables is missing (nothing is counted)."""
    if shutil.which("nft") is None:
        return False
    inside(
        ns,
        "nft",
        "-f",
        "-",
        stdin=f"table ip {IGMP_TABLE} {{\n  chain out {{\n    type filter hook output priority 0;\n"
        "    ip protocol igmp counter\n  }\n}\n",
    )
    return True


def igmp_sent(ns: str) -> int:
    """How many IGMP messages `ns` has sent since count_igmp (0 when it was not counted)."""
    done = subprocess.run(
        ["ip", "netns", "exec", ns, "nft", "-j", "list", "table", "ip", IGMP_TABLE],
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    if done.returncode != 0:
        return 0
    return sum(
        expr["counter"]["packets"]
        for item in json.loads(done.stdout).get("nftables", [])
        for expr in item.get("rule", {}).get("expr", [])
        if "counter" in expr
    )


def _run_folders(run: str | None) -> list[Path]:
    """The temporary folders of a run (every run's with None): BIRD's, DHCP's, DNS's and the hosts' files."""
    prefixes = [
        f"{kind}{run}-" if run is not None else kind for kind in (BIRD_FOLDER, DHCP_FOLDER, DNS_FOLDER, FILES_FOLDER)
    ]
    return [path for prefix in prefixes for path in Path(tempfile.gettempdir()).glob(f"{prefix}*") if path.is_dir()]


def _kill_inside(ns: str) -> None:
    """Stop every process left in `ns` (programs, listeners, BIRD): a namespace with a process in it
    outlives its name."""
    done = subprocess.run(
        ["ip", "netns", "pids", ns], capture_output=True, text=True, check=False, start_new_session=True
    )
    pids = [int(p) for p in done.stdout.split() if p.isdigit()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for pid in pids:
            try:
                os.kill(pid, sig)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return
        time.sleep(0.1)
        pids = alive


def run_alive(run: str) -> bool:
    """Whether the process of run `rPID` still runs (its lab is in use, not left over)."""
    if not (run.startswith("r") and run[1:].isdigit()):
        return False
    try:
        os.kill(int(run[1:]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_of(ns: str) -> str:
    return ns[len(PREFIX) :].split("-", 1)[0]


@contextmanager
def ending_as_interrupt() -> Iterator[None]:
    """The ENDING_SIGNALS raise KeyboardInterrupt inside the block, as Ctrl-C does: a lab being built or run is
    removed on SIGTERM or SIGHUP as on Ctrl-C (their default action left it standing). Main thread only."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in ENDING_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def shielded() -> Iterator[list[int]]:
    """Ctrl-C and the ENDING_SIGNALS held off while the lab is removed (a user pressing Ctrl-C again,
    or a second SIGTERM, stopped the removal half way and left namespaces and their processes): the
    signals that came are listed, for the caller to act on once everything is removed."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers
        yield caught
        return

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, *ENDING_SIGNALS)}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def remove(run: str | None = None) -> list[str]:
    """Delete the namespaces of `run` and what runs in them; with None, those every lanlab run left
    whose process is gone (and the standing lab), never a run still going (several people, or
    tests side by side, run labs at once). The names removed. Ctrl-C and SIGTERM wait until it is done."""
    with shielded():
        return _remove(run)


def _remove(run: str | None) -> list[str]:
    def ended(ns: str) -> bool:
        if run is not None:
            return ns.startswith(namespace(run, ""))
        return ns.startswith(PREFIX) and not run_alive(_run_of(ns))

    gone = [ns for ns in namespaces() if ended(ns)]
    for ns in gone:
        _kill_inside(ns)
    # the hosts files by their folders' names: also those of a namespace already gone
    for folder in ETC_NETNS.glob(f"{PREFIX}*") if ETC_NETNS.is_dir() else []:
        if ended(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
    _remove_etc_netns()
    if gone:
        subprocess.run(
            ["ip", "-force", "-batch", "-"],
            input="".join(f"netns del {ns}\n" for ns in gone),
            capture_output=True,
            text=True,
            check=False,
            start_new_session=True,
        )
    runs = [run] if run is not None else sorted({_run_of(ns) for ns in gone})
    for folder in [folder for name in runs for folder in _run_folders(name)]:  # bird.conf, leases
        shutil.rmtree(folder, ignore_errors=True)
    return gone
