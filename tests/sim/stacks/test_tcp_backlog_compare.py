"""listen(1) and eight clients connecting at once: the simulator lets them all in, as the kernel does (compare)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netlab import netns_unavailable_reason
from simnets import PAIR_YAML

pytestmark = pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))


# listen(1); it accepts the eight first (giving up after 3 s without one), then answers each
SERVER = """\
import socket

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("198.18.0.1", 9200))
listener.listen(1)
listener.settimeout(3)
accepted = []
try:
    while len(accepted) < 8:
        accepted.append(listener.accept()[0])
except TimeoutError:
    pass
said = []
for conn in accepted:
    conn.settimeout(5)
    data = conn.recv(100)
    said.append(data.decode())
    conn.sendall(b"got " + data)
    conn.close()
print("accepted", len(accepted))
for line in sorted(said):
    print("said:", line)
"""

# eight threads connect at once (5 s to connect and to hear back), each says its number
CLIENTS = """\
import socket
import threading

results = {}


def client(number):
    try:
        sock = socket.create_connection(("198.18.0.1", 9200), timeout=5)
        sock.sendall(f"client {number}".encode())
        results[number] = sock.recv(100).decode()
        sock.close()
    except OSError as error:
        results[number] = f"failed: {error}"


threads = [threading.Thread(target=client, args=(number,)) for number in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for number in sorted(results):
    print(number, results[number])
"""


def test_eight_simultaneous_clients_against_listen_1_all_get_through_on_both(tmp_path: Path):
    """Eight clients connecting at once to a listen(1) server all connect and get their answer, on the kernel and
    in the simulator: half-open connections do not count against the backlog (they did in the simulator, whose
    SYNs beyond two were dropped and retried 1, 3, 7 s later: two clients timed out and the server accepted six)."""
    (tmp_path / "lab.yaml").write_text(PAIR_YAML)
    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "clients.py").write_text(CLIENTS)
    run = ["lab.yaml", "--until", "10s", "--app", "pc1=server.py", "--app", "at 0.1s pc2=clients.py", "--json"]
    simulated = subprocess.run(
        [sys.executable, "-m", "lanlab", "sim", "run", *run], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert simulated.returncode == 0, simulated.stdout + simulated.stderr
    outputs = {
        program["node"]: [line["text"] for line in program["output"]]
        for program in json.loads(simulated.stdout)["programs"]
    }
    assert outputs["pc2"] == [f"{number} got client {number}" for number in range(8)]
    assert outputs["pc1"][0] == "accepted 8"
    result = subprocess.run(
        [sys.executable, "-m", "lanlab", "compare", *run], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    compared = json.loads(result.stdout)
    assert compared["differences"] == [], compared["differences"]
    assert result.returncode == 0
