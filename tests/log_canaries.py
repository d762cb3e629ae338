"""Checklist item 20: what the whole test run logs is kept and, at the end, searched for canary values.

Every record of every logger, from DEBUG up, is written to one file per process (per xdist worker) in a
temporary directory, through the filters that settings.LOGGING puts on the root logger's handlers: the
redaction that production has. Canary tests (trygg/core/tests/test_log_canaries.py) push known values
(an e-mail address, a phone number, a password, a survey code, a session key, a client address) through the
real request paths; values only known at run time are written down with `canary_record`. When the session
ends, the process that ran the session (the xdist controller, or the only process) reads every file and fails
the run, naming the canary and the line, if one of them was logged.
"""

from __future__ import annotations

import copy
import logging
import logging.config
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DIRECTORY_KEY = "trygg_log_directory"
# Known before the run; each must be unique enough to appear nowhere by chance.
CANARIES = {
    "e-mail": "kanarie.loggprov@example.org",
    "phone number": "070-555 19 37",
    "password": "Kanariefågelns-lösenord-9Qx-får-aldrig-loggas",
    "client address": "203.0.113.77",
}

_state: dict[str, Any] = {}


@dataclass(frozen=True)
class Finding:
    kind: str
    canary: str
    file: Path
    line_number: int
    line: str

    def __str__(self) -> str:
        return (
            f"the {self.kind} canary {self.canary!r} is in {self.file.name}:{self.line_number}: {self.line}"
        )


def _variants(canary: str) -> set[str]:
    """How a value may look in a log line: as typed, URL-encoded, or (for numbers) as bare digits."""
    variants = {canary, urllib.parse.quote(canary), urllib.parse.quote_plus(canary)}
    digits = re.sub(r"\D", "", canary)
    if len(digits) >= 8 and not re.search(r"[A-Za-z]", canary):
        variants.add(digits)
    return {variant.lower() for variant in variants}


def canary_record(kind: str, value: str) -> None:
    """Write down a canary known only at run time (a session key, a survey code), for the final scan."""
    directory = _state.get("directory")
    if directory is None:
        pytest.fail("the log capture of tests/log_canaries.py is not active")
    with open(Path(directory) / f"canaries-{_state['name']}.tsv", "a", encoding="utf-8") as file:
        file.write(f"{kind}\t{value}\n")


def current_log_file() -> Path:
    return Path(_state["directory"]) / f"log-{_state['name']}.log"


def canaries_in(directory: Path) -> dict[str, str]:
    found = {value: kind for kind, value in CANARIES.items()}
    for path in sorted(directory.glob("canaries-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            kind, _tab, value = line.partition("\t")
            if value:
                found[value] = kind
    return found


def scan_file(path: Path, canaries: dict[str, str], offset: int = 0) -> list[Finding]:
    """The lines of one log file, from byte `offset` on, that hold a canary (canaries: value → kind)."""
    wanted = [(kind, canary, _variants(canary)) for canary, kind in canaries.items()]
    findings: list[Finding] = []
    if not path.exists():
        return findings
    with open(path, "rb") as file:
        file.seek(offset)
        lines = file.read().decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        lowered = line.lower()
        for kind, canary, variants in wanted:
            if any(variant in lowered for variant in variants):
                findings.append(Finding(kind, canary, path, number, line))
    return findings


def scan(directory: Path) -> list[Finding]:
    """Every line of every captured log file in `directory` that holds a canary of the run."""
    canaries = canaries_in(directory)
    return [finding for path in sorted(directory.glob("log-*.log")) for finding in scan_file(path, canaries)]


def flush() -> None:
    handler = _state.get("handler")
    if handler is not None:
        handler.flush()


def _root_filters() -> list[logging.Filter]:
    """New instances of the filters settings.LOGGING applies on the way to the root logger's handlers."""
    from django.conf import settings

    config: dict[str, Any] = settings.LOGGING
    names: list[str] = list(config.get("root", {}).get("filters", []))
    for handler in config.get("root", {}).get("handlers", []):
        names += [name for name in config["handlers"][handler].get("filters", []) if name not in names]
    configurator = logging.config.DictConfigurator(copy.deepcopy(config))
    return [configurator.configure_filter(copy.deepcopy(config["filters"][name])) for name in names]


class _XdistHooks:
    def __init__(self, directory: str) -> None:
        self.directory = directory

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[DIRECTORY_KEY] = self.directory


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        _state.update(directory=workerinput[DIRECTORY_KEY], name=workerinput["workerid"], scans=False)
        return
    # TRYGG_TEST_LOG_DIR keeps the files where CI can collect them; by default a fresh temporary directory.
    chosen = os.environ.get("TRYGG_TEST_LOG_DIR")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        for old in Path(chosen).glob("*-*.*"):
            if old.name.startswith(("log-", "canaries-")):
                old.unlink()
    directory = chosen or tempfile.mkdtemp(prefix="trygg-logs-")
    _state.update(directory=directory, name="main", scans=True)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(directory), "trygg_log_canaries_xdist")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # Django has configured logging by now (pytest-django sets it up while pytest is configured).
    handler = logging.FileHandler(current_log_file(), encoding="utf-8", delay=True)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    for log_filter in _root_filters():
        handler.addFilter(log_filter)
    _state["handler"] = handler
    _attach(session.config)


def _attach(config: pytest.Config) -> None:
    """Put the capture on the root logger, again after a test that set logging up anew (`django.setup()`)."""
    handler = _state.get("handler")
    root = logging.getLogger()
    if handler is None or (handler in root.handlers and root.level == logging.DEBUG):
        return
    # The root logger lets DEBUG through to this file; its own handlers, and pytest's report and caplog
    # handlers, keep showing what they showed before.
    logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
    pytest_handlers = [getattr(logging_plugin, name, None) for name in ("report_handler", "caplog_handler")]
    for existing in [*root.handlers, *pytest_handlers]:
        if isinstance(existing, logging.Handler) and existing.level == logging.NOTSET:
            existing.setLevel(root.level)
    root.setLevel(logging.DEBUG)
    if handler not in root.handlers:
        root.addHandler(handler)
    # Loggers that do not pass records on to the root (django.server) are captured too.
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate and handler not in logger.handlers:
            logger.addHandler(handler)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _attach(item.config)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    _attach(item.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    handler = _state.pop("handler", None)
    if handler is not None:
        handler.close()
    if not _state.get("scans"):
        return
    directory = Path(_state["directory"])
    findings = scan(directory)
    _state["findings"] = findings
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif not os.environ.get("TRYGG_TEST_LOG_DIR"):
        shutil.rmtree(directory, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    findings = _state.get("findings")
    if not findings:
        return
    terminalreporter.section("log canaries (checklist item 20)", red=True)
    for finding in findings[:50]:
        terminalreporter.line(str(finding), red=True)
    terminalreporter.line(
        f"{len(findings)} log line(s) hold a canary; the logs are kept in {_state['directory']}"
    )
