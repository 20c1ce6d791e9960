"""Benchmarks of the ITAM ledger against PostgreSQL's own limit and the eventsourcing library,
measured side by side in one run (see README.md)."""
