"""IPv4 fragmentation and reassembly (RFC 791 2.3, 3.2; RFC 1122 3.3.2; RFC 1191), sans-IO.

`fragment(header, payload, mtu)` splits a datagram into pieces that fit a link's MTU
(offsets in 8-byte units, MF on every piece but the last, only "copied" options after the
first). A datagram with DF set that does not fit raises `FragmentationNeeded` carrying the
next-hop MTU, which the caller answers with ICMP "fragmentation needed" (RFC 1191 4).

`Reassembler` collects fragments per (source, destination, protocol, identification) and
hands back the whole datagram once every byte has arrived, in any order. Like Linux
(net/ipv4/ip_fragment.c) it trims a piece with MF set to whole 8-byte units, drops the whole
datagram for an empty piece, ignores an exact duplicate and drops the whole datagram when two
fragments overlap otherwise (RFC 5722 4 as amended by erratum 3089, applied to IPv4 since
the "FragmentSmack" fixes), starts a 30 s timer with the first fragment, and when that timer
expires reports it so the host can send ICMP time exceeded, code 1 — only when fragment zero
had arrived, since the error quotes it (RFC 1122 3.3.2, RFC 792).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Final

from lanlab.units import SECOND
from lanlab.wire.ipv4 import DF, MF, MIN_HEADER, IPv4

REASSEMBLY_TIMEOUT: Final = 30 * SECOND  # Linux net.ipv4.ipfrag_time
MIN_MTU: Final = 68  # RFC 791 3.2: every module forwards a 68-byte datagram unfragmented
MAX_DATAGRAM: Final = 0xFFFF  # total length is 16 bits: a bigger reassembly is an attack ("ping of death")
MAX_PENDING_BYTES: Final = 4 * 1024 * 1024  # Linux net.ipv4.ipfrag_high_thresh
# IP_MTU_DISCOVER's values (ip(7), linux/in.h): whether a datagram leaves with DF set, and which MTU it is cut
# to (Linux's __ip_make_skb and ip_sk_use_pmtu). An ICMP message the kernel makes itself leaves as DONT.
PMTUDISC_DONT: Final = 0  # never DF; fragments at the path MTU
PMTUDISC_WANT: Final = 1  # DF when it fits the path MTU, else fragments without DF (Linux's default)
PMTUDISC_DO: Final = 2  # DF; the socket refuses more than the path MTU (EMSGSIZE)
PMTUDISC_PROBE: Final = 3  # DF; up to the interface's MTU, the path's ignored
PMTUDISC_INTERFACE: Final = 4  # never DF; the interface's MTU
PMTUDISC_OMIT: Final = 5  # never DF; the interface's MTU
# ping -M's words (iputils 20221126 takes these three; it refuses "probe")
PING_PMTU_WORDS: Final = {"do": PMTUDISC_DO, "dont": PMTUDISC_DONT, "want": PMTUDISC_WANT}
_COPIED: Final = 0x80  # option type bit: copy this option into every fragment (RFC 791 3.1)
_EOL: Final = 0
_NOP: Final = 1


class FragmentationNeeded(Exception):
    """A DF datagram larger than the MTU: answer with ICMP type 3 code 4 carrying `mtu` (RFC 1191 4)."""

    def __init__(self, mtu: int) -> None:
        super().__init__(f"fragmentation needed and DF set (next-hop MTU {mtu})")
        self.mtu = mtu


def is_fragment(header: IPv4) -> bool:
    """Whether `header` is one piece of a larger datagram (MF set or a non-zero offset)."""
    return bool(header.frag_offset or header.flags & MF)


def copied_options(options: bytes) -> bytes:
    """The options a non-first fragment repeats: those with the copied bit, padded to 4 bytes."""
    kept = bytearray()
    at = 0
    while at < len(options):
        kind = options[at]
        if kind == _EOL:
            break
        if kind == _NOP:
            at += 1
            continue
        if at + 1 >= len(options) or options[at + 1] < 2:
            break  # a malformed option: keep what was whole before it
        length = options[at + 1]
        if kind & _COPIED:
            kept += options[at : at + length]
        at += length
    return bytes(kept) + bytes(-len(kept) % 4)


def fragment(header: IPv4, payload: bytes, mtu: int) -> list[tuple[IPv4, bytes]]:
    """`header` + `payload` as datagrams of at most `mtu` bytes each (one piece when it fits).

    A fragment may be fragmented again: offsets continue from the header's own, and the last
    piece keeps the header's MF (RFC 791 3.2, "fragmenting a fragment").
    """
    if mtu < MIN_MTU:
        raise ValueError(f"an MTU of {mtu} is below IPv4's minimum of {MIN_MTU}")
    if header.header_length + len(payload) <= mtu:
        return [(header, payload)]
    if header.flags & DF:
        raise FragmentationNeeded(mtu)
    later_options = copied_options(header.options)
    pieces: list[tuple[IPv4, bytes]] = []
    start = 0
    options = header.options
    while start < len(payload):
        room = (mtu - MIN_HEADER - len(options)) & ~7  # every piece but the last carries 8-byte units
        end = min(start + room, len(payload))
        last = end == len(payload)
        flags = header.flags if last else header.flags | MF
        piece = replace(
            header,
            flags=flags,
            frag_offset=header.frag_offset + start // 8,
            options=options,
            total_length=None,
            checksum=None,
        )
        pieces.append((piece, payload[start:end]))
        start = end
        options = later_options
    return pieces


@dataclass(frozen=True, slots=True)
class Held:
    """The fragment was kept (or was an exact duplicate); the datagram is not whole yet."""

    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Reassembled:
    """Every fragment arrived: the whole datagram (header with MF clear, offset 0) and its payload."""

    header: IPv4
    payload: bytes


@dataclass(frozen=True, slots=True)
class Discarded:
    """The fragment, and with an overlap or an oversize datagram every fragment held with it, was dropped."""

    reason: str


@dataclass(frozen=True, slots=True)
class ReassemblyTimedOut:
    """A datagram's timer ran out before it was whole (RFC 791 3.2).

    `first` is fragment zero (header, data) when it had arrived: the ICMP time exceeded,
    code 1 quotes it (RFC 1122 3.3.2: no error without it)."""

    key: tuple[int, int, int, int]
    first: tuple[IPv4, bytes] | None


FragmentResult = Held | Reassembled | Discarded


class _Pending:
    """One datagram being reassembled: byte ranges held, total length once the last piece came."""

    __slots__ = ("starts", "pieces", "first", "total", "held", "deadline")

    def __init__(self, deadline: int) -> None:
        self.starts: list[int] = []  # byte offsets held, sorted
        self.pieces: dict[int, bytes] = {}  # byte offset -> data
        self.first: IPv4 | None = None
        self.total: int | None = None
        self.held = 0
        self.deadline = deadline


class Reassembler:
    """A host's IPv4 reassembly queues (RFC 791 3.2), keyed by (src, dst, protocol, ident)."""

    __slots__ = ("timeout", "max_pending_bytes", "_pending", "_pending_bytes", "_events")

    def __init__(self, timeout: int = REASSEMBLY_TIMEOUT, max_pending_bytes: int = MAX_PENDING_BYTES) -> None:
        self.timeout = timeout
        self.max_pending_bytes = max_pending_bytes
        self._pending: dict[tuple[int, int, int, int], _Pending] = {}  # insertion order is deadline order
        self._pending_bytes = 0
        self._events: list[ReassemblyTimedOut] = []

    def __len__(self) -> int:
        """Datagrams waiting for more fragments."""
        return len(self._pending)

    def handle_fragment(self, header: IPv4, payload: bytes, now: int) -> FragmentResult:
        """Take one fragment; the whole datagram comes back once its last missing byte arrived."""
        start = header.frag_offset * 8
        more = bool(header.flags & MF)
        if more and len(payload) & 7:
            # RFC 791 wants 8-byte units before the last piece; Linux keeps those of a piece that has a tail
            # (ip_frag_queue: end &= ~7), so the datagram still completes when the next piece starts there
            payload = payload[: len(payload) & ~7]
        end = start + len(payload)
        if end == start:
            return self._drop(header, "an empty fragment (Linux drops its datagram)")
        if header.header_length + end > MAX_DATAGRAM:
            return self._drop(header, "reassembled datagram would exceed 65,535 bytes")
        key = (int(header.src), int(header.dst), header.proto, header.ident)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(now + self.timeout)
        starts = pending.starts
        if not more:
            if pending.total is not None and pending.total != end:
                return self._drop(header, "two last fragments disagree on the datagram's length")
            if starts and starts[-1] + len(pending.pieces[starts[-1]]) > end:
                return self._drop(header, "a fragment lies beyond the datagram's end")
            pending.total = end
        if pending.total is not None and end > pending.total:
            return self._drop(header, "a fragment lies beyond the datagram's end")
        at = bisect_left(starts, start)
        # Only the held pieces on either side of the insertion point can overlap this one.
        for neighbour in starts[max(at - 1, 0) : at + 1]:
            neighbour_end = neighbour + len(pending.pieces[neighbour])
            if start < neighbour_end and neighbour < end:
                if (neighbour, neighbour_end) == (start, end):
                    return Held(duplicate=True)
                return self._drop(header, "overlapping fragments (RFC 5722)")
        starts.insert(at, start)
        pending.pieces[start] = payload
        pending.held += len(payload)
        self._pending_bytes += len(payload)
        if start == 0:
            pending.first = header
        if pending.total is not None and pending.held == pending.total:
            return self._complete(key, pending)
        self._evict_over_budget()
        return Held()

    def get_timer(self) -> int | None:
        """The earliest reassembly deadline, or None when nothing is waiting."""
        for pending in self._pending.values():
            return pending.deadline
        return None

    def handle_timer(self, now: int) -> None:
        """Give up on every datagram whose deadline has passed; each becomes a `ReassemblyTimedOut`."""
        while self._pending:
            key, pending = next(iter(self._pending.items()))
            if pending.deadline > now:
                break
            self._forget(key)
            first = None if pending.first is None else (pending.first, pending.pieces[0])
            self._events.append(ReassemblyTimedOut(key, first))

    def next_event(self) -> ReassemblyTimedOut | None:
        """The next timed-out datagram to report, or None."""
        return self._events.pop(0) if self._events else None

    def _complete(self, key: tuple[int, int, int, int], pending: _Pending) -> Reassembled:
        self._forget(key)
        assert pending.first is not None  # held == total with no overlap: offset 0 is covered
        payload = b"".join(pending.pieces[offset] for offset in pending.starts)
        header = replace(
            pending.first, flags=pending.first.flags & ~MF, frag_offset=0, total_length=None, checksum=None
        )
        return Reassembled(header, payload)

    def _drop(self, header: IPv4, reason: str) -> Discarded:
        self._forget((int(header.src), int(header.dst), header.proto, header.ident))
        return Discarded(reason)

    def _forget(self, key: tuple[int, int, int, int]) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            self._pending_bytes -= pending.held

    def _evict_over_budget(self) -> None:
        # Linux drops the oldest queues past ipfrag_high_thresh, silently: memory is bounded.
        while self._pending_bytes > self.max_pending_bytes and len(self._pending) > 1:
            self._forget(next(iter(self._pending)))
