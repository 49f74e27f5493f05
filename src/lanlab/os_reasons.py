"""Why an operating-system call on a file failed, in the user's language: the C library's words for the errnos
lanlab's commands meet when they read and write files, as glibc's catalogue says them in a Chinese locale (Python
never translates strerror); any other errno keeps Python's strerror. Socket errors have their own advice
(socket_errors). A leaf: it imports nothing of lanlab's layers."""

from __future__ import annotations

import errno

from lanlab.i18n import L_, N_

# errno -> glibc's English text, which os.strerror gives on Linux: English output stays what it was
REASONS: dict[int, str] = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EEXIST: N_("File exists"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EROFS: N_("Read-only file system"),
    errno.EPIPE: N_("Broken pipe"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EMFILE: N_("Too many open files"),
}


def reason_of(error: OSError) -> str:
    """Why `error` happened: an L_ text for an errno in REASONS (English as data, the user's language where it
    is shown, `localize`), else its strerror (or the error itself)."""
    template = REASONS.get(error.errno or 0)
    return L_(template) if template is not None else (error.strerror or str(error))
