"""Action forms and results (gladly-lookup-adaptor.md §6.3, §6.5) in snake_case, and a submission's audit trail.

The results are Gladly's bodies as they are (``dataclasses.asdict``); ``bridge.gladly.responses`` dumps the forms.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

INPUT_TYPES = ("text", "select", "checkbox")


@dataclass
class Option:
    """One choice of a select input."""

    text: str
    value: str | None = None


@dataclass
class Input:
    """The control of an input section; Gladly knows only text, select and checkbox (§6.3)."""

    type: str
    placeholder: str | None = None
    optional: bool | None = None
    options: list[Option] | None = None  # select only
    text: str | None = None  # checkbox label

    def __post_init__(self):
        if self.type not in INPUT_TYPES:
            raise ValueError(f"Gladly has no {self.type!r} input; use one of {', '.join(INPUT_TYPES)}.")


@dataclass
class TextSection:
    """A paragraph of the form."""

    text: str


@dataclass
class InputSection:
    """A labelled input whose value Gladly posts under ``attr``."""

    label: str
    attr: str
    input: Input
    default_value: Any = None
    hint: str | None = None


@dataclass
class ActionForm:
    """The answer to ``GET formUrl``: a form whose submission Gladly POSTs to ``action_url``."""

    title: str
    submit_button: str
    close_button: str
    action_url: str
    sections: list[TextSection | InputSection] = field(default_factory=list)

    def __post_init__(self):
        attrs = [section.attr for section in self.sections if isinstance(section, InputSection)]
        if len(attrs) != len(set(attrs)):
            raise ValueError(f"Input attrs must be unique within a form (§6.3), got {attrs}.")


@dataclass
class ActionResult:
    """A successful action: Gladly shows ``message`` in bold and ``detail`` on the timeline (§6.5)."""

    message: str
    detail: str
    facts: dict | None = None  # what Gladly AI's answer names besides the message (credit memo, coupon code)


@dataclass(frozen=True)
class Cap:
    """At most ``limit`` writes of an action per subject (a coupon's customer) within ``days`` days."""

    limit: int
    days: int


@dataclass
class AuditTrail:
    """What a submission's ``action_audit`` row records besides its input and reply."""

    outcome: str | None = None  # how it ended; unset, the runner decides from the reply
    error: str | None = None  # the error detail the agent saw
    magento: Any = None  # Magento's reply to the write, or the detail of its failure
    increment_id: str | None = None  # the order number, once the order was read
    note_error: str | None = None  # why the comment recording the action could not be added
