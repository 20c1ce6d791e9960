"""Command-line tools beyond serving: moving data in and out, and the demo organisation."""
