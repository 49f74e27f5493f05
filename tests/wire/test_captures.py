"""pcap and pcapng: round trips, other writers' files, tshark and dpkt reading ours, streaming."""

import io
import shutil
import struct
import subprocess

import dpkt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import MalformedError, WireError
from lanlab.wire.pcap import PcapReader, PcapWriter
from lanlab.wire.pcapng import PcapngReader, PcapngWriter

frames = st.lists(st.tuples(st.integers(0, 2**32 * 10**9 - 1), st.binary(min_size=14, max_size=200)), max_size=8)
needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
FRAME = bytes.fromhex("ffffffffffff02000000000108060001080006040001020000000001c6120001000000000000c6120002")


@pytest.mark.parametrize("nanosecond", [False, True])
@given(records=frames)
def test_pcap_round_trip(nanosecond, records):
    """Frames written to pcap read back identical, timestamps kept to the file's resolution."""
    out = io.BytesIO()
    writer = PcapWriter(out, nanosecond=nanosecond)
    for t_ns, frame in records:
        writer.write(t_ns, frame)
    unit = 1 if nanosecond else 1000
    back = list(PcapReader(io.BytesIO(out.getvalue())))
    assert back == [(t // unit * unit, frame) for t, frame in records]


@given(records=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2**63), st.binary(max_size=200)), max_size=8))
def test_pcapng_round_trip_keeps_interface_names(records):
    """Frames written to pcapng come back with their interface's name and nanosecond time."""
    out = io.BytesIO()
    writer = PcapngWriter(out)
    names = ["pc1:eth0", "sw1:p1", "sw1:p2", "r1:eth1"]
    ids = [writer.add_interface(name) for name in names]
    for interface, t_ns, frame in records:
        writer.write(ids[interface], t_ns, frame)
    back = list(PcapngReader(io.BytesIO(out.getvalue())))
    assert back == [(names[i], t, frame) for i, t, frame in records]


def test_pcap_reads_big_endian_files():
    """A pcap written big-endian (as on a SPARC) reads the same."""
    data = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + struct.pack(">IIII", 7, 5, 42, 42) + FRAME
    assert list(PcapReader(io.BytesIO(data))) == [(7_000_005_000, FRAME)]


def test_pcap_snaplen_cuts_long_frames():
    """A frame longer than snaplen is stored cut, its original length kept in the record."""
    out = io.BytesIO()
    PcapWriter(out, snaplen=20).write(0, FRAME)
    assert list(PcapReader(io.BytesIO(out.getvalue()))) == [(0, FRAME[:20])]
    assert struct.unpack_from("<II", out.getvalue(), 24 + 8) == (20, len(FRAME))


@pytest.mark.parametrize("data", [b"", b"\xd4\xc3\xb2", b"not a pcap file at all!!", b"\x00" * 24])
def test_pcap_rejects_non_pcap(data):
    """Something that is not a pcap file raises WireError on open."""
    with pytest.raises(WireError):
        PcapReader(io.BytesIO(data))


@given(cut=st.integers(1, 200))
def test_truncated_captures_raise_wire_error(cut):
    """A capture cut anywhere yields its whole frames, then raises WireError (never struct.error)."""
    for writer_class, reader_class in ((PcapWriter, PcapReader), (PcapngWriter, PcapngReader)):
        out = io.BytesIO()
        writer = writer_class(out)
        if writer_class is PcapngWriter:
            interface = writer.add_interface("eth0")
            write = lambda t, f, w=writer, i=interface: w.write(i, t, f)  # noqa: E731
        else:
            write = writer.write
        write(1, FRAME)
        write(2, FRAME)
        data = out.getvalue()
        try:
            list(reader_class(io.BytesIO(data[: len(data) - cut])))
        except WireError:
            pass


class _Faucet(io.RawIOBase):
    """A file of endless identical records that counts how much has been read."""

    def __init__(self, header, record):
        self.header, self.record, self.served = header, record, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        stream = self.header + self.record * (1 + (self.served + len(buffer)) // len(self.record))
        chunk = stream[self.served : self.served + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


def test_readers_stream():
    """Readers hand out frame after frame of an endless file, reading only as far as asked."""
    out = io.BytesIO()
    PcapWriter(out).write(0, FRAME)
    data = out.getvalue()
    faucet = _Faucet(data[:24], data[24:])
    reader = iter(PcapReader(io.BufferedReader(faucet, 4096)))
    for _ in range(10_000):
        assert next(reader)[1] == FRAME
    assert faucet.served < 10_001 * len(data) + 4096


def test_dpkt_reads_our_pcap_and_pcapng():
    """dpkt, an independent reader, gets our frames and timestamps from both formats."""
    pcap, pcapng = io.BytesIO(), io.BytesIO()
    PcapWriter(pcap, nanosecond=True).write(1_500_000_000_123_456_789, FRAME)
    writer = PcapngWriter(pcapng)
    writer.write(writer.add_interface("pc1:eth0"), 1_500_000_000_123_456_789, FRAME)
    ((t1, f1),) = list(dpkt.pcap.Reader(io.BytesIO(pcap.getvalue())))
    ((t2, f2),) = list(dpkt.pcapng.Reader(io.BytesIO(pcapng.getvalue())))
    assert f1 == f2 == FRAME
    assert abs(float(t1) - 1_500_000_000.123456789) < 1e-6 and abs(float(t2) - float(t1)) < 1e-6


@needs_tshark
def test_we_read_pcapng_that_wireshark_tools_wrote(tmp_path):
    """editcap's pcapng of our pcap reads back to the same frames and times."""
    pcap = tmp_path / "a.pcap"
    with pcap.open("wb") as out:
        writer = PcapWriter(out, nanosecond=True)
        writer.write(1_000_000_000_000_000_001, FRAME)
        writer.write(1_000_000_000_500_000_000, FRAME[:30])
    subprocess.run(["editcap", "-F", "pcapng", str(pcap), str(tmp_path / "b.pcapng")], check=True, capture_output=True)
    with (tmp_path / "b.pcapng").open("rb") as capture:
        back = [(t, f) for _, t, f in PcapngReader(capture)]
    with pcap.open("rb") as capture:
        assert back == list(PcapReader(capture))


@needs_tshark
def test_tshark_reads_our_pcapng_with_interface_names(tmp_path):
    """tshark opens our pcapng without complaint and shows each frame's interface name and time."""
    path = tmp_path / "x.pcapng"
    with path.open("wb") as out:
        writer = PcapngWriter(out)
        a, b = writer.add_interface("pc1:eth0"), writer.add_interface("sw1:p2")
        writer.write(a, 1_500_000_000_123_456_789, FRAME)
        writer.write(b, 1_500_000_001_000_000_001, FRAME)
    result = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-e", "frame.interface_name", "-e", "frame.time_epoch"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["pc1:eth0", "1500000000.123456789", "sw1:p2", "1500000001.000000001"]
    assert "appears to" not in result.stderr and "rror" not in result.stderr


def test_pcap_record_longer_than_any_frame_is_refused_before_reading():
    """A record claiming more than 262,144 captured bytes is a MalformedError naming the frame, nothing read."""
    out = io.BytesIO()
    writer = PcapWriter(out)
    writer.write(0, FRAME)
    out.write(struct.pack("<IIII", 0, 0, 0xFFFFFFF0, 0xFFFFFFF0))
    reads = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    reader = PcapReader(Recording(out.getvalue()))
    with pytest.raises(MalformedError, match="frame 2 .* 4294967280 captured bytes, more than the 262144"):
        list(reader)
    assert max(reads) < 2**20


def test_pcapng_block_longer_than_any_block_is_refused():
    """A block length of 0xFFFFFFF0 is a MalformedError naming the frame, and so is an EPB's captured length."""
    out = io.BytesIO()
    writer = PcapngWriter(out)
    writer.write(writer.add_interface("eth0"), 0, FRAME)
    whole = out.getvalue()
    with pytest.raises(MalformedError, match="frame 2 .* block of 4294967280 bytes"):
        list(PcapngReader(io.BytesIO(whole + struct.pack("<II", 6, 0xFFFFFFF0) + bytes(32))))
    epb = struct.pack("<IIIII", 0, 0, 0, 0x7FFFFFF0, 60) + bytes(64)
    damaged = whole + struct.pack("<II", 6, 12 + len(epb)) + epb + struct.pack("<I", 12 + len(epb))
    with pytest.raises(MalformedError, match="frame 2 .* 2147483632 captured bytes"):
        list(PcapngReader(io.BytesIO(damaged)))


@pytest.mark.parametrize(
    ("word", "linktype", "fcs"),
    [
        (1, 1, None),
        (0x30000001, 1, None),
        (0x40000001, 1, None),
        (0x04000001, 1, 0),
        (0x24000001, 1, 4),
        (0x10000071, 113, None),
    ],
)
def test_pcap_link_type_word_is_masked_and_its_fcs_length_read(word, linktype, fcs):
    """The link type is the word's low 16 bits; the FCS length (16-bit words, bits 28-31) counts only with bit 26."""
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, word)
    reader = PcapReader(io.BytesIO(head))
    assert (reader.linktype, reader.fcs_length) == (linktype, fcs)


def test_readers_give_each_frames_length_on_the_wire():
    """wire_length is the record's original length (pcap) or the EPB's (pcapng), beyond what a snaplen kept."""
    out = io.BytesIO()
    PcapWriter(out, snaplen=20).write(0, FRAME)
    reader = PcapReader(io.BytesIO(out.getvalue()))
    assert [len(frame) for _, frame in reader] == [20] and reader.wire_length == len(FRAME)
    out = io.BytesIO()
    writer = PcapngWriter(out)
    writer.write(writer.add_interface("eth0"), 0, FRAME)
    ng = PcapngReader(io.BytesIO(out.getvalue()))
    assert len(list(ng)) == 1 and ng.wire_length == len(FRAME) and ng.fcs_length is None


def test_pcapng_interface_fcs_length_option_counts_bits():
    """if_fcslen (option 13) of 32 bits: the interface's frames end in 4 bytes of FCS."""
    from lanlab.wire.pcapng import EPB, IDB, _block, _option

    out = io.BytesIO()
    PcapngWriter(out)  # the section header
    out.write(_block(IDB, struct.pack("<HHI", 1, 0, 65535) + _option(13, bytes([32])) + _option(0, b"")))
    padding = bytes(-len(FRAME) % 4)
    out.write(_block(EPB, struct.pack("<IIIII", 0, 0, 0, len(FRAME), len(FRAME)) + FRAME + padding))
    reader = PcapngReader(io.BytesIO(out.getvalue()))
    assert len(list(reader)) == 1 and reader.fcs_length == 4


def _block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


SECTION = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ETHERNET_INTERFACE = _block(1, struct.pack("<HHI", 1, 0, 262144))


def _packet(interface: int, frame: bytes = bytes(60)) -> bytes:
    return _block(6, struct.pack("<IIIII", interface, 0, 0, len(frame), len(frame)) + frame)


def test_a_packet_naming_an_interface_never_described_says_so_after_the_frames_before_it():
    """A packet block naming interface 5 of a section that describes 1: the first frame is read, then one
    MalformedError naming the frame, the interface and the count (it was 'list index out of range')."""
    reader = PcapngReader(io.BytesIO(SECTION + ETHERNET_INTERFACE + _packet(0) + _packet(5)))
    frames = iter(reader)
    assert next(frames)[0] == "if0"
    with pytest.raises(MalformedError, match=r"frame 2 \(offset 140\) names interface 5, but its section describes 1"):
        next(frames)


def test_a_section_with_a_wrong_byte_order_magic_is_named_for_it():
    """A section header whose byte-order magic is neither order of 1a2b3c4d is said to be that, not a huge block."""
    bad = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x11223344, 1, 0, -1))
    with pytest.raises(MalformedError, match="byte-order magic 44332211, not 1a2b3c4d in either order"):
        list(PcapngReader(io.BytesIO(bad)))
