"""`lanlab decode`: read a pcap or pcapng capture (or one frame in hex) the way tshark summarises it."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterator
from enum import IntEnum
from ipaddress import IPv4Address
from typing import Any, BinaryIO

import click

from lanlab.cli.common import fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, counted
from lanlab.wire import Dissection, MacAddress, MalformedError, WireError, dissect, wire_fields
from lanlab.wire.registry import byte_count
from lanlab.wire.fields import meaning_of
from lanlab.wire.pcap import LINKTYPE_ETHERNET, PcapReader
from lanlab.wire.pcapng import SHB, PcapngReader
from lanlab.text import one_line

HEX_DIGITS = {"checksum": 4, "ident": 4, "ethertype": 4, "rest": 8, "tos": 2, "flags": 1}  # fields people read in hex


LINKTYPE_LINUX_SLL = 113  # what tcpdump -i any writes


@dataclasses.dataclass(frozen=True, slots=True)
class Frame:
    """One captured frame and what its capture file says about it."""

    interface: str | None  # the capture point's name (pcapng)
    t_ns: int
    data: bytes  # as captured: FCS included, possibly cut short by the snaplen
    linktype: int = LINKTYPE_ETHERNET
    wire_length: int | None = None  # its length on the wire, when the file says
    fcs_length: int | None = None  # FCS bytes ending it, when the file says

    @property
    def length(self) -> int:
        """Its length on the wire (tshark's Length column): what the file says, else what was captured."""
        captured = len(self.data)
        return self.wire_length if self.wire_length is not None and self.wire_length > captured else captured

    def dissect(self) -> Dissection:
        """The frame decoded: Ethernet as deep as the codecs go (FCS left out), other link types named."""
        if self.linktype != LINKTYPE_ETHERNET:
            return not_ethernet(self.data, self.linktype)
        fcs = self.fcs_length or 0
        wire_length = None if self.wire_length is None else self.wire_length - fcs
        # pcapng may say whether frames end in an FCS; pcap does not, and then tshark guesses (guess_fcs)
        return dissect(self.data[: len(self.data) - fcs] if fcs else self.data, wire_length, self.fcs_length is None)


class _Prefixed:
    """A binary stream with bytes already read put back in front: a pipe cannot seek back over the magic."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix, self._rest = prefix, rest

    def read(self, size: int) -> bytes:
        head, self._prefix = self._prefix[:size], self._prefix[size:]
        return head + self._rest.read(size - len(head)) if size > len(head) else head


def read_capture(capture: BinaryIO) -> Iterator[Frame]:
    """The frames of a pcapng or pcap stream (told apart by the first bytes); works on pipes too."""
    magic = capture.read(4)
    stream: Any = _Prefixed(magic, capture)
    if magic == SHB.to_bytes(4, "little"):
        reader = PcapngReader(stream)
        for name, t_ns, frame in reader:
            linktype = reader.linktype if reader.linktype is not None else LINKTYPE_ETHERNET  # set with each frame
            yield Frame(name, t_ns, frame, linktype, reader.wire_length, reader.fcs_length)
    else:
        pcap = PcapReader(stream)
        for t_ns, frame in pcap:
            yield Frame(None, t_ns, frame, pcap.linktype, pcap.wire_length, pcap.fcs_length)


def not_ethernet(frame: bytes, linktype: int) -> Dissection:
    """What decode says of a frame from a capture that is not Ethernet (tcpdump -i any writes Linux cooked, 113)."""
    why = f"linktype {linktype} is not Ethernet (1)"
    if linktype == LINKTYPE_LINUX_SLL:
        why += "; capture on one interface, not 'any'"
    return Dissection([frame], f"LINKTYPE_{linktype}", f"[not decoded: {why}]", "", "", why)


def jsonable(value: Any) -> Any:
    """A field value as JSON holds it: addresses as text, bytes as hex, enums as numbers, headers as objects."""
    if isinstance(value, (MacAddress, IPv4Address)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, (tuple, list)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a part of a header: a TCP option, a route
        return {"type": type(value).__name__, **{name: jsonable(item) for name, item in wire_fields(value).items()}}
    return value


def layer_name(h: Any) -> str:
    """The header's protocol name as its layout declares it (class name otherwise)."""
    return getattr(h, "NAME", type(h).__name__)


def frame_document(number: int, seconds: float, frame: Frame, d: Dissection) -> dict:
    """One frame as the --json line shows it; `length` is on the wire (tshark's frame.len), `captured` in the file."""
    quoted = len(d.headers) if d.quoted is None else d.quoted
    return {
        "number": number,
        "time": round(seconds, 9),
        "interface": frame.interface,
        "length": frame.length,
        "captured": len(frame.data),
        "src": d.src,
        "dst": d.dst,
        "protocol": d.protocol,
        "info": d.info,
        "layers": [
            {"layer": layer_name(h), "fields": jsonable(wire_fields(h)), **({"quoted": True} if i >= quoted else {})}
            for i, h in enumerate(d.headers)
        ],
        "payload": d.payload.hex(),
        "padding": d.padding.hex(),
        "trailer": d.trailer.hex(),
        "fcs": d.fcs.hex(),
        "error": d.error,
        "cut_short": d.cut_short,
        "quoted": d.quote,
    }


def summary_line(number: int, seconds: float, frame: Frame, d: Dissection) -> str:
    """tshark's one-line summary: number, time, source → destination, protocol, length on the wire, info;
    then, for an ICMP error, the datagram it quotes."""
    where = f" [{frame.interface}]" if frame.interface is not None else ""
    quote = f" [quoted: {d.quote}]" if d.quote else ""
    return f"{number:5d} {seconds:10.6f}{where} {d.src} → {d.dst} {d.protocol} {frame.length} {d.info}{quote}"


def field_text(h: Any, name: str, value: Any) -> str:
    """A field's value as --verbose shows it: hex where people read hex, the value's name after it."""
    number = isinstance(value, int) and not isinstance(value, bool)
    digits = HEX_DIGITS.get(name)
    text = (f"0x{value:0{digits}x}" if digits else str(int(value))) if number else str(jsonable(value))
    meaning = meaning_of(h, name) if hasattr(type(h), "MEANINGS") else None
    return text + (f" ({meaning})" if meaning else "")


def verbose_lines(d: Dissection) -> Iterator[str]:
    """Every field of every layer, one per line, with the name of its value where the codec gives one;
    the layers of a quoted datagram indented under the ICMP error that quotes them, as tshark nests them."""
    for i, h in enumerate(d.headers):
        indent = "    " * (2 if d.quoted is not None and i >= d.quoted else 1)
        yield f"{indent}{layer_name(h)}" + (" (quoted)" if indent != "    " else "")
        for name, value in wire_fields(h).items():
            yield f"{indent}    {name}: {field_text(h, name, value)}"
        if i == 0:
            yield from _tail_lines(d)
    if d.payload:
        yield f"    Data: {_bytes_text(d.payload)}"
    if d.error:
        yield f"    [Malformed Packet: {d.error}]"
    if d.cut_short:
        yield f"    [Packet size limited during capture: {d.cut_short}]"


def _tail_lines(d: Dissection) -> Iterator[str]:
    """The frame's padding, trailer and guessed FCS, in its Ethernet layer, as tshark shows them there."""
    for name, part in (("padding", d.padding), ("trailer", d.trailer)):
        if part:
            yield f"        {name}: {_bytes_text(part)}"
    if d.fcs:
        yield f"        fcs: 0x{d.fcs.hex()} (unverified)"


def _bytes_text(data: bytes) -> str:
    """ "2 bytes: 4869": a count and the first 32 bytes in hex."""
    return f"{byte_count(len(data))}: {data[:32].hex()}{'...' if len(data) > 32 else ''}"


def _frames_from_hex(text: str) -> Iterator[Frame]:
    cleaned = re.sub(r"[\s:.-]|^0x", "", text)
    if not cleaned:
        fail(_("--hex is empty; give the frame as hex digits, e.g. ffffffffffff0200000000010806..."))
    if len(cleaned) % 2 and re.fullmatch(r"[0-9a-fA-F]+", cleaned):  # hex digits, one short of whole bytes
        fail(
            _("--hex has an odd number of hex digits ({count}); each byte is two, e.g. 0806 not 806").format(
                count=len(cleaned)
            )
        )
    try:
        yield Frame(None, 0, bytes.fromhex(cleaned))
    except ValueError:
        fail(_("--hex wants the frame as hex digits (spaces and colons allowed), e.g. ffffffffffff0200000000010806..."))


@click.command("decode", cls=Command)
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--hex", "hex_text", metavar="HEX", help="Decode one frame given as hex instead of a file.")
@click.option("-v", "--verbose", is_flag=True, help="Show every field of every layer.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per frame, with the layers and their fields.")
def decode_command(file: str | None, hex_text: str | None, verbose: bool, as_json: bool) -> None:
    """Decode a pcap or pcapng capture, one line per frame like tshark:
    number, time since the first frame, source → destination, protocol,
    length and a summary ("Who has 198.18.0.2? Tell 198.18.0.1").

    \b
    Examples:
      lanlab decode lan.pcap                 # one line per frame
      lanlab decode lan.pcapng --verbose     # every field of every layer
      lanlab decode lan.pcap --json | jq .info
      tcpdump -U -w - -i eth0 | lanlab decode -   # - reads standard input, frame by frame
      lanlab decode --hex ffffffffffff02000000000108060001080006040001...

    Exit status: 0 every frame was read; 2 when the capture cannot be read, is cut short or damaged
    (the frames before that are shown first) or --hex is not a frame.
    """
    if (file is None) == (hex_text is None):
        fail(_("give a capture FILE or --hex HEX (one of them), e.g. lanlab decode lan.pcap"))
    if hex_text is not None:
        _print_frames(_frames_from_hex(hex_text), verbose, as_json)
        return
    live = file == "-"
    try:
        capture = sys.stdin.buffer if live else open(file, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as error:
        fail(_("cannot read {file}: {reason}").format(file=file, reason=error.strerror or error))
    file = _("standard input") if live else file
    read = 0

    def counting() -> Iterator[Frame]:
        nonlocal read
        for frame in read_capture(capture):
            read += 1
            yield frame

    with capture:
        try:
            _print_frames(counting(), verbose, as_json)
        except WireError as error:
            if isinstance(error, MalformedError) and read:  # a damaged record, not the end of a cut file
                keep = (
                    ""
                    if live
                    else _("; keep them with: editcap -r {file} good.pcapng 1-{read}").format(file=file, read=read)
                )
                fail(
                    counted(
                        "{file} is damaged ({error}); the {count} frame before it is shown above{keep}",
                        "{file} is damaged ({error}); the {count} frames before it are shown above{keep}",
                        read,
                        file=file,
                        error=error,
                        keep=keep,
                    )
                )
            if read:  # like tshark: what was read is shown, then why the rest is not
                fail(
                    _("{file} appears to have been cut short after frame {read} ({error})").format(
                        file=file, read=read, error=error
                    )
                )
            fail(
                _(
                    "{file} is not a readable pcap or pcapng capture ({error}); write one with tcpdump -w or tshark -w"
                ).format(file=file, error=error)
            )


def _print_frames(frames: Iterator[Frame], verbose: bool, as_json: bool) -> None:
    """Print each frame as it is read (click.echo and print_json flush, so a piped capture shows as it happens)."""
    first = None
    for number, frame in enumerate(frames, 1):
        first = frame.t_ns if first is None else first
        seconds = (frame.t_ns - first) / 1e9
        d = frame.dissect()
        if as_json:
            print_json(frame_document(number, seconds, frame, d))
            continue
        # names and text inside a capture are the sender's: escaped, so none can move the cursor or
        # colour the terminal (a DNS label "\x1b[2J" clears the screen otherwise), as tshark shows them
        click.echo(one_line(summary_line(number, seconds, frame, d)))
        if verbose:
            for line in verbose_lines(d):
                click.echo(one_line(line))
