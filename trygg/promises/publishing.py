"""Steps other apps take when a promise is published, inside the same transaction.

The promises app sits below the apps that hold a promise's evidence or follow-up, so it cannot import them.
Such an app registers its step in its `AppConfig.ready()` with `register_publish_step(...)`; `promise_publish`
runs every registered step after the status has changed. The lägesbild uses it to freeze the evidence each
focus area was decided on (`trygg.evidence.services.evidence_freeze_for_publishing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Promise

PublishStep = Callable[..., Any]

_STEPS: list[PublishStep] = []


def register_publish_step(step: PublishStep) -> None:
    """Register ``step(*, promise, today)``; registering the same step twice keeps one."""
    if step not in _STEPS:
        _STEPS.append(step)


def run_publish_steps(*, promise: Promise, today: dt.date) -> None:
    for step in _STEPS:
        step(promise=promise, today=today)
