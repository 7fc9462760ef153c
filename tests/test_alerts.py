"""A failed refresh is recorded in the Dagster instance and posted to a webhook (issue 15, 4).

Each test makes a real failed run in an instance of its own (a step that raises, a blocking check
that fails, a warehouse lock held by another refresh), evaluates the failure sensor on it as the
daemon would, and reads the record back from the instance and the alert from a local HTTP server.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from assets.ingest.register import RegisterProblem, stop_message
from pipelines.alerts import REASON_LENGTH, Alerting, alerting_from_env, refresh_failed
from pipelines.resources import PUBLISHED_WAREHOUSE, Warehouse, set_default_environment
from schemas.catalog import municipality_codes

LANDING_ZONE_GONE = "The landing zone /srv/raw does not exist"
# A register that names no municipality: one problem, listing every kommunkod.
NO_MUNICIPALITY = stop_message(
    [
        RegisterProblem(
            "register_missing_municipality",
            "2016/rekvisitioner.csv",
            None,
            f"{len(municipality_codes())} kommuner saknas: "
            + ", ".join(sorted(municipality_codes())),
        )
    ]
)


@dg.asset
def submission_files():
    raise dg.Failure(description=LANDING_ZONE_GONE)


@dg.asset(
    check_specs=[dg.AssetCheckSpec("no_key_twice", asset="tables_long", blocking=True)],
)
def tables_long():
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(passed=False, description="2 keys occur twice")


@dg.asset(deps=[tables_long])
def published():
    pass


@dg.asset(name="grant_register")
def register_without_municipalities():
    raise dg.Failure(description=NO_MUNICIPALITY)


@dg.asset
def builds_in_the_warehouse(warehouse: Warehouse):
    pass


class Webhook:
    """A local HTTP server that keeps what is posted to it and answers with `status`."""

    def __init__(self, status: int = 200):
        self.received: list[dict] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                webhook.received.append(
                    {"content_type": self.headers["Content-Type"], "json": json.loads(body)}
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/secret-token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    server = Webhook()
    yield server
    server.close()


@pytest.fixture
def failing_webhook():
    server = Webhook(status=500)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def no_alert_settings(monkeypatch):
    # As the entry points leave them when neither is set (pipelines/resources.py).
    monkeypatch.delenv("KOMPETENS_ALERT_WEBHOOK", raising=False)
    monkeypatch.delenv("KOMPETENS_DAGSTER_URL", raising=False)
    with monkeypatch.context() as defaults:
        set_default_environment()
        url, webhook = os.environ["KOMPETENS_DAGSTER_URL"], os.environ["KOMPETENS_ALERT_WEBHOOK"]
        defaults.undo()
    monkeypatch.setenv("KOMPETENS_DAGSTER_URL", url)
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", webhook)


def failed_run(instance: dg.DagsterInstance, assets, resources=None) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        assets, instance=instance, resources=resources or {}, raise_on_error=False
    )
    assert not result.success
    return result


def evaluate_sensor(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, alerting):
    context = dg.build_run_status_sensor_context(
        sensor_name="refresh_failed",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"alerting": alerting},
    )
    refresh_failed(context)


def recorded_alerts(instance: dg.DagsterInstance) -> list[dict]:
    records = instance.fetch_observations(PUBLISHED_WAREHOUSE, limit=100).records
    return [
        {key: value.value for key, value in record.asset_observation.metadata.items()}
        for record in records
        if "alert" in record.asset_observation.metadata
    ]


def test_a_failed_step_is_recorded_and_posted_with_its_reason_and_link(monkeypatch, webhook):
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", webhook.url)
    monkeypatch.setenv("KOMPETENS_DAGSTER_URL", "http://dagster.kommun.example:3000/")
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [submission_files])

    evaluate_sensor(instance, result, alerting_from_env())

    run_url = f"http://dagster.kommun.example:3000/runs/{result.run_id}"
    [record] = recorded_alerts(instance)
    assert record["alert"] == "refresh_failed"
    assert record["run_id"] == result.run_id
    assert record["run_url"] == run_url
    assert record["failing_steps"] == ["submission_files"]
    assert record["reason"] == f"Step submission_files: {LANDING_ZONE_GONE}"
    [posted] = webhook.received
    assert posted["content_type"] == "application/json"
    alert = posted["json"]
    assert alert["alert"] == "refresh_failed"
    assert alert["run_url"] == run_url
    assert alert["failing_steps"] == ["submission_files"]
    assert alert["reason"] == f"Step submission_files: {LANDING_ZONE_GONE}"
    assert LANDING_ZONE_GONE in alert["text"] and run_url in alert["text"]


def test_a_refresh_blocked_by_a_check_names_the_check_and_why(monkeypatch, webhook):
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", webhook.url)
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [tables_long, published])
    assert dg.AssetKey("published") not in {
        event.asset_key for event in result.get_asset_materialization_events()
    }

    evaluate_sensor(instance, result, alerting_from_env())

    [record] = recorded_alerts(instance)
    [posted] = webhook.received
    for alert in (record, posted["json"]):
        assert alert["failing_checks"] == ["tables_long:no_key_twice"]
        assert alert["failing_steps"] == ["tables_long"]
        assert "Check no_key_twice (tables_long): 2 keys occur twice" in alert["reason"]
        # The documented default, when KOMPETENS_DAGSTER_URL is not set.
        assert alert["run_url"] == f"http://127.0.0.1:3000/runs/{result.run_id}"


def test_a_refresh_that_could_not_take_the_warehouse_lock_is_recorded(tmp_path, webhook):
    warehouse = Warehouse(database=str(tmp_path / "kompetens.duckdb"), lock_timeout_seconds=0)
    instance = dg.DagsterInstance.ephemeral()
    # Another refresh holds the lock: a second open file description's flock conflicts with it.
    with open(warehouse.lock_path, "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        result = failed_run(instance, [builds_in_the_warehouse], {"warehouse": warehouse})

    # The webhook set on the resource, as the lead may wire it, instead of the environment.
    evaluate_sensor(
        instance, result, Alerting(dagster_url="http://127.0.0.1:3000", webhook=webhook.url)
    )

    [record] = recorded_alerts(instance)
    [posted] = webhook.received
    for alert in (record, posted["json"]):
        assert alert["failing_steps"] == []
        assert alert["reason"].startswith("Another refresh (run unknown) is building the warehouse")


def test_the_reason_is_short_and_its_whole_text_is_in_the_run(monkeypatch, webhook):
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", webhook.url)
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [register_without_municipalities])

    evaluate_sensor(instance, result, alerting_from_env())

    [record] = recorded_alerts(instance)
    [posted] = webhook.received
    first_line = NO_MUNICIPALITY.splitlines()[0]
    for alert in (record, posted["json"]):
        assert alert["reason"].startswith(f"Step grant_register: {first_line[:40]}")
        assert len(alert["reason"]) <= REASON_LENGTH + 60
        assert "0180" not in alert["reason"]
    assert "0180" not in posted["json"]["text"]
    # The whole of it stays in the run that the alert links to.
    assert any(
        "0180" in (entry.dagster_event.step_failure_data.user_failure_data.description or "")
        for entry in instance.all_logs(result.run_id)
        if entry.dagster_event is not None and entry.dagster_event.is_step_failure
    )


def test_the_alert_settings_are_environment_variables_the_ui_shows():
    from pipelines.definitions import defs

    alerting = defs.resources["alerting"]
    assert alerting.dagster_url == dg.EnvVar("KOMPETENS_DAGSTER_URL")
    assert alerting.webhook == dg.EnvVar("KOMPETENS_ALERT_WEBHOOK")


def test_without_a_webhook_the_alert_is_recorded_and_nothing_posted(webhook):
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [submission_files])

    evaluate_sensor(instance, result, alerting_from_env())

    assert [record["run_id"] for record in recorded_alerts(instance)] == [result.run_id]
    assert webhook.received == []


def test_a_failing_webhook_does_not_stop_the_sensor(monkeypatch, failing_webhook, capfd):
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", failing_webhook.url)
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [submission_files])

    capfd.readouterr()
    evaluate_sensor(instance, result, alerting_from_env())

    logged = capfd.readouterr().err
    assert [record["run_id"] for record in recorded_alerts(instance)] == [result.run_id]
    assert len(failing_webhook.received) == 1
    assert f"could not be posted to 127.0.0.1:{failing_webhook.server.server_port}" in logged
    assert "secret-token" not in logged


def test_an_unreachable_webhook_does_not_stop_the_sensor(monkeypatch):
    closed = Webhook()
    closed.close()
    monkeypatch.setenv("KOMPETENS_ALERT_WEBHOOK", closed.url)
    instance = dg.DagsterInstance.ephemeral()
    result = failed_run(instance, [submission_files])

    evaluate_sensor(instance, result, alerting_from_env())

    assert [record["run_id"] for record in recorded_alerts(instance)] == [result.run_id]


def test_the_definitions_run_the_sensor_by_default():
    from pipelines.definitions import defs

    sensor = defs.resolve_sensor_def("refresh_failed")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert "alerting" in sensor.required_resource_keys
