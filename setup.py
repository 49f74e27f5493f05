"""The optional compiled build: LANLAB_COMPILE=1 compiles the simulator's hot path with mypyc.

Without the switch this adds nothing: every setting lives in pyproject.toml and lanlab installs
as pure Python, the default and the reference. With LANLAB_COMPILE=1 (`make fast`, or
`LANLAB_COMPILE=1 pip install .`) the modules below become C extensions of the same source; the
event lists and captures they produce are byte-identical (tests/sim/test_golden.py runs on both).
"""

import os

from setuptools import setup

# The per-frame path (bench/sim_lan.py and bench/sim_rip.py profiles): the engine's loop, a frame's
# hop over a link, a switch's relay, a hub's medium, a host's IPv4/ARP/UDP path, a router's forwarding,
# and the tracer (one `is not None` test when off, every event when on).
HOT_PATH = [
    "src/lanlab/sim/core/engine.py",
    "src/lanlab/sim/core/frame.py",
    "src/lanlab/sim/core/link.py",
    "src/lanlab/sim/core/trace.py",
    "src/lanlab/sim/devices/storm.py",
    "src/lanlab/sim/devices/switch.py",
    "src/lanlab/sim/devices/hub.py",
    "src/lanlab/sim/devices/host.py",
    "src/lanlab/sim/devices/router.py",
]

COMPILE = os.environ.get("LANLAB_COMPILE", "") not in ("", "0")

if not COMPILE:
    setup()
else:
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip's isolated build asking what it needs: it installs mypy, then runs this again
        setup(setup_requires=["mypy>=1.11"])
    else:
        # Only the listed modules must type-check here: the ones they import stay interpreted.
        setup(ext_modules=mypycify(["--follow-imports=silent", *HOT_PATH], opt_level="3"))
