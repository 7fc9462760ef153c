"""Work spread over the cores this process may use: tasks computed by a pool of spawned worker
processes and by this process itself, their results yielded in task order.

Shared by the steps whose work splits into independent tasks: reading new contents
(assets/ingest/parse_cache.py), validating slices of submissions (assets/validate/block_status.py) and
making the items of an output set (assets/output_sets.py). Frames cross between processes
dictionary-encoded (`_Packed`), which makes pickling them about ten times cheaper.
"""

import dataclasses
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import polars as pl

# Tasks given to each worker ahead of the one being yielded: bounds this process's memory.
POOL_TASKS_AHEAD_PER_WORKER = 2


def usable_cores() -> int:
    """The cores this process may run on; 1 in a daemonic process (a pool's worker), which may
    not start processes of its own."""
    if multiprocessing.current_process().daemon:
        return 1
    if not hasattr(os, "sched_getaffinity"):  # macOS has no CPU affinity
        return os.cpu_count() or 1
    return len(os.sched_getaffinity(0))


class _Here:
    """A task this process computes itself, among the futures of the pool's tasks."""

    def __init__(self, task: tuple):
        self.task = task
        self.value = None
        self.computed = False

    def compute(self, function) -> None:
        self.value = function(*self.task)
        self.computed = True

    def done(self) -> bool:
        return self.computed

    def result(self):
        return self.value


def in_task_order(function, tasks: Iterable[tuple], processes: int) -> Iterator:
    """`function(*task)` of each task, yielded in task order. With more than one process, a pool
    of `processes - 1` spawned workers computes tasks a few ahead, and this process, rather than
    wait for a result, computes the next task itself (between writing the results, which it
    keeps doing): the first one while the workers start. `function` and the tasks must pickle.
    A spawned worker starts with this process's environment as it is then, so it uses the same
    reference data (KOMPETENS_REFERENCE_DIR)."""
    tasks = iter(tasks)
    if processes < 2:
        for task in tasks:
            yield function(*task)
        return
    workers = processes - 1
    first = next(tasks, None)
    if first is None:
        return
    pending: deque[Future | _Here] = deque([_Here(first)])
    # Spawned, not forked: a fork of a process running polars' and DuckDB's threads can
    # deadlock.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        while pending:
            in_pool = sum(not result.done() for result in pending if isinstance(result, Future))
            while in_pool < workers * POOL_TASKS_AHEAD_PER_WORKER:
                task = next(tasks, None)
                if task is None:
                    break
                pending.append(pool.submit(_packed_call, function, *map(_packed, task)))
                in_pool += 1
            head = pending[0]
            if isinstance(head, _Here):
                if not head.done():
                    head.compute(function)
                yield pending.popleft().result()
            elif head.done():
                yield _unpacked(pending.popleft().result())
            elif len(pending) <= workers * POOL_TASKS_AHEAD_PER_WORKER:  # one result ahead here
                task = next(tasks, None)
                if task is None:
                    yield _unpacked(pending.popleft().result())
                else:
                    here = _Here(task)
                    here.compute(function)
                    pending.append(here)
            else:
                yield _unpacked(pending.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Packed:
    """A frame with its text columns dictionary-encoded for the trip between processes: the
    same texts (a sha256, a question id) repeat row after row, and pickling the encoded frame
    costs a tenth of the plain one."""

    def __init__(self, frame: pl.DataFrame):
        self.texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        self.frame = frame.with_columns(pl.col(self.texts).cast(pl.Categorical))

    def unpacked(self) -> pl.DataFrame:
        return self.frame.with_columns(pl.col(self.texts).cast(pl.String))


def _packed(value):
    """`value` with every frame in it (in a tuple or list, or a dataclass's field) packed."""
    if isinstance(value, pl.DataFrame):
        return _Packed(value)
    if isinstance(value, tuple | list):
        return type(value)(_packed(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _packed(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value


def _unpacked(value):
    if isinstance(value, _Packed):
        return value.unpacked()
    if isinstance(value, tuple | list):
        return type(value)(_unpacked(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{f.name: _unpacked(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    return value


def _packed_call(function, *arguments):
    """In a worker: `function` of the unpacked arguments, its result packed."""
    return _packed(function(*map(_unpacked, arguments)))
