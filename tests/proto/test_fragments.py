"""IPv4 fragmentation and reassembly (RFC 791, RFC 1191, RFC 5722-style overlap discard), sans-IO."""

from ipaddress import IPv4Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.proto.fragments import (
    MIN_MTU,
    REASSEMBLY_TIMEOUT,
    Discarded,
    FragmentationNeeded,
    Held,
    Reassembled,
    ReassemblyTimedOut,
    Reassembler,
    copied_options,
    fragment,
    is_fragment,
)
from lanlab.wire import IPv4
from lanlab.wire.ipv4 import DF, MF

SRC, DST = IPv4Address("198.18.0.1"), IPv4Address("198.19.0.2")
# Record route (7, not copied) and a made-up copied option (0x88 = copied class 0 number 8, 4 bytes).
RECORD_ROUTE = bytes((7, 7, 4, 0, 0, 0, 0))
COPIED = bytes((0x88, 4, 0xAB, 0xCD))


def datagram(size: int, *, ident: int = 0x1234, flags: int = 0, options: bytes = b"") -> tuple[IPv4, bytes]:
    return IPv4(SRC, DST, 17, ident=ident, flags=flags, options=options), bytes(i & 0xFF for i in range(size))


def reassemble(pieces: list[tuple[IPv4, bytes]], reassembler: Reassembler | None = None) -> Reassembled:
    reassembler = reassembler or Reassembler()
    results = [reassembler.handle_fragment(header, payload, 0) for header, payload in pieces]
    assert all(isinstance(result, Held) for result in results[:-1])
    assert isinstance(results[-1], Reassembled)
    return results[-1]


def test_fragments_fit_the_mtu_with_offsets_in_8_byte_units_and_mf_on_all_but_the_last():
    """4000 bytes over a 1500 MTU: 1480 + 1480 + 1040, offsets 0/185/370, MF, MF, no MF."""
    header, payload = datagram(4000)
    pieces = fragment(header, payload, 1500)
    assert [len(p) for _, p in pieces] == [1480, 1480, 1040]
    assert [h.frag_offset for h, _ in pieces] == [0, 185, 370]
    assert [bool(h.flags & MF) for h, _ in pieces] == [True, True, False]
    assert all(len(h.build(p)) <= 1500 for h, p in pieces)
    assert all(is_fragment(h) for h, _ in pieces) and not is_fragment(header)


def test_a_datagram_that_fits_is_one_piece_and_df_that_does_not_fit_needs_fragmentation():
    """Fits: returned as it is. DF and too big: FragmentationNeeded with the next-hop MTU (RFC 1191)."""
    header, payload = datagram(1480, flags=DF)
    assert fragment(header, payload, 1500) == [(header, payload)]
    with pytest.raises(FragmentationNeeded) as raised:
        fragment(header, payload, 1400)
    assert raised.value.mtu == 1400
    with pytest.raises(ValueError, match="minimum"):
        fragment(*datagram(100), MIN_MTU - 1)


def test_only_copied_options_repeat_in_later_fragments():
    """RFC 791 3.1: the copied bit decides; record route stays in the first fragment only."""
    options = RECORD_ROUTE + bytes((1,)) + COPIED  # 12 bytes: RR, NOP, copied option
    assert copied_options(options) == COPIED
    header, payload = datagram(600, options=options)
    pieces = fragment(header, payload, 300)
    assert pieces[0][0].options == options
    assert all(h.options == COPIED for h, _ in pieces[1:])
    assert reassemble(pieces).header.options == options


def test_fragmenting_a_fragment_continues_its_offsets_and_keeps_its_mf():
    """A router with a smaller MTU splits fragments again; the host still rebuilds the datagram."""
    header, payload = datagram(3000)
    first_hop = fragment(header, payload, 1500)
    second_hop = [small for h, p in first_hop for small in fragment(h, p, 576)]
    assert len(second_hop) > len(first_hop)
    assert [bool(h.flags & MF) for h, _ in second_hop].count(False) == 1
    whole = reassemble(second_hop)
    assert whole.header.build(whole.payload) == header.build(payload)


@st.composite
def datagrams_and_mtus(draw: st.DrawFn) -> tuple[IPv4, bytes, int]:
    options = draw(st.sampled_from([b"", COPIED, RECORD_ROUTE + bytes(1), RECORD_ROUTE + bytes((1,)) + COPIED]))
    header = IPv4(
        IPv4Address(draw(st.integers(0, 2**32 - 1))),
        DST,
        draw(st.integers(0, 255)),
        ttl=draw(st.integers(1, 255)),
        ident=draw(st.integers(0, 0xFFFF)),
        tos=draw(st.integers(0, 255)),
        options=options,
    )
    payload = draw(st.binary(min_size=1, max_size=6000))
    return header, payload, draw(st.integers(MIN_MTU, 1600))


@settings(max_examples=150, deadline=None)
@given(datagrams_and_mtus(), st.randoms(use_true_random=False), st.booleans())
def test_any_fragmentation_reassembles_in_any_order(case, random, duplicate):
    """Whatever the MTU, the pieces reassemble to the same bytes in any order, duplicates ignored."""
    header, payload, mtu = case
    pieces = fragment(header, payload, mtu)
    assert all(len(h.build(p)) <= mtu for h, p in pieces)
    random.shuffle(pieces)
    if duplicate and len(pieces) > 1:
        pieces.insert(random.randrange(len(pieces) - 1), pieces[-1 - random.randrange(len(pieces) - 1)])
    whole = reassemble(pieces) if len(pieces) > 1 else Reassembled(*pieces[0])
    assert whole.header.build(whole.payload) == header.build(payload)


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=3000), st.data(), st.randoms(use_true_random=False))
def test_any_split_at_8_byte_boundaries_reassembles(payload, data, random):
    """Fragments cut anywhere on 8-byte boundaries (not only by our fragmenter) rebuild the datagram."""
    header = IPv4(SRC, DST, 17, ident=7)
    bounds = sorted(
        data.draw(st.sets(st.integers(1, (len(payload) - 1) // 8), max_size=30)) if len(payload) > 8 else set()
    )
    cuts = [0, *(8 * b for b in bounds), len(payload)]
    pieces = [
        (IPv4(SRC, DST, 17, ident=7, frag_offset=lo // 8, flags=MF if hi < len(payload) else 0), payload[lo:hi])
        for lo, hi in zip(cuts, cuts[1:])
    ]
    random.shuffle(pieces)
    reassembler = Reassembler()
    results = [reassembler.handle_fragment(h, p, 0) for h, p in pieces]
    assert results[-1] == Reassembled(header, payload)
    assert len(reassembler) == 0


def test_overlapping_fragments_discard_the_whole_datagram():
    """RFC 5722 (as Linux does for IPv4): a partial overlap drops everything held; the rest never completes."""
    header, payload = datagram(64)
    reassembler = Reassembler()
    assert reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, flags=MF), payload[:32], 0) == Held()
    overlap = reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, flags=MF, frag_offset=2), payload[16:48], 0)
    assert isinstance(overlap, Discarded) and "overlap" in overlap.reason
    assert len(reassembler) == 0
    tail = reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, frag_offset=4), payload[32:], 0)
    assert tail == Held()


def test_exact_duplicate_is_ignored():
    """The same fragment twice is held once and the datagram still completes."""
    header, payload = datagram(2000)
    first, second = fragment(header, payload, 1500)
    reassembler = Reassembler()
    assert reassembler.handle_fragment(*first, 0) == Held()
    assert reassembler.handle_fragment(*first, 0) == Held(duplicate=True)
    assert isinstance(reassembler.handle_fragment(*second, 0), Reassembled)


def test_reassembly_beyond_65535_bytes_is_discarded():
    """A 'ping of death' fragment whose end passes the 16-bit total length is dropped."""
    reassembler = Reassembler()
    result = reassembler.handle_fragment(IPv4(SRC, DST, 1, frag_offset=0x1FFF), bytes(100), 0)
    assert isinstance(result, Discarded) and "65,535" in result.reason


def test_more_fragments_with_a_length_not_a_multiple_of_8_is_trimmed_as_linux_does():
    """A first piece of 36 bytes with MF set keeps its 32 whole 8-byte units, and a last piece from offset 32
    completes the datagram: Linux 6.18 delivered it in namespaces (ip_frag_queue's end &= ~7); it was dropped
    and the datagram never completed."""
    header, payload = datagram(64)
    reassembler = Reassembler()
    assert reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, flags=MF), payload[:36], 0) == Held()
    whole = reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, frag_offset=4), payload[32:], 0)
    assert whole == Reassembled(IPv4(SRC, DST, 17, ident=1), payload)


@pytest.mark.parametrize("size", [0, 5])
def test_an_empty_fragment_drops_its_whole_datagram(size):
    """A piece left with no data (none, or fewer than 8 bytes with MF set) discards what was held, as Linux's
    'end == offset' does; the first piece's datagram then never completes."""
    header, payload = datagram(64)
    reassembler = Reassembler()
    assert reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, flags=MF), payload[:32], 0) == Held()
    flags = MF if size else 0
    empty = reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=1, flags=flags, frag_offset=4), bytes(size), 0)
    assert isinstance(empty, Discarded) and len(reassembler) == 0


def test_timeout_reports_fragment_zero_for_icmp_time_exceeded():
    """After 30 s an incomplete datagram is reported with fragment zero; without it, no quote."""
    header, payload = datagram(3000)
    first, middle, _last = fragment(header, payload, 1200)
    reassembler = Reassembler()
    reassembler.handle_fragment(*first, 5)
    reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=99, flags=MF, frag_offset=10), bytes(8), 7)
    assert reassembler.get_timer() == 5 + REASSEMBLY_TIMEOUT
    reassembler.handle_timer(4 + REASSEMBLY_TIMEOUT)
    assert reassembler.next_event() is None
    reassembler.handle_timer(7 + REASSEMBLY_TIMEOUT)
    timed_out = [reassembler.next_event(), reassembler.next_event()]
    assert timed_out[0] == ReassemblyTimedOut((int(SRC), int(DST), 17, 0x1234), first)
    assert timed_out[1] is not None and timed_out[1].first is None
    assert reassembler.get_timer() is None and len(reassembler) == 0
    assert reassembler.handle_fragment(*middle, 8) == Held()  # a late fragment starts a new wait


def test_memory_is_bounded_by_dropping_the_oldest_datagrams():
    """Past the byte budget the oldest incomplete datagrams are forgotten (Linux ipfrag_high_thresh)."""
    reassembler = Reassembler(max_pending_bytes=1000)
    for ident in range(10):
        reassembler.handle_fragment(IPv4(SRC, DST, 17, ident=ident, flags=MF), bytes(400), 0)
    assert len(reassembler) == 2


scapy_inet = pytest.importorskip("scapy.layers.inet", reason="scapy (test extra) is the independent oracle")


def test_scapy_reassembles_our_fragments_and_we_reassemble_scapys():
    """Independent oracle: scapy's defragment rebuilds our pieces; our Reassembler rebuilds scapy's fragment()."""
    header, payload = datagram(5000)
    ours = [scapy_inet.IP(h.build(p)) for h, p in fragment(header, payload, 1000)]
    [rebuilt] = scapy_inet.defragment(ours)
    assert bytes(rebuilt[scapy_inet.IP].payload) == payload
    theirs = scapy_inet.fragment(scapy_inet.IP(header.build(payload)), fragsize=600)
    pieces = [IPv4.parse(bytes(frag)) for frag in reversed(theirs)]
    assert reassemble(pieces).payload == payload
