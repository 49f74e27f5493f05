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
from lanlab.wire import Dissection, MacAddress, WireError, dissect, wire_fields
from lanlab.wire.fields import meaning_of
from lanlab.wire.pcap import LINKTYPE_ETHERNET, PcapReader
from lanlab.wire.pcapng import SHB, PcapngReader

HEX_DIGITS = {"checksum": 4, "ident": 4, "ethertype": 4, "rest": 8, "tos": 2, "flags": 1}  # fields people read in hex


Frame = tuple[str | None, int, bytes, int]  # interface name (pcapng), t_ns, bytes, linktype


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
            yield name, t_ns, frame, reader.linktype  # type: ignore[misc]
    else:
        pcap = PcapReader(stream)
        for t_ns, frame in pcap:
            yield None, t_ns, frame, pcap.linktype


def not_ethernet(frame: bytes, linktype: int) -> Dissection:
    """What decode says of a frame from a capture that is not Ethernet (tcpdump -i any writes Linux cooked, 113)."""
    why = f"linktype {linktype} is not Ethernet (1); capture on one interface, not 'any'"
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


def frame_document(number: int, seconds: float, interface: str | None, frame: bytes, d: Dissection) -> dict:
    """One frame as the --json line shows it."""
    return {
        "number": number, "time": round(seconds, 9), "interface": interface, "length": len(frame),
        "src": d.src, "dst": d.dst, "protocol": d.protocol, "info": d.info,
        "layers": [{"layer": layer_name(h), "fields": jsonable(wire_fields(h))} for h in d.headers],
        "payload": d.payload.hex(), "error": d.error,
    }


def summary_line(number: int, seconds: float, interface: str | None, frame: bytes, d: Dissection) -> str:
    """tshark's one-line summary: number, time, source → destination, protocol, length, info."""
    where = f" [{interface}]" if interface is not None else ""
    return f"{number:5d} {seconds:10.6f}{where} {d.src} → {d.dst} {d.protocol} {len(frame)} {d.info}"


def field_text(h: Any, name: str, value: Any) -> str:
    """A field's value as --verbose shows it: hex where people read hex, the value's name after it."""
    number = isinstance(value, int) and not isinstance(value, bool)
    digits = HEX_DIGITS.get(name)
    text = (f"0x{value:0{digits}x}" if digits else str(int(value))) if number else str(jsonable(value))
    meaning = meaning_of(h, name) if hasattr(type(h), "MEANINGS") else None
    return text + (f" ({meaning})" if meaning else "")


def verbose_lines(d: Dissection) -> Iterator[str]:
    """Every field of every layer, one per line, with the name of its value where the codec gives one."""
    for h in d.headers:
        yield f"    {layer_name(h)}"
        for name, value in wire_fields(h).items():
            yield f"        {name}: {field_text(h, name, value)}"
    if d.payload:
        yield f"    Data: {len(d.payload)} bytes: {d.payload[:32].hex()}{'...' if len(d.payload) > 32 else ''}"
    if d.error:
        yield f"    [Malformed Packet: {d.error}]"


def _frames_from_hex(text: str) -> Iterator[Frame]:
    cleaned = re.sub(r"[\s:.-]|^0x", "", text)
    if not cleaned:
        fail("--hex is empty; give the frame as hex digits, e.g. ffffffffffff0200000000010806...")
    try:
        yield None, 0, bytes.fromhex(cleaned), LINKTYPE_ETHERNET
    except ValueError:
        fail("--hex wants the frame as hex digits (spaces and colons allowed), e.g. ffffffffffff0200000000010806...")


@click.command("decode")
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
    """
    if (file is None) == (hex_text is None):
        fail("give a capture FILE or --hex HEX (one of them), e.g. lanlab decode lan.pcap")
    if hex_text is not None:
        _print_frames(_frames_from_hex(hex_text), verbose, as_json)
        return
    live = file == "-"
    try:
        capture = sys.stdin.buffer if live else open(file, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    file = "standard input" if live else file
    read = 0

    def counted() -> Iterator[Frame]:
        nonlocal read
        for frame in read_capture(capture):
            read += 1
            yield frame

    with capture:
        try:
            _print_frames(counted(), verbose, as_json)
        except WireError as error:
            if read:  # like tshark: what was read is shown, then why the rest is not
                fail(f"{file} appears to have been cut short after frame {read} ({error})")
            fail(f"{file} is not a readable pcap or pcapng capture ({error}); write one with tcpdump -w or tshark -w")


def _print_frames(frames: Iterator[Frame], verbose: bool, as_json: bool) -> None:
    """Print each frame as it is read (click.echo and print_json flush, so a piped capture shows as it happens)."""
    first = None
    for number, (interface, t_ns, frame, linktype) in enumerate(frames, 1):
        first = t_ns if first is None else first
        seconds = (t_ns - first) / 1e9
        d = dissect(frame) if linktype == LINKTYPE_ETHERNET else not_ethernet(frame, linktype)
        if as_json:
            print_json(frame_document(number, seconds, interface, frame, d))
            continue
        click.echo(summary_line(number, seconds, interface, frame, d))
        if verbose:
            for line in verbose_lines(d):
                click.echo(line)
