"""`lanlab demo`: the course note's story, played so you can watch it."""

from __future__ import annotations

import click

from lanlab.net.story import loopback_story


@click.command(name="demo")
@click.option("--real", is_flag=True,
              help="Play it with real sockets on this machine's loopback (the default for now).")
def demo(real: bool) -> None:
    """Play the note's story: a UDP message and its reply, a TCP server and client
    exchanging "thank YOU!".

    \b
      lanlab demo --real
    """
    loopback_story(click.echo)
