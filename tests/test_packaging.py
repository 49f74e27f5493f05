"""setup.py's build: a wheel built outside `make` (pip install ., python -m build) carries the
compiled message catalogues, made from the .po sources the sdist carries."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What `python -m build` does, without its isolated environment (the test runs offline): an sdist
# from the tree, then a wheel from the unpacked sdist.
BUILD = """
import os, sys, tarfile
import setuptools.build_meta as backend
tree, out = sys.argv[1:]
os.chdir(tree)
sdist = backend.build_sdist(out)
with tarfile.open(os.path.join(out, sdist)) as archive:
    archive.extractall(out, filter="data")
os.chdir(os.path.join(out, sdist.removesuffix(".tar.gz")))
print(sdist, backend.build_wheel(out))
"""


def source_tree(into: Path) -> Path:
    """The files git would commit (tracked and new, not ignored: no .mo, no build/), copied."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def test_a_wheel_built_without_make_ships_the_compiled_catalogue(tmp_path):
    """sdist then wheel from a clean tree: the sdist has the .po, the wheel the .mo (not the .po),
    and that .mo translates lanlab's texts into Chinese."""
    tree = source_tree(tmp_path / "tree")
    assert not list(tree.rglob("*.mo"))
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(tree), str(out)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sdist, wheel = result.stdout.split()[-2:]
    with tarfile.open(out / sdist) as archive:
        assert any(name.endswith("locale/zh_CN/LC_MESSAGES/lanlab.po") for name in archive.getnames())
    with zipfile.ZipFile(out / wheel) as archive:
        names = archive.namelist()
        assert [name for name in names if "/locale/" in name] == ["lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"]
        catalogue = gettext.GNUTranslations(io.BytesIO(archive.read("lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo")))
    assert catalogue.gettext("Usage:") == "用法："
    assert catalogue.gettext("lanlab: interrupted") != "lanlab: interrupted"
