"""A live workbench on loopback for the browser, load and fuzz tests, and a hostile scenario."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tightrope.scenario import dump_yaml
from tightrope.server.app import Settings, create_app

HOSTILE = "</script><script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"


def hostile_scenario() -> str:
    """The built-in case, renamed, with script and onerror payloads in its texts."""
    import tightrope
    from tightrope.scenario.schema import Scenario

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["id"] = "hostile"
    data["title"] = HOSTILE
    data["actors"][0]["name"] = HOSTILE
    data["events"][5]["label"] = HOSTILE  # a lever: shown in the what-if panel
    data["questions"][1]["text"] = HOSTILE
    data["questions"][6]["levels"][0]["label"] = HOSTILE
    for event in data["events"]:
        for modifier in event.get("modifiers", []):
            modifier["note"] = HOSTILE
    return dump_yaml(Scenario.model_validate(data))


def seen_scenario() -> str:
    """The built-in case with the worked example's observations, as a scenario of its own."""
    import tightrope
    from tightrope.scenario.observations import read_observations

    example = Path(__file__).parent.parent.parent / "examples" / "iraq-2025-seen.yaml"
    seen = read_observations(tightrope.load("iraq-2025"), example)
    return dump_yaml(seen.model_copy(update={"id": "iraq-2025-seen"}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        import uvicorn

        self.settings = settings
        self.url = f"http://127.0.0.1:{settings.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("server")
    folder = root / "scenarios"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(hostile_scenario())
    (folder / "iraq-2025-seen.yaml").write_text(seen_scenario())
    settings = Settings(
        port=free_port(), db=root / "registry.sqlite", scenarios=folder, data=root / "data"
    )
    with LiveServer(settings) as server:
        yield server
