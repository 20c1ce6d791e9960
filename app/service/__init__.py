"""Service layer: the unit of work and the command handlers that run in it."""
