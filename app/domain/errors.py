"""Domain errors: each one maps to exactly one problem type at the HTTP edge."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for a decision the domain refuses."""


class InvalidTransition(DomainError):
    def __init__(self, state: str | None, trigger: str, allowed: list[str]):
        self.state = state
        self.trigger = trigger
        self.allowed = allowed
        super().__init__(
            f"'{trigger}' is not allowed in state '{state}'; allowed: {', '.join(allowed) or 'none'}"
        )


class InvalidField(DomainError):
    """A field's value breaks a rule that needs more than the field itself (other fields, the state)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class SeparationOfDuties(DomainError):
    pass
