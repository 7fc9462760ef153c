"""A second Python process for the work a step can hand off: the expectation suites
(`assets.expectations.suite_runner.run_suite`) and half of the charts (`assets.publication.charts`).

    outcome = helper_process.call(run_suite, suite, frame, run_id, data_docs_dir)
    with helper_process.submit(write_charts, folder, publication, names) as drawing: ...

A function is sent by reference (its module and name); one request is handled at a time.
Why, its life cycle, failures and the protocol: docs/ARCHITECTURE.md, «assets/parallel/helper_process.py».
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Self

# Imported by the helper as soon as it starts, before it reads its first request.
PRELOADED_MODULES = ("assets.expectations.validation", "assets.publication.charts")

# How long this process waits at its exit for the helper to finish a request nobody waits for.
EXIT_WAIT_SECONDS = 10

_lock = threading.Lock()
_process: subprocess.Popen | None = None


class HelperProcessError(RuntimeError):
    """A request failed in the helper process, or the helper died."""


class Pending:
    """A request the helper is working on. Its reply is read by `result`, or on leaving the
    `with` block if the block raised first, so the next request never reads this one's reply."""

    def __init__(self, process: subprocess.Popen, function: str):  # the function's name
        self._process = process
        self._function = function
        self._read = False
        self._reply: tuple | None = None

    def result(self):
        if not self._read:
            self._read_reply()
        status, value = self._reply
        if status == "error":
            raise HelperProcessError(f"{self._function} failed in the helper process:\n{value}")
        return value

    def _read_reply(self) -> None:
        self._read = True
        try:
            self._reply = pickle.load(self._process.stdout)
        except Exception as error:
            try:
                exit_code = self._process.wait(timeout=1)  # its stdout closed as it exited
            except subprocess.TimeoutExpired:
                # Alive, but its reply could not be read: the stream is unusable, start afresh.
                exit_code = None
                self._process.kill()
                self._process.wait()
            raise HelperProcessError(
                f"no reply from the helper process (pid {self._process.pid}, exit code "
                f"{exit_code}) to {self._function}: {error!r}; its output is in this process's "
                "stderr"
            ) from error

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        error_traceback: TracebackType | None,
    ) -> None:
        try:
            if not self._read:  # the block raised before it asked for the result
                self._read_reply()
        except HelperProcessError:
            pass  # the block's own error is the one to report
        finally:
            _lock.release()


def start() -> None:
    """Launch the helper unless it runs already; returns at once."""
    with _lock:
        _running()


def stop() -> None:
    """End the helper, if it runs, without waiting for what it is doing."""
    global _process
    with _lock:
        if _process is not None:
            _process.kill()
            _process.wait()
            _process = None


def submit(function: Callable, *args) -> Pending:
    """Send `function(*args)` to the helper (launched if need be) and return without waiting.
    `function` is pickled by reference (a module's function): the helper imports its module."""
    # Pickled whole before anything is written, so a request that does not pickle leaves the
    # stream as it was.
    request = pickle.dumps((function, args))
    name = f"{function.__module__}.{function.__qualname__}"
    _lock.acquire()
    try:
        process = _running()
        pickle.dump(request, process.stdin)
        process.stdin.flush()
    except BrokenPipeError as error:
        _lock.release()
        raise HelperProcessError(
            f"the helper process (pid {process.pid}) ended with exit code {process.wait()} "
            f"before {name}"
        ) from error
    except BaseException:
        _lock.release()
        raise
    return Pending(process, name)


def call(function: Callable, *args):
    """`function(*args)` in the helper, waiting for its value."""
    with submit(function, *args) as pending:
        return pending.result()


def _running() -> subprocess.Popen:
    global _process
    if _process is None or _process.poll() is not None:
        _process = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        atexit.register(_end_at_exit, _process)
    return _process


def _end_at_exit(process: subprocess.Popen) -> None:
    # Its stdin closed, the helper finishes what it does and exits; waited for, so that no
    # helper outlives this process, even as a zombie.
    process.stdin.close()
    try:
        process.wait(timeout=EXIT_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _serve() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a print must not corrupt a reply
    for module in PRELOADED_MODULES:
        # A module that fails to import fails the request that needs it, with its traceback.
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 - reported by the request, see above
            continue
    requests = sys.stdin.buffer
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            # Every reply is flushed and nothing else is open: skip tearing down the libraries,
            # which the process that waits for this exit would otherwise wait a second for.
            os._exit(0)
        try:
            function, args = pickle.loads(request)  # imports the function's module
            reply = ("ok", function(*args))
        except Exception:  # noqa: BLE001 - any error is the waiting step's, with its traceback
            reply = ("error", traceback.format_exc())
        pickle.dump(reply, replies)
        replies.flush()


if __name__ == "__main__":
    _serve()
