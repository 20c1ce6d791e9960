"""Pure domain: the lifecycle machine, the asset aggregate and the command decisions.

Nothing here imports a web framework, a database driver or settings; it is tested with plain asserts.
"""
