"""Computes forever and swallows every exception, even the one meant to stop it (a bare `except:`
does the same): lanlab sim run --app-cpu stops it all the same, and so do Ctrl-C and SIGTERM."""

print("start")
while True:
    try:
        while True:
            pass
    except BaseException as e:
        print("caught", type(e).__name__)
