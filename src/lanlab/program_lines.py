"""How a program or a --do command on a node ended, in one line, and how a command's words are
shown: one wording for the simulator's `sim run` and the kernel lab's `real run` (both import this
leaf, which imports only i18n)."""

from __future__ import annotations

import shlex

from lanlab.i18n import L_, N_


def ending_line(node: str, path: str, exit: int | None, error: str | None, started: bool) -> str:
    """`NODE PATH: exit N[: error]`, or why it has no exit status yet (an L_ text: English, shown
    in the user's language where it is printed)."""
    if exit is None and started:
        return L_("{node} {path}: still running when the run ended", node=node, path=path)
    if exit is None:
        return L_("{node} {path}: not started", node=node, path=path)
    if error:
        return L_("{node} {path}: exit {exit}: {error}", node=node, path=path, exit=exit, error=error)
    return L_("{node} {path}: exit {exit}", node=node, path=path, exit=exit)


def cut_short_line(until: str) -> str:
    """Said under a --do command's output when the run ended (at `until`) while it was still at work."""
    return L_("(cut short: the run ended at {until} while the command was still running)", until=until)


BUSY_LOOP = "without waiting (a busy loop?)"  # the simulator's error for a program past its CPU limit


def busy_error(path: str, seconds: float, where: str) -> str:
    """The simulator's error for a program stopped after `seconds` of CPU without waiting (its
    English text holds BUSY_LOOP, which real compare looks for)."""
    shown = f"{seconds:g}"
    return L_("{path} ran {seconds} s without waiting (a busy loop?){where}", path=path, seconds=shown, where=where)


def words_text(words: list[str]) -> str:
    """A --do command's words as shown (heading, --json "command"): each as typed, quoted only where
    shlex would not read it back as one word ("'pc 1'", an empty word), so the text given to --do
    again means the same and `[red]` stays `[red]`."""
    return " ".join(word if _reads_back(word) else shlex.quote(word) for word in words)


def _reads_back(word: str) -> bool:
    try:
        return shlex.split(word) == [word]
    except ValueError:  # an unclosed quote or a trailing backslash
        return False


# Why a host's --do command did not run on a switch or a hub (a router is a host).
NOT_A_HOST = {
    "switch": N_("{node} is a switch: {command} runs on hosts and routers"),
    "hub": N_("{node} is a hub: {command} runs on hosts and routers"),
    "node": N_("{node} is not a host: {command} runs on hosts and routers"),
}


def not_a_host_line(node: str, kind: str, command: str) -> str:
    """Why `command`, a host's word, did not run on `node`, a `kind` (switch, hub, or another)."""
    return L_(NOT_A_HOST.get(kind, NOT_A_HOST["node"]), node=node, command=command)
