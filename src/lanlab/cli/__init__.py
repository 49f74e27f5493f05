"""The `lanlab` command line: one module per command group."""
