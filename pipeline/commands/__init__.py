"""Subcommands of the `petition` CLI, discovered by `pipeline.cli`."""
