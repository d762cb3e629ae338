"""gunicorn configuration for bench/bench_load.py: each worker writes the CPU time of every request it serves.

    gunicorn -c bench/gunicorn_cpu.py trygg.wsgi:application      # BENCH_CPU_LOG_DIR names the directory

A worker process's CPU time (user + system, `time.process_time`) is read when gunicorn hands it a parsed request
(`pre_request`) and after the answer is written (`post_request`). Each request's line holds what the worker spent
on it and what it spent since its previous request ended (accepting the connection, parsing the request line and
headers, closing the last socket, waking up for connections other workers took), so the lines of a worker add up
to all its CPU time while it served. One tab-separated line per request, to ``<pid>.tsv`` in the directory:

    wall-clock end (epoch s)  method  path  status  CPU in the request (s)  CPU before it (s)

With sync workers (one request at a time per process) the figures are the request's own; the benchmark refuses
threads with it. Lines are written as each request ends, so a stage's requests can be read as soon as it is over.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

_state: dict[str, Any] = {}


def post_worker_init(worker: Any) -> None:
    directory = Path(os.environ["BENCH_CPU_LOG_DIR"])
    _state["log"] = (directory / f"{os.getpid()}.tsv").open("a", encoding="utf-8", buffering=1)
    _state["ended"] = time.process_time()


def pre_request(worker: Any, request: Any) -> None:
    _state["started"] = time.process_time()


def post_request(worker: Any, request: Any, environ: dict[str, Any], response: Any) -> None:
    now = time.process_time()
    started = _state.get("started", now)
    before = started - _state.get("ended", started)
    _state["ended"] = now
    status = str(getattr(response, "status", "") or "").split(" ", 1)[0]
    path = environ.get("PATH_INFO", "") if environ else request.path
    method = environ.get("REQUEST_METHOD", "") if environ else request.method
    _state["log"].write(f"{time.time():.6f}\t{method}\t{path}\t{status}\t{now - started:.6f}\t{before:.6f}\n")
