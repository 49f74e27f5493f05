"""The simulator's core: the engine (virtual clock, heap, RNG, MachineTimer), frames, links and
ports (Link, Port, the Medium and Node protocols), the trace and captures. Imports nothing above it."""
