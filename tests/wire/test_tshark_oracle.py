"""tshark, Wireshark's dissector, reads every frame we build from a pcap and a pcapng: no malformed
packet, no checksum error (checksum validation on), and the same field values as our parser."""

import shutil
import subprocess

import pytest

from lanlab.wire import Arp, Ethernet, Icmp, IcmpType, IPv4, Llc, Udp, dissect
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter
from lanlab.wire.rip import Rip
from lanlab.wire.stp import Bpdu, BpduType
from lanlab.wire.tcp import Tcp
from wire_samples import SAMPLES

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")

# our header attribute -> tshark field
TSHARK_FIELDS = {
    Ethernet: {"dst": "eth.dst", "src": "eth.src", "ethertype": "eth.type"},
    Arp: {"op": "arp.opcode", "sender_mac": "arp.src.hw_mac", "sender_ip": "arp.src.proto_ipv4",
          "target_mac": "arp.dst.hw_mac", "target_ip": "arp.dst.proto_ipv4"},
    IPv4: {"src": "ip.src", "dst": "ip.dst", "proto": "ip.proto", "ttl": "ip.ttl", "ident": "ip.id",
           "total_length": "ip.len", "checksum": "ip.checksum", "tos": "ip.dsfield"},
    Icmp: {"type": "icmp.type", "code": "icmp.code", "checksum": "icmp.checksum"},
    Udp: {"src_port": "udp.srcport", "dst_port": "udp.dstport", "length": "udp.length", "checksum": "udp.checksum"},
    Llc: {"dsap": "llc.dsap", "ssap": "llc.ssap"},
    Rip: {"command": "rip.command", "version": "rip.version"},
    Bpdu: {"version": "stp.version", "bpdu_type": "stp.type", "flags": "stp.flags", "root_mac": "stp.root.hw",
           "root_path_cost": "stp.root.cost", "bridge_mac": "stp.bridge.hw", "port_id": "stp.port"},
    Tcp: {"src_port": "tcp.srcport", "dst_port": "tcp.dstport", "seq": "tcp.seq_raw", "ack": "tcp.ack_raw",
          "flags": "tcp.flags", "window": "tcp.window_size_value", "checksum": "tcp.checksum",
          "urgent": "tcp.urgent_pointer"},
}
ECHO_FIELDS = {"ident": "icmp.ident", "seq": "icmp.seq"}
PREFERENCES = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
               "-o", "tcp.relative_sequence_numbers:FALSE"]


def _normal(value):
    """One spelling for numbers (tshark writes some in hex) and addresses."""
    text = str(value).lower()
    if text.startswith("0x"):
        return int(text, 16)
    return int(text) if text.isdigit() else text


def _expected(frame):
    """tshark field -> value, from our own dissection of the frame (outermost header wins, like occurrence=f)."""
    values = {}
    for h in dissect(frame).headers:
        mapping = dict(TSHARK_FIELDS.get(type(h), {}))
        if isinstance(h, Icmp) and h.type in (IcmpType.ECHO_REQUEST, IcmpType.ECHO_REPLY):
            mapping.update(ECHO_FIELDS)
        if isinstance(h, Bpdu) and h.bpdu_type == BpduType.TCN:  # a TCN is only version and type on the wire
            mapping = {"version": "stp.version", "bpdu_type": "stp.type"}
        for attribute, field in mapping.items():
            values.setdefault(field, _normal(int(getattr(h, attribute)) if isinstance(getattr(h, attribute), int)
                                             else getattr(h, attribute)))
    return values


def _tshark(*argv):
    result = subprocess.run(["tshark", *PREFERENCES, *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """The sample frames written once as pcap (microseconds) and as pcapng (two named interfaces)."""
    folder = tmp_path_factory.mktemp("captures")
    with (folder / "all.pcap").open("wb") as out:
        writer = PcapWriter(out)
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(1_700_000_000_000_000_000 + i * 1000, frame)
    with (folder / "all.pcapng").open("wb") as out:
        writer = PcapngWriter(out)
        ports = [writer.add_interface("pc1:eth0"), writer.add_interface("sw1:p2")]
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(ports[i % 2], 1_700_000_000_000_000_000 + i, frame)
    return folder


@pytest.mark.parametrize("name", ["all.pcap", "all.pcapng"])
def test_tshark_finds_nothing_malformed_or_bad(captures, name):
    """No frame draws a malformed-packet mark, a checksum error or any warning from tshark."""
    flagged = _tshark("-r", str(captures / name), "-Y", '_ws.malformed || _ws.expert.severity >= "Warning"',
                      "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message")
    assert flagged == ""
    assert len(_tshark("-r", str(captures / name)).splitlines()) == len(SAMPLES)


@pytest.mark.parametrize("name", ["all.pcap", "all.pcapng"])
def test_tshark_reads_the_same_field_values(captures, name):
    """Every field we parse from each frame has the value tshark decodes for it."""
    fields = sorted({field for mapping in (*TSHARK_FIELDS.values(), ECHO_FIELDS) for field in mapping.values()})
    argv = ["-r", str(captures / name), "-T", "fields", "-E", "occurrence=f", "-E", "separator=/t"]
    for field in fields:
        argv += ["-e", field]
    rows = _tshark(*argv).splitlines()
    assert len(rows) == len(SAMPLES)
    for (frame, _, info), row in zip(SAMPLES, rows):
        theirs = {field: _normal(value) for field, value in zip(fields, row.split("\t")) if value}
        ours = _expected(frame)
        assert ours and {field: theirs.get(field) for field in ours} == ours, info


def test_tshark_protocol_and_info_match_ours(captures):
    """tshark's Protocol column is ours; its Info starts with ours (it adds seq=1/256 and request links)."""
    rows = _tshark("-r", str(captures / "all.pcap"), "-T", "fields", "-e", "_ws.col.Protocol",
                   "-e", "_ws.col.Info").splitlines()
    for (_frame, protocol, info), row in zip(SAMPLES, rows):
        their_protocol, their_info = row.split("\t")
        assert their_protocol == protocol
        assert " ".join(their_info.replace("/256", "").split()).startswith(" ".join(info.split(" ttl=")[0].split()))
