"""The helper process that runs the expectation suites and half of the charts beside a refresh.

The functions sent are from the standard library, so these tests are about the process and its
protocol; the suites and charts that go through it are tested by test_expectations and
test_publication_exports. Each launch of a helper imports Great Expectations (seconds), so the
tests share one helper where they can.
"""

import math
import os
import pickle
import subprocess
import sys

import pytest

from assets.parallel import helper_process
from assets.parallel.helper_process import HelperProcessError


def test_a_call_returns_the_value_computed_in_the_helper():
    assert helper_process.call(math.sqrt, 9.0) == 3.0
    assert helper_process.call(os.getpid) != os.getpid()


def test_an_error_in_the_function_is_raised_here_with_its_traceback_and_the_helper_goes_on():
    helper = helper_process.call(os.getpid)
    with pytest.raises(HelperProcessError, match=r"math\.sqrt failed(?s:.*)ValueError"):
        helper_process.call(math.sqrt, -1.0)
    assert helper_process.call(os.getpid) == helper


def test_what_the_function_prints_does_not_corrupt_its_reply():
    assert helper_process.call(print, "printed by the helper") is None
    assert helper_process.call(math.sqrt, 4.0) == 2.0


def test_a_block_that_fails_before_reading_its_result_leaves_no_stale_reply():
    with (
        pytest.raises(RuntimeError, match="the step failed"),
        helper_process.submit(math.sqrt, 16.0),
    ):
        raise RuntimeError("the step failed")
    # This call gets its own reply, not the 4.0 of the abandoned request.
    assert helper_process.call(math.sqrt, 25.0) == 5.0


def test_a_helper_that_dies_fails_the_waiting_call_and_the_next_call_gets_a_new_helper():
    helper = helper_process.call(os.getpid)
    with pytest.raises(HelperProcessError, match="exit code 3"):
        helper_process.call(os._exit, 3)
    assert helper_process.call(os.getpid) != helper
    assert helper_process.call(math.sqrt, 36.0) == 6.0


def test_stop_ends_the_helper_and_a_later_call_starts_another():
    helper = helper_process.call(os.getpid)
    helper_process.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(helper, 0)
    assert helper_process.call(os.getpid) != helper


def test_no_helper_outlives_the_process_that_started_it():
    code = "import os; from assets.parallel import helper_process; print(helper_process.call(os.getpid))"
    helper = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout)  # fmt: skip
    with pytest.raises(ProcessLookupError):
        os.kill(helper, 0)  # also a zombie would still be found


def test_a_function_that_does_not_pickle_is_refused_here_and_the_helper_goes_on():
    with pytest.raises((pickle.PicklingError, AttributeError)):  # a local object: AttributeError
        helper_process.call(lambda: 1)
    assert helper_process.call(math.sqrt, 49.0) == 7.0
