"""Sans-IO protocol machines (DESIGN.md): time is passed in, output is drained, nothing here touches a socket or a clock."""
