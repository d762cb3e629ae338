"""Running one action in many threads released at the same moment: how the tests and drills race writers."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

Outcome = TypeVar("Outcome")


def run_at_once(action: Callable[[int], Outcome], count: int) -> list[Outcome | str]:
    """Calls ``action(number)`` for numbers 0..count-1, each in its own thread, all let go together.

    Each result, or the repr of what the call raised, is returned in the order the threads finished. Every
    thread closes its own database connections, so none is left open for the test database's teardown.
    """
    barrier = threading.Barrier(count)
    outcomes: list[Outcome | str] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        outcome: Outcome | str
        try:
            barrier.wait()
            outcome = action(number)
        except Exception as error:
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
