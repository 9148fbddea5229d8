"""The HTTP API: the CLI's JSON documents, located validation, and its safety by default (token,
body bounds, malicious YAML, no cross-origin writes, capped runs, time limits)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tightrope.server.app import Settings, create_app

TOKEN = "a-long-enough-token-0123456789"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("api")
    settings = Settings(db=root / "registry.sqlite", data=root / "data", max_runs=50_000)
    with TestClient(create_app(settings)) as test_client:
        test_client.root = root  # type: ignore[attr-defined]
        yield test_client


def test_scenarios_are_listed_and_served_as_the_cli_exports_them(client: TestClient) -> None:
    listed = client.get("/api/scenarios").json()
    assert {"id": "iraq-2025", "origin": "built-in"}.items() <= listed[0].items()
    scenario = client.get("/api/scenarios/iraq-2025").json()
    assert scenario["id"] == "iraq-2025"
    assert len(scenario["questions"]) == 9
    assert client.get("/api/scenarios/nope").status_code == 404


def test_a_method_a_path_does_not_take_names_the_ones_it_does(client: TestClient) -> None:
    """405 with every method of the path in Allow, the literal path before a templated one
    (``/api/scenarios/validate`` takes POST only, though ``/api/scenarios/{id}`` takes GET)."""
    for method, path, allowed in [
        ("DELETE", "/api/scenarios", "GET, POST"),
        ("PUT", "/api/scenarios/validate", "POST"),
        ("DELETE", "/api/scenarios/iraq-2025", "GET"),
        ("POST", "/compare", "GET"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allowed, (method, path)
        assert set(response.json()) == {"detail"}


def test_a_what_if_comes_back_beside_its_baseline(client: TestClient) -> None:
    """Forcing US casualties in month 2 makes US strikes (q2) more likely, on the same random
    numbers: the same document as `tightrope simulate --force us_casualties@2 --format json`."""
    body = {
        "runs": 4000,
        "seed": 3,
        "force": [{"event": "us_casualties", "month": 2}],
        "given": "militia_campaign",
    }
    document = client.post("/api/scenarios/iraq-2025/simulate", json=body).json()
    q2 = document["comparison"]["q2_us_strikes"]
    assert q2["what_if"] > q2["baseline"] + 5 * q2["se"]
    assert document["interventions"]["force"] == [{"event": "us_casualties", "month": 2}]
    # The calendar month it ends in, as --force takes it: the same what-if.
    calendar = {**body, "force": [{"event": "us_casualties", "month": "2025-05"}]}
    again = client.post("/api/scenarios/iraq-2025/simulate", json=calendar)
    assert again.json()["interventions"] == document["interventions"]
    from tests.cli_helpers import run, strict_json

    code, out, _ = run(
        "simulate",
        "--runs",
        "4000",
        "--seed",
        "3",
        "--force",
        "us_casualties@2",
        "--given",
        "militia_campaign",
        "--drivers",
        "none",
        "--format",
        "json",
    )
    assert code == 0
    assert strict_json(out)["comparison"]["q2_us_strikes"] == q2
    assert strict_json(out)["given"] == document["given"]  # the what-if's runs, as the CLI's
    assert document["given"]["runs_of"] == "what-if"


def test_the_what_if_panel_offers_every_simulated_month_by_its_dates(client: TestClient) -> None:
    """The built-in case runs 13 months to reach its 31 March 2026 deadlines: each month can be
    forced, named by its number and the dates it runs between."""
    page = client.get("/scenarios/iraq-2025/what-if").text
    assert "forced in month 1 (2025-03-15 to 2025-04-15)</option>" in page
    assert "forced in month 13 (2026-03-15 to 2026-04-15)</option>" in page
    assert "forced in month 14 " not in page


def test_the_what_if_page_of_a_scenario_without_events_says_so(tmp_path: Path) -> None:
    import tightrope
    from tightrope.scenario import dump_yaml

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["id"] = "no-events"
    for part in ("events", "questions", "ladder", "coupling", "observations", "unobserved"):
        data.pop(part, None)
    text = dump_yaml(tightrope.Scenario.model_validate(data))
    settings = Settings(db=tmp_path / "registry.sqlite", data=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/scenarios", json={"text": text}).status_code == 201
        page = client.get("/scenarios/no-events/what-if").text
    assert "This scenario has no events, so there is nothing to simulate or force" in page
    assert "workbench.js" not in page  # no panel that would ask the API for a simulation


def test_the_what_if_sliders_of_an_unbounded_number_stay_finite(tmp_path: Path) -> None:
    """A lognormal's draws have no upper end: its slider spans its central 98%, so the page's
    data stays strict JSON (an infinite end made it unreadable to the browser)."""
    import json

    import tightrope
    from tightrope.scenario import dump_yaml

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["id"] = "lognormal-copy"
    data["actors"][0]["capability"] = {"dist": "lognormal", "value": 20, "sd": 0.3}
    text = dump_yaml(tightrope.Scenario.model_validate(data))
    settings = Settings(db=tmp_path / "registry.sqlite", data=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/scenarios", json={"text": text}).status_code == 201
        page = client.get("/scenarios/lognormal-copy/what-if").text
    block = re.search(r"id='workbench-data'>(.*?)</script>", page)
    assert block is not None
    parameters = json.loads(block.group(1), parse_constant=_refuse)["parameters"]
    capability = next(p for p in parameters if p["path"].endswith("capability"))
    assert (capability["low"], capability["high"]) == pytest.approx((9.95, 40.19), abs=0.01)


def _refuse(constant: str) -> None:
    raise ValueError(f"not strict JSON: {constant}")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"force": [{"event": "nothing", "month": 2}]}, "unknown event 'nothing'"),
        ({"force": [{"event": "us_strikes", "month": "2025-02"}]}, "a month from 1 to 13"),
        ({"set": {"events.nope.hazard.per_month": 0.5}}, "nope"),
        ({"runs": 60_000}, "at most 50,000 per request"),
        ({"given": "nothing"}, "unknown event 'nothing'"),
    ],
)
def test_bad_what_ifs_get_one_line(client: TestClient, body: dict[str, Any], message: str) -> None:
    response = client.post("/api/scenarios/iraq-2025/simulate", json=body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert "\n" not in response.json()["detail"]


def test_validation_is_located_as_the_cli_locates_it(client: TestClient) -> None:
    from tightrope.scenario.builtin import builtin_text

    text = builtin_text("iraq-2025").replace("horizon_months: 12", "horizon_months: -3")
    answer = client.post("/api/scenarios/validate", json={"text": text, "name": "x.yaml"}).json()
    assert answer["valid"] is False
    assert answer["problems"][0].startswith("x.yaml:17:")
    assert "horizon_months" in answer["problems"][0]
    # A valid scenario's notes, as validate prints them: a question whose text names a day
    # other than its deadline.
    text = builtin_text("iraq-2025").replace("Iraq by 31 March 2026?", "Iraq by 1 March 2026?")
    answer = client.post("/api/scenarios/validate", json={"text": text, "name": "x.yaml"}).json()
    assert answer["valid"] is True
    assert answer["notes"] == [
        "questions[1].deadline: q2_us_strikes's text names 1 March 2026, its deadline is "
        "2026-03-31: the forecast answers on the deadline (set it to the day the question "
        "means, or mend the text)"
    ]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n", 400),
        ("id: !!python/object/apply:os.system ['touch /tmp/pwned-by-yaml']\n", 400),
        ("x" * (10 * 2**20), 413),
    ],
    ids=["alias bomb", "python tag", "10 MB"],
)
def test_malicious_uploads_are_refused_and_the_server_stays_up(
    client: TestClient, text: str, status: int
) -> None:
    response = client.post("/api/scenarios", json={"text": text, "name": "evil.yaml"})
    assert response.status_code == status
    assert not Path("/tmp/pwned-by-yaml").exists()
    root: Path = client.root  # type: ignore[attr-defined]
    assert not (root / "data" / "scenarios").exists() or not any(
        (root / "data" / "scenarios").iterdir()
    )
    assert client.get("/api/scenarios").status_code == 200


def test_an_upload_is_kept_under_its_id_in_the_data_folder(client: TestClient) -> None:
    import tightrope
    from tightrope.scenario import dump_yaml

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["id"] = "my-copy"
    text = dump_yaml(tightrope.Scenario.model_validate(data))
    answer = client.post("/api/scenarios", json={"text": text, "name": "../../etc/x.yaml"})
    assert answer.status_code == 201
    root: Path = client.root  # type: ignore[attr-defined]
    assert [p.name for p in (root / "data" / "scenarios").iterdir()] == ["my-copy.yaml"]
    assert "my-copy" in [s["id"] for s in client.get("/api/scenarios").json()]
    builtin = text.replace("id: my-copy", "id: iraq-2025")
    refused = client.post("/api/scenarios", json={"text": builtin})
    assert refused.status_code == 400
    assert "built-in" in refused.json()["detail"]
    # A file with two problems: the first, and where to read both.
    typo = text.replace("id: my-copy", "id: typo").replace("capability:", "capabilty:", 1)
    refused = client.post("/api/scenarios", json={"text": typo, "name": "typo.yaml"})
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("typo.yaml:")
    assert refused.json()["detail"].endswith(
        " (and 1 more: POST /api/scenarios/validate lists them all)"
    )
    assert len(client.post("/api/scenarios/validate", json={"text": typo}).json()["problems"]) == 2


def test_writes_from_another_origin_are_refused(client: TestClient) -> None:
    """A page on another site cannot record, resolve or upload: the registry stays as it was."""
    root: Path = client.root  # type: ignore[attr-defined]
    evil = {"Origin": "http://evil.example"}
    response = client.post("/api/scenarios/iraq-2025/record", json={"runs": 1000}, headers=evil)
    assert response.status_code == 403
    assert not (root / "registry.sqlite").exists()
    form = client.post(
        "/api/scenarios/iraq-2025/record",
        content="runs=1000",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
    assert "the API takes JSON" in form.json()["detail"]
    # A scenario file posted as it is: 415 says how to wrap it, where 422 said "Input should
    # be a valid dictionary".
    yaml_body = client.post(
        "/api/scenarios/validate",
        content="id: x\n",
        headers={"Content-Type": "application/yaml"},
    )
    assert yaml_body.status_code == 415
    assert (
        'not application/yaml; a scenario goes as {"text": "<its YAML>"'
        in (yaml_body.json()["detail"])
    )
    site = client.post(
        "/api/registry/resolve",
        json={"question": "q1", "outcome": "yes", "date": "2026-01-01"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert site.status_code == 403
    before = client.get("/api/scenarios").json()
    from tightrope.scenario.builtin import builtin_text

    valid = builtin_text("iraq-2025").replace("id: iraq-2025", "id: evil-copy", 1)
    upload = client.post("/api/scenarios", json={"text": valid}, headers=evil)
    assert upload.status_code == 403
    assert not (root / "registry.sqlite").exists()
    assert client.get("/api/scenarios").json() == before


def test_record_resolve_and_history_through_the_api(client: TestClient) -> None:
    first = client.post(
        "/api/scenarios/iraq-2025/record", json={"runs": 2000, "date": "2025-04-01"}
    )
    assert first.status_code == 201, first.text
    client.post(
        "/api/scenarios/iraq-2025/record", json={"runs": 2000, "seed": 1, "date": "2025-05-01"}
    )
    history = client.get("/api/registry/history/q2_us_strikes").json()
    assert [row["date"] for row in history["forecasts"]] == ["2025-04-01", "2025-05-01"]
    resolved = client.post(
        "/api/registry/resolve",
        json={"question": "q2_us_strikes", "outcome": "no", "date": "2026-03-31"},
    )
    assert resolved.json()["outcome"] == "no"
    listed = client.get("/api/registry/resolutions").json()
    assert [(r["question"], r["outcome"]) for r in listed] == [("q2_us_strikes", "no")]
    scores = client.get("/api/registry/scores").json()
    assert [q["question"] for q in scores["questions"]] == ["q2_us_strikes"]
    page = client.get("/scenarios/iraq-2025/questions/q2_us_strikes").text
    assert "2025-05-01" in page
    assert "resolved" in page
    # The forecast now and each recorded one with its Monte Carlo error; the scores in words.
    assert re.search(r"forecast now</td><td>\d+% \(± \d\.\d pt, 20,000 runs\)", page)
    recorded = history["forecasts"][0]
    assert f"{recorded['probability']:.1%} ± {100 * recorded['mc_error']:.1f} pt" in page
    assert "Brier had the first forecast been kept" in page
    # An ordinal question resolved by its level's label; its page names the outcome so.
    resolved = client.post(
        "/api/registry/resolve",
        json={"question": "q7_alignment", "outcome": "Balancing", "date": "2026-03-31"},
    )
    assert resolved.json()["outcome"] == "balancing"
    assert resolved.json()["outcome_label"] == "Balancing"
    page = client.get("/scenarios/iraq-2025/questions/q7_alignment").text
    assert "<td>resolved</td><td>Balancing on 2026-03-31</td>" in page
    assert re.search(r"<td>Aligned with Iran: \d+% ± \d\.\d pt; Balancing: \d+%", page)
    board = client.get("/").text
    assert "since last record" in board


def test_the_board_calls_a_move_within_the_noise_unchanged(tmp_path: Path) -> None:
    """The arrow since the last record: a move within twice the difference's Monte Carlo error
    is "= unchanged" (noise), a larger one ▲ or ▼; a record without its error keeps the
    one-point rule."""
    import html

    import tightrope
    from tightrope.forecasts.registry import QuestionForecast, Registry
    from tightrope.server.pages import arrow

    assert "unchanged" in arrow(0.015, 0.02)
    assert "▲ +2%" in arrow(0.015, None)
    assert "▼ -3%" in arrow(-0.03, 0.02)
    assert "unchanged" in arrow(0.005, None)
    settings = Settings(db=tmp_path / "r.sqlite", data=tmp_path / "data", page_runs=2000)
    now = tightrope.simulate(tightrope.load("iraq-2025"), runs=2000, drivers="none")
    q1, q2 = now.questions["q1_oil_restriction"], now.questions["q2_us_strikes"]
    assert q1.probability is not None
    assert q1.mc_error is not None
    assert q2.probability is not None
    noise = 2 * float(np.hypot(q1.mc_error, 0.005))
    with Registry(settings.db) as registry:
        registry.record_questions(
            scenario_id="iraq-2025",
            scenario_hash="abc",
            version="0.2.0",
            seed=0,
            runs=2000,
            forecast_date=dt.date(2025, 4, 1),
            questions=[
                # 0.9 of the noise below now: unchanged; 3 points below q2's now: up.
                QuestionForecast(
                    q1.id,
                    "binary",
                    q1.text,
                    ("no", "yes"),
                    q1.probability - 0.9 * noise,
                    None,
                    0.005,
                ),
                QuestionForecast(
                    q2.id, "binary", q2.text, ("no", "yes"), q2.probability - 0.15, None, 0.005
                ),
            ],
        )
    with TestClient(create_app(settings)) as test_client:
        board = test_client.get("/").text
    rows = {row.split("</a>")[0].rsplit(">", 1)[1]: row for row in board.split("<tr>")[1:]}
    assert "= unchanged" in rows[html.escape(q1.text)]
    assert "within the noise" in rows[html.escape(q1.text)]
    assert "▲ +15%" in rows[html.escape(q2.text)]


def test_structure_through_the_api(client: TestClient) -> None:
    """The same document as `tightrope structure --format json`; the whole work (runs × the
    modifiers, the baseline and at most ten simulations to read the windows) is held to the
    server's run limit."""
    from tests.cli_helpers import run, strict_json

    answer = client.post("/api/scenarios/iraq-2025/structure", json={"runs": 1600, "seed": 3})
    assert answer.status_code == 200, answer.text
    code, out, _ = run("structure", "--runs", "1600", "--seed", "3", "--format", "json")
    assert code == 0
    assert answer.json() == strict_json(out)
    assert answer.json()["modifiers"][0]["modifier"] == "events.militia_campaign.modifiers[0]"
    assert set(answer.json()["window_reading"]["events"]) == {"bank_sanctions", "oil_restriction"}
    too_much = client.post("/api/scenarios/iraq-2025/structure", json={"runs": 2000})
    assert too_much.status_code == 400
    assert too_much.json()["detail"] == (
        "runs × simulations (the baseline, each modifier dropped, up to 10 to read the windows) "
        "is 60,000: at most 50,000 per request on this server"
    )


def test_a_job_over_its_time_limit_answers_504_and_the_server_goes_on(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "r.sqlite", data=tmp_path / "d", timeout=0.01, workers=1)
    with TestClient(create_app(settings)) as slow:
        response = slow.post("/api/scenarios/iraq-2025/simulate", json={"runs": 100_000})
        assert response.status_code == 504
        assert "limit" in response.json()["detail"]
        assert slow.get("/api/scenarios").status_code == 200


def test_another_address_needs_a_token_and_every_request_carries_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a token"):
        create_app(Settings(host="0.0.0.0", data=tmp_path))
    settings = Settings(host="0.0.0.0", token=TOKEN, db=tmp_path / "r.sqlite", data=tmp_path)
    with TestClient(create_app(settings)) as guarded:
        for path in ("/", "/api/scenarios", "/openapi.json", "/scenarios/iraq-2025/what-if"):
            assert guarded.get(path).status_code == 401, path
        assert (
            guarded.get("/api/scenarios", headers={"Authorization": "Bearer wrong"}).status_code
            == 401
        )
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert guarded.get("/api/scenarios", headers=bearer).status_code == 200
        opened = guarded.get(f"/?token={TOKEN}")
        assert opened.status_code == 200
        assert "HttpOnly" in opened.headers["set-cookie"]
        assert guarded.get("/scenarios/iraq-2025/what-if").status_code == 200  # by the cookie
    from tests.cli_helpers import run

    code, _, err = run("serve", "--host", "0.0.0.0")
    assert code == 2
    assert "needs a token" in err


def test_observations_and_replay_through_the_api(client: TestClient) -> None:
    """An uploaded scenario with what was seen since its date: the API lists the observations,
    conditions a forecast on them, and replays month by month as `tightrope replay` does."""
    import yaml

    import tightrope
    from tightrope.scenario import dump_yaml

    scenario = tightrope.observe(tightrope.load("iraq-2025"), "examples/iraq-2025-seen.yaml")
    data = yaml.safe_load(dump_yaml(scenario))
    data["id"] = "seen"
    upload = client.post("/api/scenarios", json={"text": yaml.safe_dump(data)})
    assert upload.status_code == 201, upload.text
    seen = client.get("/api/scenarios/seen/observations").json()
    assert [o["event"] for o in seen] == ["israel_escalation", "israel_escalation"]
    body = {"runs": 4000, "as_of": "2025-07-01"}
    conditioned = client.post("/api/scenarios/seen/simulate", json=body).json()
    plain = client.post("/api/scenarios/seen/simulate", json={"runs": 4000}).json()
    q3 = "q3_militia_campaign"
    assert conditioned["questions"][q3]["probability"] > plain["questions"][q3]["probability"]
    body["force"] = [{"event": "us_strikes", "month": 6}]
    whatif = client.post("/api/scenarios/seen/simulate", json=body).json()
    assert whatif["interventions"]["from"] == {"month": 5, "date": "2025-07-16"}
    assert whatif["comparison"]["q2_us_strikes"]["what_if"] == 1
    body["force"] = [{"event": "us_strikes", "month": 4}]
    early_force = client.post("/api/scenarios/seen/simulate", json=body)
    assert early_force.status_code == 400
    assert "month 5 (from 2025-07-16) or later" in early_force.json()["detail"]
    replayed = client.post("/api/scenarios/seen/replay", json={"runs": 2000}).json()
    months = ["2025-03-15", "2025-04-15", "2025-05-15", "2025-06-13"]  # to the last observation
    assert [step["date"] for step in replayed["steps"]] == months
    from tests.cli_helpers import run, strict_json

    code, out, _ = run(
        "replay",
        "--observations",
        "examples/iraq-2025-seen.yaml",
        "--runs",
        "2000",
        "--format",
        "json",
    )
    assert code == 0
    assert strict_json(out)["steps"] == replayed["steps"]
    # The same evidence sent with the request to the scenario without it: the same steps.
    sent = yaml.safe_load(Path("examples/iraq-2025-seen.yaml").read_text())
    body = {
        "runs": 2000,
        "observations": [{**o, "date": str(o["date"])} for o in sent["observations"]],
        "unobserved": sent["unobserved"],
    }
    by_request = client.post("/api/scenarios/iraq-2025/replay", json=body).json()
    assert by_request["steps"] == replayed["steps"]
    too_many = client.post("/api/scenarios/seen/replay", json={"runs": 2000, "every": "1d"})
    assert too_many.status_code == 400
    assert "at most 60" in too_many.json()["detail"]
    early = client.post("/api/scenarios/seen/replay", json={"runs": 2000, "start": "2025-01-01"})
    assert early.status_code == 400
    assert early.json()["detail"] == "start 2025-01-01 is before the scenario date 2025-03-15"
    # The scenario page says that its forecast leaves the observations out, and links to the one
    # conditioned on them up to the latest; that page says what it is and links back.
    page = client.get("/scenarios/seen").text
    assert (
        "This scenario records 2 observations, the latest on 2025-06-13. This forecast is as of "
        "2025-03-15, without them: <a href='/scenarios/seen?as_of=2025-06-13'>" in page
    )
    page = client.get("/scenarios/seen?as_of=2025-06-13").text
    assert "This forecast is conditioned on those known by 2025-06-13" in page
    assert (
        "As of 2025-06-13 (the scenario&#x27;s 2025-03-15, updated on the evidence since)" in page
    )
    assert "what the evidence taught the model" in page
    before = client.get("/scenarios/seen?as_of=2024-01-01")
    assert before.status_code == 400
    assert before.json()["detail"] == (
        "the forecast date 2024-01-01 is before the scenario date 2025-03-15"
    )
    assert "This scenario records" not in client.get("/scenarios/iraq-2025").text
    # A replay recorded in the registry: the question page marks each observation, and hovering
    # over a mark gives it in the scenario's words.
    with tightrope.Registry(client.root / "registry.sqlite") as registry:  # type: ignore[attr-defined]
        registry.record_replay(
            tightrope.replay(scenario.model_copy(update={"id": "seen"}), runs=500)
        )
    page = client.get("/scenarios/seen/questions/q3_militia_campaign").text
    assert "israel_escalation on 2025-06-13" in page
    label = scenario.event("israel_escalation").label
    hover = json.dumps({"hovertext": f"“{label}” on 2025-06-13"}, separators=(",", ":"))
    assert hover[1:-1].replace("/", "\\u002f") in page  # the page escapes "/" in its scripts
    # The report's track record reads the registry at each visit: resolved since, it shows.
    unresolved = "No recorded forecast of this scenario has been resolved yet"
    assert unresolved in client.get("/scenarios/seen").text
    resolved = client.post(
        "/api/registry/resolve",
        json={"question": "q3_militia_campaign", "outcome": "yes", "date": "2025-09-01",
              "scenario": "seen"},
    )  # fmt: skip
    assert resolved.status_code == 200, resolved.text
    page = client.get("/scenarios/seen").text
    assert "<tr><td>q3_militia_campaign</td><td>yes</td>" in page
    assert unresolved not in page


def test_bargaining_and_malformed_numbers(client: TestClient) -> None:
    """The bargaining document is the CLI's (a list, one entry per model and issue); a NaN in a
    request is refused with the documented 422, whose answer stays strict JSON."""
    answer = client.post("/api/scenarios/iraq-2025/bargain", json={"model": "eum", "samples": 5})
    assert answer.status_code == 200
    assert [entry["issue"] for entry in answer.json()] == [
        "militia_disarmament",
        "iran_ties",
        "us_pressure",
    ]
    nan = b'{"runs": 2000, "set": {"events.us_strikes.hazard.per_month": NaN}}'
    refused = client.post(
        "/api/scenarios/iraq-2025/simulate",
        content=nan,
        headers={"Content-Type": "application/json"},
    )
    assert refused.status_code == 422
    from tests.cli_helpers import strict_json

    assert strict_json(refused.text)["detail"][0]["loc"][-1] == "events.us_strikes.hazard.per_month"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"run": 2000}, ["body", "run"], "unknown field 'run' (did you mean 'runs'?)"),
        (
            {"force": [{"evnt": "us_strikes", "month": 2}]},
            ["body", "force", 0, "evnt"],
            "unknown field 'evnt' (did you mean 'event'?)",
        ),
        (
            {"observations": [{"event": "us_strikes", "dat": "2025-05-01"}]},
            ["body", "observations", 0, "dat"],
            "unknown field 'dat' (did you mean 'date'?)",
        ),
        ({"whatif": 1}, ["body", "whatif"], "unknown field 'whatif' (known: observations, "),
    ],
)
def test_an_unknown_request_field_names_the_closest_known_one(
    client: TestClient, body: dict[str, object], where: list[object], message: str
) -> None:
    refused = client.post("/api/scenarios/iraq-2025/simulate", json=body)
    assert refused.status_code == 422
    (problem,) = [d for d in refused.json()["detail"] if d["type"] == "extra_forbidden"]
    assert problem["loc"] == where
    assert problem["msg"].startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port"),
        (["--token", "short"], "at least 16 characters"),
        (["--max-runs", "5"], "--max-runs"),
        (["--workers", "99"], "--workers"),
        (["--host", "192.0.2.1"], "needs a token"),
        (["--scenarios", "no-such-folder"], "--scenarios no-such-folder: no such folder"),
    ],
)
def test_bad_serve_flags_exit_2_with_one_line(args: list[str], message: str) -> None:
    from tests.cli_helpers import run

    code, _, err = run("serve", *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_the_workbench_reaches_each_route_on_the_event_loop() -> None:
    """A plain-function dependency would send every request, cached pages included, through
    FastAPI's thread pool: under benchmarks/serve.py's load the pages' p95 went from 140 to
    260 ms that way."""
    import inspect

    from tightrope.server.workbench import current

    assert inspect.iscoroutinefunction(current)


def _dies_once(marker: str) -> str:
    """Kills its worker the first time (a marker file remembers it did)."""
    import os

    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return "answered"


def _always_dies(_: str) -> str:
    import os

    os._exit(1)


def test_a_job_whose_worker_died_runs_once_more_then_the_server_says_so(tmp_path: Path) -> None:
    """As the CLI's pools do: a worker that dies (the out-of-memory killer, say) costs a fresh
    pool, not the request; a second death is a 504 the client may retry."""
    import asyncio

    from tightrope.server.jobs import Busy, WorkerPool

    async def scenario() -> None:
        pool = WorkerPool(workers=1, timeout=60)
        try:
            marker = str(tmp_path / "died")
            assert await pool.run(_dies_once, marker) == "answered"
            assert Path(marker).exists()
            with pytest.raises(Busy, match="a worker process died"):
                await pool.run(_always_dies, "")
            assert await pool.run(_dies_once, marker) == "answered"  # the server goes on
        finally:
            pool.close()

    asyncio.run(scenario())


def test_scenarios_without_events_or_issues_are_on_the_board_and_refused_by_name(
    tmp_path: Path,
) -> None:
    """A scenario without events in the scenarios folder used to take the whole board down; a
    file too large to read was named by the server's own path."""
    from tests.degenerate import write_variant

    folder = tmp_path / "scenarios"
    folder.mkdir()
    write_variant("no-events", folder)
    write_variant("no-issues", folder)
    (folder / "huge.yaml").write_text("a: " + "x" * (5 * 2**20))
    settings = Settings(db=tmp_path / "r.sqlite", data=tmp_path / "d", scenarios=folder, workers=1)
    with TestClient(create_app(settings)) as bench:
        board = bench.get("/")
        assert board.status_code == 200
        assert "edge-no-events" in board.text
        huge = next(s for s in bench.get("/api/scenarios").json() if s["id"] == "huge")
        assert huge["problems"] == ["huge.yaml:1:1: (file): file is larger than 5 MB"]  # no path
        for path, body in (
            ("simulate", {"runs": 1000}),
            ("replay", {"end": "2025-05-15"}),
            ("structure", {"runs": 1000}),
        ):
            answer = bench.post(f"/api/scenarios/edge-no-events/{path}", json=body)
            assert answer.status_code == 400
            assert answer.json()["detail"] == "scenario 'edge-no-events' has no events to simulate"
        answer = bench.post("/api/scenarios/edge-no-issues/bargain", json={})
        assert answer.status_code == 400
        assert answer.json()["detail"] == "scenario 'edge-no-issues' has no issues to bargain over"


def test_a_forecast_takes_observations_and_an_event_to_condition_on(client: TestClient) -> None:
    """POST /forecast with observations in the request, as of a date, given an event: the same
    simulation as `tightrope forecast --observe … --as-of … --given …`; a bad observation is
    refused in one line naming its index, before any work."""
    body = {
        "runs": 4000,
        "bargaining_samples": 0,
        "as_of": "2025-07-01",
        "observations": [{"event": "militia_campaign", "date": "2025-06-01"}],
        "given": "us_strikes",
    }
    response = client.post("/api/scenarios/iraq-2025/forecast", json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["conditioning"]["resolved"]["q3_militia_campaign"].startswith("yes")
    going = {"event": "militia_campaign", "under_way": "2025-06-25"}  # the month after its start
    response = client.post(
        "/api/scenarios/iraq-2025/simulate",
        json={
            "runs": 4000,
            "as_of": "2025-07-01",
            "observations": [*body["observations"], going],
        },
    )
    assert response.status_code == 200, response.text
    seen = [item["observation"] for item in response.json()["conditioning"]["observations"]]
    assert "militia_campaign under way on 2025-06-25" in seen
    from tests.cli_helpers import run, strict_json

    code, out, _ = run(
        "forecast",
        "--runs", "4000", "--bargaining-samples", "0", "--as-of", "2025-07-01",
        "--observe", "militia_campaign@2025-06-01", "--given", "us_strikes", "--format", "json",
    )  # fmt: skip
    assert code == 0
    cli = strict_json(out)
    assert cli["simulation"]["questions"] == document["simulation"]["questions"]
    assert cli["given"]["questions"] == document["given"]["questions"]
    for bad, message in (
        ({"observations": [{"event": "nothing", "date": "2025-06-01"}]}, "unknown event"),
        ({"observations": [{"event": "us_strikes", "date": "2024-01-01"}]}, "before"),
        ({"observations": [{"event": "us_strikes", "under_way": "2025-06-01"}]}, "not a campaign"),
        ({"given": "nothing"}, "unknown event 'nothing'"),
    ):
        response = client.post("/api/scenarios/iraq-2025/forecast", json={"runs": 1000, **bad})
        assert response.status_code == 400, bad
        detail = response.json()["detail"]
        assert message in detail
        assert "\n" not in detail
    response = client.post(
        "/api/scenarios/iraq-2025/simulate",
        json={"runs": 1000, "observations": [{"event": "nothing", "date": "2025-06-01"}]},
    )
    assert response.status_code == 400
    assert "observations[0].event" in response.json()["detail"]


def test_the_history_of_a_question_not_recorded_lists_no_observations(tmp_path: Path) -> None:
    """It listed every observation in the registry, of whichever scenario."""
    import tightrope

    seen = tightrope.observe(
        tightrope.load("iraq-2025"), [{"event": "us_strikes", "date": "2025-06-01"}]
    )
    forecast = tightrope.forecast(seen, runs=1000, as_of="2025-07-01", bargaining_samples=0)
    with tightrope.Registry(tmp_path / "registry.sqlite") as registry:
        registry.record(forecast, "2025-07-01")
    settings = Settings(db=tmp_path / "registry.sqlite", data=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        recorded = client.get("/api/registry/history/q2_us_strikes").json()
        assert [o["observation"] for o in recorded["observations"]] == ["us_strikes on 2025-06-01"]
        unknown = client.get("/api/registry/history/q_not_recorded").json()
        assert (unknown["forecasts"], unknown["observations"]) == ([], [])


def test_a_scenario_id_held_twice_is_named_not_hidden(tmp_path: Path) -> None:
    """Two files of the folder with one id: the second was silently hidden. An upload of a
    folder scenario's id was saved ("saved": true) and never offered, the folder's file
    shadowing it. The second file is now listed with why; the upload is refused."""
    from tightrope.scenario.builtin import builtin_text

    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = builtin_text("iraq-2025").replace("id: iraq-2025", "id: mine", 1)
    (folder / "a.yaml").write_text(text)
    (folder / "b.yaml").write_text(text)
    settings = Settings(db=tmp_path / "r.sqlite", data=tmp_path / "d", scenarios=folder, workers=1)
    with TestClient(create_app(settings)) as bench:
        listed = {entry["id"]: entry for entry in bench.get("/api/scenarios").json()}
        assert listed["mine"]["valid"]
        assert listed["b"]["problems"] == ["b.yaml: id 'mine' is taken by a.yaml (folder)"]
        answer = bench.post("/api/scenarios", json={"text": text, "name": "mine.yaml"})
        assert answer.status_code == 400
        assert "'mine' is the id of a scenario in the server's folder" in answer.json()["detail"]
        assert not (tmp_path / "d" / "scenarios" / "mine.yaml").exists()
        assert bench.get("/api/scenarios/mine").status_code == 200


def test_watched_until_through_the_api_is_the_files(client: TestClient) -> None:
    """The day an event's sources end, sent with a request, conditions the forecast as the
    observation file's section does through the Python API."""
    import tightrope

    body = {
        "runs": 2000,
        "as_of": "2025-07-01",
        "observations": [{"event": "israel_escalation", "date": "2025-06-13"}],
        "watched_until": {"us_strikes": "2025-05-20"},
    }
    sent = client.post("/api/scenarios/iraq-2025/simulate", json=body).json()
    silences = [o["observation"] for o in sent["conditioning"]["observations"]]
    assert "no us_strikes up to 2025-05-15 (its sources end on 2025-05-20)" in silences
    scenario = tightrope.observe(
        tightrope.load("iraq-2025"),
        body["observations"],
        watched_until={"us_strikes": dt.date(2025, 5, 20)},
    )
    alone = tightrope.simulate(scenario, runs=2000, as_of="2025-07-01").to_dict()
    assert sent["questions"] == alone["questions"]
    refused = client.post(
        "/api/scenarios/iraq-2025/simulate",
        json={**body, "watched_until": {"us_strike": "2025-05-20"}},
    )
    assert refused.status_code == 400
    assert "unknown event 'us_strike' (did you mean 'us_strikes'?)" in refused.json()["detail"]
