"""The field-table mechanism: a header's wire layout is declared once, and its codec is generated from it.

A header is a frozen, slotted dataclass (the Python API: field names, types, defaults, in
constructor order) plus a `layout` (the wire format, in wire order), like dpkt's __hdr__
(udp.py is the shortest example; lanlab/wire/__init__.py shows it whole).

From the layout the decorator compiles one struct.Struct and generates, as specialised code:
  - `_unpack(data) -> tuple`: the non-constant wire values in layout order, converted
    (MacAddress, IPv4Address), bit fields split, constants checked; raises only WireError;
  - `_pack(*values) -> bytes`: the reverse (values out of range raise MalformedError);
  - the constructor (`__new__`, with the dataclass's signature; `__init__` is object's), filling an
    unfrozen twin rather than object.__setattr__ per field, coercing "02:00:.." / "198.18.0.1" text;
  - `_new(*fields)`: a constructor for parsers, all fields positional, no coercion;
  - `parse(data)` when every field is on the wire (or is the Extent's tail), and `build(payload)`
    when every field is plainly on the wire; with an Extent payload_end also `parse_cut(data, missing)`
    for a datagram whose last `missing` bytes were not captured (dissect.py). Classes with computed lengths or checksums write
    build (and, if the layout cannot say it, parse) over `_unpack`/`_pack`/`_new`.
A layout item whose name starts with "_" is a wire value that is not a dataclass field (IPv4's
header length): `_unpack` returns it and `_pack` takes it, and the class's own parse/build use it.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from enum import IntEnum, IntFlag
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, dataclass_transform

from lanlab.wire.addresses import (
    IPV4_PAIRS,
    IPV4S,
    MAC_PAIRS,
    WIRE_MACS,
    ipv4_from_int,
    ipv4_pair,
    mac_from_wire,
    mac_pair,
)
from lanlab.wire.errors import malformed, truncated
from lanlab.wire.mac import MacAddress

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Leaf:
    """One value inside a layout item: a field, a constant, or (width set) a bit field."""

    name: str
    decoded_as: str = (
        "int"  # "int": the struct value as is (bytes for an "Ns" code); "mac": MacAddress; "ipv4": IPv4Address
    )
    width: int | None = None  # bits, inside a bits() item
    const: int | None = None  # the only value the wire may hold
    meaning: type[IntEnum] | type[IntFlag] | None = None  # names for the values (EtherType, IpProto, ...), for people
    convert: Callable[[int], Any] | None = None  # what parse makes of the wire value (TcpFlags)


@dataclasses.dataclass(frozen=True)
class Item:
    """One struct code of the layout and the leaves it holds (one, or several bit fields)."""

    code: str
    leaves: tuple[Leaf, ...]

    @property
    def size(self) -> int:
        return struct.calcsize("!" + self.code)


def u8(name: str, meaning: type[IntEnum] | None = None) -> Item:
    """An unsigned byte; `meaning` names its values."""
    return Item("B", (Leaf(name, meaning=meaning),))


def u16(name: str, meaning: type[IntEnum] | None = None) -> Item:
    """An unsigned 16-bit big-endian integer; `meaning` names its values."""
    return Item("H", (Leaf(name, meaning=meaning),))


def u32(name: str, meaning: type[IntEnum] | None = None) -> Item:
    """An unsigned 32-bit big-endian integer; `meaning` names its values."""
    return Item("I", (Leaf(name, meaning=meaning),))


def mac(name: str) -> Item:
    """A 6-byte MAC address, a MacAddress in Python."""
    return Item("6s", (Leaf(name, "mac"),))


def ipv4(name: str) -> Item:
    """A 4-byte IPv4 address, an ipaddress.IPv4Address in Python."""
    return Item("I", (Leaf(name, "ipv4"),))


def const(item: Item, value: int) -> Item:
    """`item` must hold `value` on the wire (parse raises MalformedError otherwise); not a dataclass field."""
    (leaf,) = item.leaves
    return Item(item.code, (dataclasses.replace(leaf, const=value),))


def bits(code: str, *parts: tuple[str, int] | tuple[str, int, int] | Leaf) -> Item:
    """Bit fields packed into one integer of struct `code`, most significant first: ("name", width[, const]),
    or a Leaf(name, width=..., convert=...) for a field parse turns into something else (TcpFlags)."""
    leaves = tuple(
        p if isinstance(p, Leaf) else Leaf(p[0], width=p[1], const=p[2] if len(p) > 2 else None) for p in parts
    )
    if sum(leaf.width or 0 for leaf in leaves) != struct.calcsize("!" + code) * 8:
        raise TypeError(f"bits({code!r}): widths do not add up to the integer's size")
    return Item(code, leaves)


@dataclasses.dataclass(frozen=True)
class Extent:
    """Where a variable-length header ends and its payload stops, in terms of its wire values.

    header_length: (value, multiplier): the header is value * multiplier bytes (IPv4 ("_ihl", 4));
    payload_end: (value, base): the payload stops at byte base + value (IPv4 ("total_length", 0),
    UDP ("length", 0)), so link-layer padding is not payload; tail: the field that takes the bytes
    between the fixed part and header_length (IPv4 "options"), or what tail_parser(data, start, end)
    makes of them (TCP's option objects).
    """

    header_length: tuple[str, int] | None = None
    payload_end: tuple[str, int] | None = None
    tail: str | None = None
    tail_parser: Callable[[Any, int, int], Any] | None = None


if TYPE_CHECKING:

    class Header:
        """What `header` adds to a class, as type checkers see it. A header class names it as its base;
        at run time Header is `object` (the unfrozen twin needs a class deriving from object only)."""

        NAME: ClassVar[str]
        SIZE: ClassVar[int]  # bytes of the fixed part
        LAYOUT: ClassVar[tuple[Item, ...]]
        MEANINGS: ClassVar[dict[str, type[IntEnum] | type[IntFlag]]]

        @staticmethod
        def _unpack(data: bytes | memoryview) -> tuple[Any, ...]: ...

        @staticmethod
        def _pack(*values: Any) -> bytes: ...

        @classmethod
        def _new(cls, *fields: Any) -> Self: ...

        @classmethod
        def parse(cls, data: bytes | memoryview) -> tuple[Self, bytes]: ...

        @classmethod
        def parse_cut(cls, data: bytes | memoryview, missing: int) -> tuple[Self, bytes, int]: ...

        def build(self, payload: bytes = b"") -> bytes: ...
else:
    Header = object


@dataclass_transform(frozen_default=True)
def header(name: str, layout: tuple[Item, ...], extent: Extent = Extent()) -> Callable[[type[T]], type[T]]:
    """Make the decorated class a frozen slotted dataclass with a codec generated from `layout` and `extent`."""

    def decorate(cls: type[T]) -> type[T]:
        cls = dataclasses.dataclass(frozen=True, slots=True)(cls)
        _compile(cls, name, layout, extent)
        return cls

    return decorate


def wire_fields(h: Any) -> dict[str, Any]:
    """A header's fields and values, in declaration order (for --verbose and --json)."""
    return {f.name: getattr(h, f.name) for f in dataclasses.fields(h)}


def meaning_of(h: Any, field: str) -> str | None:
    """The name the layout gives `field`'s current value (ethertype 0x0806 -> "ARP"), if any."""
    enum = type(h).MEANINGS.get(field)
    if enum is None:
        return None
    try:
        name: str | None = enum(getattr(h, field)).name
        return name
    except ValueError:
        return None


def _compile(cls: Any, name: str, layout: tuple[Item, ...], extent: Extent) -> None:
    if extent.tail is not None and extent.header_length is None:
        raise TypeError(f"{cls.__name__}: a tail needs a header_length to end it")
    fields = dataclasses.fields(cls)
    field_names = [f.name for f in fields]
    leaves = [leaf for item in layout for leaf in item.leaves]
    values = [leaf for leaf in leaves if leaf.const is None]
    for leaf in values:
        if not leaf.name.startswith("_") and leaf.name not in field_names:
            raise TypeError(f"{cls.__name__}: layout names {leaf.name!r}, which is not a field")
    fixed = struct.Struct("!" + "".join(item.code for item in layout))
    reading = struct.Struct("!" + "".join(code for code, _ in _unpack_groups(layout)))  # same bytes, pairs merged
    env: dict[str, Any] = {  # the generated code's globals
        "cls": cls,
        "Unfrozen": unfrozen_twin(cls),
        "unpack_from": reading.unpack_from,
        "pack": fixed.pack,
        "SIZE": fixed.size,
        "NAME": name,
        "field_at": _field_at(layout),
        "tail_parser": extent.tail_parser,
        "struct_error": struct.error,
        "truncated": truncated,
        "malformed": malformed,
        "MacAddress": MacAddress,
        "IPv4Address": IPv4Address,
        # address memos: a dict hit inline, the function only on a miss
        "mac_get": WIRE_MACS.get,
        "mac_slow": mac_from_wire,
        "ip_get": IPV4S.get,
        "ip_slow": ipv4_from_int,
        "macs_get": MAC_PAIRS.get,
        "macs_slow": mac_pair,
        "ips_get": IPV4_PAIRS.get,
        "ips_slow": ipv4_pair,
    }
    for leaf in leaves:
        if leaf.convert is not None:
            env[f"convert_{leaf.name}"] = leaf.convert
    env.update(_defaults(cls))
    sources = [_unpack_source(layout, values), _pack_source(layout, values), _new_source(fields)]
    on_wire = [leaf.name for leaf in values if not leaf.name.startswith("_")]
    parsable = sorted(on_wire + ([extent.tail] if extent.tail else [])) == sorted(field_names)
    buildable = parsable and len(on_wire) == len(values) and extent == Extent()
    generated = ["_unpack", "_pack", "_new"]
    if parsable:
        sources.append(_parse_source(layout, extent))
        generated.append("parse")
        if extent.payload_end is not None:
            sources.append(_parse_source(layout, extent, cut=True))
            generated.append("parse_cut")
    if buildable:
        sources.append(_build_source(on_wire))
        generated.append("build")
    exec("\n".join(sources), env)  # noqa: S102 - code generated from the layout above
    for attr in generated:
        if attr not in cls.__dict__:
            function = env[attr]
            setattr(cls, attr, function if attr == "build" else staticmethod(function))
    _install_constructor(cls, {leaf.name: leaf.decoded_as for leaf in values})
    cls.NAME = name
    cls.SIZE = fixed.size
    cls.LAYOUT = layout
    cls.MEANINGS = {leaf.name: leaf.meaning for leaf in leaves if leaf.meaning is not None}


def unfrozen_twin(cls: type) -> type:
    """A plain class with the header's slot layout, for building instances fast.

    A frozen dataclass refuses `h.x = v`, so the obvious way to fill one is object.__setattr__ or
    the slot descriptor's __set__, about 55 ns a field. The twin accepts `h.x = v` (a specialised
    STORE_ATTR, about 10 ns); once every slot is filled, `h.__class__ = cls` (allowed: same slots,
    same base) makes it the frozen header. 11 fields: ~210 ns instead of ~600 ns.
    """
    if cls.__bases__ != (object,):
        raise TypeError(f"{cls.__name__}: a header class derives from object only (its twin must match its slots)")
    twin = type(f"Unfrozen{cls.__name__}", (), {"__slots__": cls.__dict__["__slots__"]})
    probe: Any = object.__new__(twin)
    probe.__class__ = cls  # fails here, at import, if the layouts ever differ
    return twin


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """A frozen slotted dataclass with a header's constructor (an unfrozen twin filled, then made the class):
    for the small immutable values a codec makes per packet (TCP options), at half a dataclass's cost."""
    made = dataclasses.dataclass(frozen=True, slots=True)(cls)
    if dataclasses.fields(made):  # type: ignore[arg-type]  # a dataclass now
        _install_constructor(made, {})
    else:  # nothing to fill: object's own __init__ (C) instead of the dataclass's empty Python one, half the cost
        made.__init__ = object.__init__  # type: ignore[method-assign]
    return made


def _defaults(cls: Any) -> dict[str, Any]:
    """default_<field> for each field with a default: the generated code's names for them."""
    defaults = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f"default_{f.name}"] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: use an immutable default, not a factory")
    return defaults


def _install_constructor(cls: Any, decodings: dict[str, str]) -> None:
    """Give the frozen dataclass `cls` the generated `__new__` (see _constructor_source) and `__reduce__`."""
    env = {"cls": cls, "Unfrozen": unfrozen_twin(cls), "MacAddress": MacAddress, "IPv4Address": IPv4Address}
    env.update(_defaults(cls))
    exec(_constructor_source(dataclasses.fields(cls), decodings), env)  # noqa: S102 - generated from the fields
    constructor = env["__new__"]  # named after the class, so a missing argument says "IPv4() missing ..."
    constructor.__qualname__ = cls.__name__
    cls.__new__ = constructor
    cls.__init__ = object.__init__
    cls.__reduce__ = env["__reduce__"]


def _field_at(layout: tuple[Item, ...]) -> Callable[[int], tuple[str, int]]:
    """For a buffer of `have` bytes: the first field it cuts short, and that field's offset."""
    spans = []
    offset = 0
    for item in layout:
        spans.append((item.leaves[0].name.lstrip("_"), offset, offset + item.size))
        offset += item.size

    def field_at(have: int) -> tuple[str, int]:
        for name, start, end in spans:
            if have < end:
                return name, start
        return spans[-1][0], spans[-1][1]

    return field_at


def _offsets(layout: tuple[Item, ...]) -> dict[str, int]:
    offsets, offset = {}, 0
    for item in layout:
        for leaf in item.leaves:
            offsets[leaf.name] = offset
        offset += item.size
    return offsets


_PAIR_CODES = {"mac": "12s", "ipv4": "Q"}


def _unpack_groups(layout: tuple[Item, ...]) -> list[tuple[str, tuple[Item, ...]]]:
    """The struct code to read each item with: two adjacent addresses of one type are read as one value
    (and decoded through a pair memo), every other item as itself."""
    groups: list[tuple[str, tuple[Item, ...]]] = []
    i = 0
    while i < len(layout):
        item = layout[i]
        leaf = item.leaves[0]
        if (
            leaf.decoded_as in _PAIR_CODES
            and leaf.const is None
            and i + 1 < len(layout)
            and layout[i + 1].leaves[0].decoded_as == leaf.decoded_as
            and layout[i + 1].leaves[0].const is None
        ):
            groups.append((_PAIR_CODES[leaf.decoded_as], (item, layout[i + 1])))
            i += 2
        else:
            groups.append((item.code, (item,)))
            i += 1
    return groups


def _decode_lines(layout: tuple[Item, ...], into_header: frozenset[str] = frozenset()) -> list[str]:
    """Check the length, unpack the fixed part, split bit fields, check constants: one v_<name> per value,
    except the names in `into_header`, stored straight into the instance being built (`h.<name> = ...`)."""
    groups = _unpack_groups(layout)
    lines = [  # a short buffer is the exception: let struct find it rather than test len() on every parse
        "    try:",
        f"        {', '.join(f'w{i}' for i in range(len(groups)))}, = unpack_from(data)",
        "    except struct_error:",
        "        field, offset = field_at(len(data))",
        "        raise truncated(NAME, field, offset, SIZE, len(data)) from None",
    ]
    if into_header:
        lines.append("    h = Unfrozen()")

    def target(leaf: Leaf) -> str:
        return f"h.{leaf.name}" if leaf.name in into_header else f"v_{leaf.name}"

    offset = 0
    for i, (_, items) in enumerate(groups):
        if len(items) == 2:
            pair = {"mac": "macs", "ipv4": "ips"}[items[0].leaves[0].decoded_as]
            first, second = (target(item.leaves[0]) for item in items)
            lines.append(f"    {first}, {second} = {pair}_get(w{i}) or {pair}_slow(w{i})")
            offset += sum(item.size for item in items)
            continue
        item = items[0]
        if item.leaves[0].width is None:
            leaf = item.leaves[0]
            expr = {
                "int": f"w{i}",
                "mac": f"(mac_get(w{i}) or mac_slow(w{i}))",
                "ipv4": f"(ip_get(w{i}) or ip_slow(w{i}))",
            }
            if leaf.const is not None:
                lines += [
                    f"    if w{i} != {leaf.const}:",
                    f"        raise malformed(NAME, {leaf.name!r}, {offset}, f'must be {leaf.const}, is {{w{i}}}')",
                ]
            else:
                lines.append(f"    {target(leaf)} = {expr[leaf.decoded_as]}")
        else:
            shift = item.size * 8
            for leaf in item.leaves:
                assert leaf.width is not None
                shift -= leaf.width
                value = f"(w{i} >> {shift}) & {(1 << leaf.width) - 1}" if shift else f"w{i} & {(1 << leaf.width) - 1}"
                if leaf.const is not None:
                    lines += [
                        f"    if {value} != {leaf.const}:",
                        f"        raise malformed(NAME, {leaf.name!r}, {offset}, 'must be {leaf.const}')",
                    ]
                else:
                    converted = f"convert_{leaf.name}({value})" if leaf.convert is not None else value
                    lines.append(f"    {target(leaf)} = {converted}")
        offset += item.size
    return lines


def _unpack_source(layout: tuple[Item, ...], values: list[Leaf]) -> str:
    lines = [
        "def _unpack(data):",
        *_decode_lines(layout),
        f"    return ({''.join(f'v_{leaf.name}, ' for leaf in values)})",
    ]
    return "\n".join(lines) + "\n"


def _pack_source(layout: tuple[Item, ...], values: list[Leaf]) -> str:
    lines = [f"def _pack({', '.join(leaf.name for leaf in values)}):", "    try:"]
    words = []
    for item in layout:
        if item.leaves[0].width is None:
            leaf = item.leaves[0]
            words.append(
                str(leaf.const)
                if leaf.const is not None
                else f"{leaf.name}._ip"
                if leaf.decoded_as == "ipv4"
                else leaf.name
            )
        else:
            parts, shift = [], item.size * 8
            for leaf in item.leaves:
                assert leaf.width is not None
                shift -= leaf.width
                if leaf.const is not None:
                    parts.append(str(leaf.const << shift))
                    continue
                lines += [
                    f"        if {leaf.name} >> {leaf.width}:",
                    f"            raise malformed(NAME, {leaf.name.lstrip('_')!r}, 0, "
                    f"f'{{{leaf.name}}} does not fit in {leaf.width} bits')",
                ]
                parts.append(f"({leaf.name} << {shift})")
            words.append(" | ".join(parts))
    lines += [
        f"        return pack({', '.join(words)})",
        "    except (struct_error, AttributeError, TypeError) as error:",
        "        raise malformed(NAME, '?', 0, f'cannot build: {error}') from None",
    ]
    return "\n".join(lines) + "\n"


def _constructor_source(fields: tuple[dataclasses.Field[Any], ...], decodings: dict[str, str]) -> str:
    """`__new__` with the dataclass's signature, filling the unfrozen twin; `__init__` is left to object's.

    The dataclass's own `__init__` would set each field through object.__setattr__ on the frozen
    instance; making the instance in `__new__` lets the twin's plain slot stores do it instead.
    `__reduce__` keeps copy and pickle working (they would otherwise call `__new__` with no arguments).
    """
    params = [f.name if f.default is dataclasses.MISSING else f"{f.name}=default_{f.name}" for f in fields]
    lines = [f"def __new__(cls_, {', '.join(params)}):", "    h = Unfrozen()"]
    for f in fields:
        if decodings.get(f.name) == "mac":
            lines.append(f"    if {f.name}.__class__ is not MacAddress: {f.name} = MacAddress({f.name})")
        elif decodings.get(f.name) == "ipv4":
            lines.append(f"    if {f.name}.__class__ is not IPv4Address: {f.name} = IPv4Address({f.name})")
        lines.append(f"    h.{f.name} = {f.name}")
    lines += [
        "    h.__class__ = cls",
        "    return h",
        "",
        "def __reduce__(self):",
        f"    return cls, ({''.join(f'self.{f.name}, ' for f in fields)})",
    ]
    return "\n".join(lines) + "\n"


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor (every field, in order, no defaults, no coercion) for any frozen slotted
    dataclass, through its unfrozen twin: for parsers making many small objects (TCP options)."""
    env = {"Unfrozen": unfrozen_twin(cls), "cls": cls}
    exec(_new_source(dataclasses.fields(cls)), env)  # type: ignore[arg-type]  # a dataclass: the caller's word  # noqa: S102 - generated from the dataclass's fields
    return env["_new"]


def _new_source(fields: tuple[dataclasses.Field[Any], ...]) -> str:
    names = [f.name for f in fields]
    body = "".join(f"    h.{n} = {n}\n" for n in names)
    return f"def _new({', '.join(names)}):\n    h = Unfrozen()\n{body}    h.__class__ = cls\n    return h\n"


def _parse_source(layout: tuple[Item, ...], extent: Extent, cut: bool = False) -> str:
    """`parse(data)`, or with cut `parse_cut(data, missing)` for a frame whose last `missing` bytes a capture's
    snaplen cut off: a declared length that runs into them is not an error, and it returns
    (h, the payload there is, how many bytes of the payload are missing)."""
    offsets = _offsets(layout)
    # values the extent computes with stay locals (and are copied into h below); the rest go straight in
    locals_ = {value for value, _ in filter(None, (extent.header_length, extent.payload_end))}
    direct = frozenset(
        leaf.name
        for item in layout
        for leaf in item.leaves
        if leaf.const is None and not leaf.name.startswith("_") and leaf.name not in locals_
    )
    lines = ["def parse_cut(data, missing):" if cut else "def parse(data):", *_decode_lines(layout, direct)]
    start = "SIZE"
    if extent.header_length is not None:
        value, multiplier = extent.header_length
        public = value.lstrip("_")
        lines += [
            f"    hl = v_{value} * {multiplier}",
            "    if hl < SIZE:",
            f"        raise malformed(NAME, {public!r}, {offsets[value]}, "
            "f'header length {hl} is less than {SIZE}')",
        ]
        start = "hl"
    if extent.payload_end is not None:
        value, base = extent.payload_end
        lines += [
            f"    end = v_{value} + {base}" if base else f"    end = v_{value}",
            f"    if end < {start}:",
            f"        raise malformed(NAME, {value!r}, {offsets[value]}, "
            f"f'{{v_{value}}} is less than the header length {{{start}}}')",
            "    if len(data) + missing < end:" if cut else "    if len(data) < end:",
            f"        raise truncated(NAME, 'payload', {start}, end, len(data))",
        ]
        rest = f"data[{start}:end]"
    else:
        if start != "SIZE":
            lines += [
                "    if len(data) < hl:",
                f"        raise truncated(NAME, {extent.tail or 'header'!r}, SIZE, hl, len(data))",
            ]
        rest = f"data[{start}:]"
    for name in sorted(locals_):
        if not name.startswith("_"):
            lines.append(f"    h.{name} = v_{name}")
    if extent.tail is not None:
        parsed = "tail_parser(data, SIZE, hl)" if extent.tail_parser else "bytes(data[SIZE:hl])"
        tail = f"{parsed} if hl > SIZE else default_{extent.tail}"
        lines.append(f"    h.{extent.tail} = {tail}")
    lines += [
        "    h.__class__ = cls",
        f"    return h, {rest}, (end - len(data) if end > len(data) else 0)" if cut else f"    return h, {rest}",
    ]
    return "\n".join(lines) + "\n"


def _build_source(order: list[str]) -> str:
    return f"def build(self, payload=b''):\n    return _pack({', '.join('self.' + n for n in order)}) + payload\n"
