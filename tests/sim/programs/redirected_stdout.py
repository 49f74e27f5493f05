"""print() and input() follow sys.stdout and sys.stdin as the program sets them: contextlib.redirect_stdout and
redirect_stderr, a StringIO put in sys.stdout by hand, sys.stdin from a StringIO, sys.stdout = None."""

import contextlib
import io
import sys

buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    print("captured")
print("redirect_stdout caught", repr(buffer.getvalue()))
saved, sys.stdout = sys.stdout, io.StringIO()
print("by hand")
caught, sys.stdout = sys.stdout.getvalue(), saved
print("sys.stdout set by hand caught", repr(caught))
with contextlib.redirect_stderr(io.StringIO()) as errors:
    print("to stderr", file=sys.stderr)
print("redirect_stderr caught", repr(errors.getvalue()))
sys.stdin = io.StringIO("typed line\n")
print("input:", input("prompt> "))
sys.stdout = None
print("printed nowhere")
sys.stdout = sys.__stdout__
print("back on stdout")
