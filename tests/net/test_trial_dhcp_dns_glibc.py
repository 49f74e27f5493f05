"""One program's name lookups on a simulated host and under glibc in a namespace asking dnsmasq (a trial): the
same addresses, the same canonical names and aliases, the same error numbers and messages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from netlab import Lab, etc_files, needs_netns

DNSMASQ = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if Path("/usr/sbin/dnsmasq").exists() else None)
pytestmark = [needs_netns, pytest.mark.skipif(DNSMASQ is None, reason="dnsmasq not installed")]

# only names under .test and .invalid, only addresses of 198.18.0.0/15; nothing here can reach a real server
PROGRAM = r"""
import socket

LONG = ".".join(["b" * 62] * 4) + ".lab.test"  # past 255 bytes, every label short enough for IDNA


def show(what, call):
    try:
        result = call()
    except socket.gaierror as error:
        result = "gaierror %s %s" % (error.errno, error.strerror)
    except socket.herror as error:
        result = "herror %s %s" % (error.errno, error.strerror)
    print("%s: %s" % (what, result), flush=True)


for name in ["lab.test", "pc3.lab.test", "PC3.LAB.TEST", "pc3.lab.test.", "www.lab.test", "nope.lab.test", "x.invalid",
             "a b.lab.test", LONG]:
    shown = name if len(name) < 40 else "LONG"
    show("gethostbyname %r" % shown, lambda: socket.gethostbyname(name))
    show("gethostbyname_ex %r" % shown, lambda: socket.gethostbyname_ex(name))
for address in ["198.18.0.3", "198.18.0.99"]:
    show("gethostbyaddr %r" % address, lambda: socket.gethostbyaddr(address))
"""

TOPOLOGY = """nodes:
  ns:
    kind: host
    ip: 198.18.0.53/24
    dns: {zone: lab.test., records: {pc3: 198.18.0.3, www: pc3}}
  pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}
  pc3: {kind: host, ip: 198.18.0.3/24}
  sw1: {kind: switch}
links:
  - [ns:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
  - [pc3:eth0, sw1:p3]
"""


def simulated(tmp_path: Path, program_text: str = PROGRAM, search: str = "") -> list[str]:
    (tmp_path / "t.yaml").write_text(TOPOLOGY)
    (tmp_path / "p.py").write_text(program_text)
    net = load_topology(tmp_path / "t.yaml")
    net.node("pc1").resolver_search = search  # resolv.conf's search line (a DHCP lease's domain gives it)
    program = net.node("pc1").run_program(str(tmp_path / "p.py"))
    run_programs(net, 600 * SECOND)
    return [text for _, text in program.output]


def under_glibc(tmp_path: Path, program_text: str = PROGRAM, search: str = "") -> list[str]:
    """The program in a namespace whose resolv.conf names dnsmasq at 198.18.0.53, serving the same records
    (dnsmasq answers only what it holds: --local for lab.test, no upstream, so x.invalid is refused)."""
    (tmp_path / "p.py").write_text(program_text)
    lab = Lab()
    try:
        bridge = lab.bridge()
        ns, client = lab.namespace("ns"), lab.namespace("cli")
        lab.attach(ns, bridge, "198.18.0.53/24")
        lab.attach(client, bridge, "198.18.0.1/24")
        etc = {  # `ip netns exec` mounts these over /etc
            "resolv.conf": "nameserver 198.18.0.53\n" + (f"search {search}\n" if search else ""),
            "nsswitch.conf": "hosts: dns\n",
            "hosts": "127.0.0.1 localhost\n",
        }
        with etc_files(client, etc):
            server = ns.popen(
                DNSMASQ,
                "--no-daemon",
                "--no-resolv",
                "--no-hosts",
                "--bind-interfaces",
                "--listen-address=198.18.0.53",
                "--local=/lab.test/",
                "--host-record=pc3.lab.test,198.18.0.3",
                "--cname=www.lab.test,pc3.lab.test",
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            result = client.run(sys.executable, str(tmp_path / "p.py"), check=False, timeout=120, env=dict(os.environ))
            server.terminate()
            server.wait(timeout=10)
    finally:
        lab.close()
    return result.stdout.splitlines()


def test_lookups_on_a_simulated_host_say_what_glibc_says(tmp_path):
    """Upper case, a trailing dot, a CNAME, NXDOMAIN, REFUSED, a space in a label, a name past 255
    bytes (it waited 10 s and said EAI_AGAIN; glibc says EAI_NONAME at once), PTR found and refused, and
    the zone's apex, a name without an address (glibc's -5 EAI_NODATA; the shim said -2 EAI_NONAME)."""
    real = under_glibc(tmp_path)
    assert len(real) == 20, real
    assert simulated(tmp_path) == real


SEARCHING = r"""
import socket

for name in ["pc3", "www", "nope", "pc3.lab", "x.invalid", "nope.lab.test", "pc3.lab.test.", "lab.test", "lab"]:
    try:
        result = socket.getaddrinfo(name, 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]  # no AI_CANONNAME: see below
    except socket.gaierror as error:
        result = "gaierror %s %s" % (error.errno, error.strerror)
    print("%s: %s" % (name, result), flush=True)
"""


def test_the_search_list_is_walked_as_glibc_walks_it(tmp_path):
    """With `search lab.test`: a dotless name is asked with the domain, then as it is (nope: NXDOMAIN, then
    REFUSED: EAI_AGAIN); a dotted one as it is, then with the domain (pc3.lab and x.invalid: REFUSED, then
    NXDOMAIN: EAI_NONAME). lanlab asked one name only and said EAI_NONAME for nope, EAI_AGAIN for the others.
    (glibc 2.36 with AI_CANONNAME says EAI_AGAIN for pc3.lab and x.invalid: the name as given decides there;
    getaddrinfo without it, gethostbyname and gethostbyname_ex say EAI_NONAME, as here.)"""
    real = under_glibc(tmp_path, SEARCHING, "lab.test")
    assert real[:3] == ["pc3: 198.18.0.3", "www: 198.18.0.3", "nope: gaierror -3 Temporary failure in name resolution"]
    assert simulated(tmp_path, SEARCHING, "lab.test") == real
