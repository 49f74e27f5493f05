"""Two build steps pyproject.toml cannot say: the message catalogues, and the optional compiled build.

Every build that is not editable (`pip install .`, `python -m build`, `make fast`) compiles
src/lanlab/locale/*/LC_MESSAGES/lanlab.po into the lanlab.mo beside it in the wheel, with Babel
(a build requirement), so an installed lanlab speaks Chinese without `make`. An editable install
(`make`) reads the package from src/, where `make` compiles them with pybabel.

LANLAB_COMPILE=1 compiles the simulator's hot path with mypyc.

Without the switch this adds nothing: every setting lives in pyproject.toml and lanlab installs
as pure Python, the default and the reference. With LANLAB_COMPILE=1 (`make fast`, or
`LANLAB_COMPILE=1 pip install '.[fast]'`) the modules below become C extensions of the same source; the
event lists and captures they produce are byte-identical (tests/sim/test_golden.py runs on both).
"""

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("src/lanlab/locale")

# The per-frame path (bench/sim_lan.py and bench/sim_rip.py profiles): the engine's loop, a frame's
# hop over a link, a switch's relay, a hub's medium, a host's IPv4/ARP/UDP path, a router's forwarding,
# and the tracer (one `is not None` test when off, every event when on).
HOT_PATH = [
    "src/lanlab/sim/core/engine.py",
    "src/lanlab/sim/core/typedheap.py",
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


class BuildWithCatalogues(build_py):
    """build_py, then each .po compiled to the .mo lanlab.i18n loads, in the wheel's tree."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the package is src/ itself: `make` compiles there
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(LOCALE.glob("*/LC_MESSAGES/lanlab.po")):
            target = Path(self.build_lib, "lanlab", po.relative_to("src/lanlab")).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, target.open("wb") as out:
                write_mo(out, read_po(source), use_fuzzy=False)


COMMANDS = {"build_py": BuildWithCatalogues}

if not COMPILE:
    setup(cmdclass=COMMANDS)
else:
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip's isolated build asking what it needs: it installs mypy, then runs this again
        setup(cmdclass=COMMANDS, setup_requires=["mypy>=2.4"])
    else:
        # Only the listed modules must type-check here: the ones they import stay interpreted.
        setup(cmdclass=COMMANDS, ext_modules=mypycify(["--follow-imports=silent", *HOT_PATH], opt_level="3"))
