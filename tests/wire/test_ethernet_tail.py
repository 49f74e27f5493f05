"""The bytes after the network layer's own length (Ethernet padding, a trailer, a guessed FCS) are named as
Wireshark names them, never taken for payload; tshark is the oracle."""

import json
import random
import shutil
import subprocess

import pytest

from lanlab.cli.decode import verbose_lines
from lanlab.view.frames import frame_entry
from lanlab.wire import ArpOp, Dot3, Llc, dissect
from lanlab.wire.pcap import PcapWriter
from wire_samples import A_MAC, arp_frame, udp_frame

TRAILER_HEURISTICS = ("vssmonitoring", "ixiatrailer", "gmtrailer", "gmhdr", "f5ethtrailer")  # those on by default
ARP_REQUEST = arp_frame(ArpOp.REQUEST)  # 42 bytes: no padding of its own
SHORT_UDP = udp_frame(b"hi")  # 44 bytes


def _stp_like(payload: bytes) -> bytes:
    """An 802.3 frame whose length field covers an LLC header and `payload`."""
    llc = Llc().build(payload)
    return Dot3(A_MAC, A_MAC).build(llc)


def test_arp_padding_is_padding_not_payload():
    """A padded ARP request has no payload: its 18 zero bytes are the Ethernet padding."""
    d = dissect(ARP_REQUEST + bytes(18))
    assert d.payload == b""
    assert d.padding == bytes(18)
    assert d.trailer == d.fcs == b""
    assert "Data" not in "\n".join(verbose_lines(d))


def test_ipv4_padding_is_shown_in_the_ethernet_layer():
    """A short UDP datagram's padding was dropped from the dissection; it is now the Ethernet layer's padding."""
    d = dissect(SHORT_UDP + bytes(16))
    assert d.payload == b"hi"
    assert d.padding == bytes(16)
    lines = list(verbose_lines(d))
    assert lines[: lines.index("    IPv4")][-1] == "        padding: 16 bytes: " + "00" * 16


def test_nonzero_bytes_where_padding_goes_are_a_trailer():
    """Bytes that are not zeros where padding would be are a trailer, as Wireshark's default requires zeros."""
    d = dissect(ARP_REQUEST + b"\xab" * 18)
    assert (d.padding, d.trailer, d.fcs) == (b"", b"\xab" * 18, b"")


def test_an_fcs_is_guessed_only_when_the_capture_leaves_it_unsaid():
    """Four trailer bytes ending a frame of 64 bytes or more are an FCS only when the capture does not say."""
    frame = SHORT_UDP + bytes(16) + b"\x01\x02\x03\x04"
    assert dissect(frame).fcs == b"\x01\x02\x03\x04"
    assert dissect(frame, guess_fcs=False).trailer == b"\x01\x02\x03\x04"


def test_viewer_places_padding_bytes_in_the_ethernet_layer():
    """The viewer's frame entry gives the padding as an Ethernet field with its byte span, and no Data layer."""
    entry = frame_entry(ARP_REQUEST + bytes(18))
    assert [layer["layer"] for layer in entry["layers"]] == ["Ethernet", "ARP"]
    assert entry["layers"][0]["fields"][-1] == ["padding", "18 bytes", 42, 60]


def _tails() -> list[bytes]:
    """Tails of every kind: none, zeros of every length to past the minimum, zeros then other bytes, others."""
    rng = random.Random(7)
    tails = [bytes(n) for n in range(0, 41, 3)]
    tails += [bytes(n) + rng.randbytes(rng.randint(1, 10)) for n in range(0, 31, 5)]
    tails += [rng.randbytes(n) for n in (1, 4, 17, 18, 22, 40)]
    return tails


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_padding_trailer_and_fcs_agree_with_tshark(tmp_path):
    """For ARP, IPv4 and 802.3 frames with tails of every kind, eth.padding, eth.trailer and eth.fcs are ours."""
    bases = [ARP_REQUEST, SHORT_UDP, udp_frame(bytes(30)), _stp_like(bytes(35)), _stp_like(b"x")]
    frames = [base + tail for base in bases for tail in _tails()]
    pcap = tmp_path / "tails.pcap"
    with pcap.open("wb") as out:
        writer = PcapWriter(out)
        for i, frame in enumerate(frames):
            writer.write(i * 1000, frame)
    # Vendors' trailer dissectors (F5, Ixia, VSS...) guess at trailers by their content; lanlab knows none.
    vendors = [word for name in TRAILER_HEURISTICS for word in ("--disable-protocol", name)]
    printed = subprocess.run(
        ["tshark", *vendors, "-r", str(pcap), "-T", "json", "-e", "eth.padding", "-e", "eth.trailer", "-e", "eth.fcs"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    seen = set()
    for frame, packet in zip(frames, json.loads(printed), strict=True):
        fields = packet["_source"]["layers"]
        theirs = tuple(fields.get(name, [""])[0].replace(":", "") for name in ("eth.padding", "eth.trailer", "eth.fcs"))
        d = dissect(frame)
        ours = (d.padding.hex(), d.trailer.hex(), f"0x{d.fcs.hex()}" if d.fcs else "")
        assert ours == theirs, frame.hex()
        seen.add(tuple(bool(part) for part in ours))
    assert len(seen) >= 5, seen  # padding, trailer and FCS each met, alone and together
