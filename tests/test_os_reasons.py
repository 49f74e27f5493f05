"""Why a file could not be read or written reads in the user's language, in the C library's own words."""

import errno
import os
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.i18n import localize, speaking
from lanlab.os_reasons import REASONS, reason_of

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_english_reasons_are_what_strerror_says_on_linux():
    """Each known errno's English text is the C library's, so English output reads as before."""
    for code, text in REASONS.items():
        assert text == os.strerror(code)
    assert reason_of(OSError(errno.EIO, os.strerror(errno.EIO))) == os.strerror(errno.EIO)  # unknown: as it was


def test_chinese_reasons_are_glibcs():
    """Under --lang zh a missing file is glibc's 没有那个文件或目录, not English inside a Chinese line."""
    with speaking("zh"):
        assert localize(reason_of(FileNotFoundError(errno.ENOENT, "No such file or directory"))) == "没有那个文件或目录"
        assert localize(reason_of(IsADirectoryError(errno.EISDIR, "Is a directory"))) == "是一个目录"


def test_a_pcap_that_cannot_be_written_says_why_in_chinese(tmp_path):
    """`sim run --pcap` into a missing folder: the whole line is Chinese under --lang zh, exit 2."""
    result = CliRunner().invoke(
        cli,
        [
            "--lang",
            "zh",
            "sim",
            "run",
            str(EXAMPLES / "broadcast.yaml"),
            "--until",
            "1s",
            "--pcap",
            str(tmp_path / "no" / "x.pcapng"),
        ],
    )
    assert result.exit_code == 2
    assert "没有那个文件或目录" in result.output and "No such file" not in result.output
