"""`--do "... tcp serve"` and `--do "... tcp connect ..."` results for people: one wording for
the simulator's and the kernel lab's (both back ends import this leaf, which imports only i18n)."""

from __future__ import annotations

from typing import Any

from lanlab.i18n import L_


def serve_lines(result: dict[str, Any], bind: str) -> list[str]:
    """A server's result {port, mode, events, error}: one line per connect, message, disconnect."""
    out = [f"listening on tcp {bind}:{result['port']} (mode {result['mode']})"]
    for e in result["events"]:
        t = f"[{e['t']:10.6f}]"
        if e["event"] == "message":
            out.append(f"{t}  {e['client']}  {e['bytes']} B  {e['text']}")
        elif e["event"] == "connect":
            out.append(f"{t}  + {e['client']}")
        else:
            out.append(f"{t}  {'-' if e['event'] == 'disconnect' else 'x'} {e['client']}  {e['reason']}")
    if result["error"]:
        out.append(L_("error: {error}", error=result["error"]))
    return out


def connect_lines(result: dict[str, Any], host: str, port: int) -> list[str]:
    """A client's result {connected, sent, received, error}: what it sent, what came back."""
    if result["error"] and result["connected"] is None:
        return [L_("error: {error}", error=result["error"])]
    out = (
        [f"connected to {host}:{port} at {result['connected']:.6f} s"]
        if result["connected"] is not None
        else ["not connected (the run ended first)"]
    )
    out += [f"> {text}" for text in result["sent"]]
    out += [f"[{r['t']:10.6f}] < {r['text'].rstrip()}" for r in result["received"]]
    if result["error"]:
        out.append(L_("error: {error}", error=result["error"]))
    return out
