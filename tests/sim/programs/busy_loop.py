"""Computes forever without waiting: lanlab sim run --app-cpu stops it (README)."""

print("start")
while True:
    pass
