"""The scenarios a server offers: the built-in cases, the files of a folder the user names, and
the files uploaded to the server's data folder (validated first, written whole or not at all)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from tightrope.outputs import write_text_atomically
from tightrope.scenario.builtin import builtin_ids, builtin_text, load_builtin
from tightrope.scenario.load import ScenarioError, parse_scenario, read_input
from tightrope.scenario.schema import Scenario

SUFFIXES = (".yaml", ".yml")
MAX_FILES = 500  # scenario files read from one folder


@dataclass(frozen=True)
class Entry:
    """One scenario: where it comes from and its text (a file's problems if it is invalid)."""

    id: str
    origin: str  # built-in, folder or uploaded
    text: str
    scenario: Scenario | None
    problems: tuple[str, ...] = ()


class ScenarioStore:
    """The scenarios a server offers, by id: built-in, the named folder's files (re-read when
    they change) and the uploads; an invalid file is listed with its problems, not offered."""

    def __init__(self, folder: Path | None, uploads: Path) -> None:
        self.folder = folder
        self.uploads = uploads
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[float, Entry]] = {}

    def entries(self) -> list[Entry]:
        """Every scenario, built-ins first; a file that fails to validate is listed with its
        problems (under its file name) rather than hidden."""
        found = [Entry(i, "built-in", builtin_text(i), load_builtin(i)) for i in builtin_ids()]
        seen = {entry.id: "a built-in scenario" for entry in found}
        for origin, folder in (("folder", self.folder), ("uploaded", self.uploads)):
            for file in self._files_in(folder):
                entry = self._read(file, origin)
                if entry.scenario is not None and entry.id in seen:
                    # Listed as a problem, not hidden: the file holds a scenario nobody can open.
                    problem = f"{file.name}: id {entry.id!r} is taken by {seen[entry.id]}"
                    entry = Entry(file.stem, origin, "", None, (problem,))
                elif entry.scenario is not None:
                    seen[entry.id] = f"{file.name} ({origin})"
                found.append(entry)
        return found

    def get(self, scenario_id: str) -> Entry:
        """The scenario of that id, or else an invalid file named so (to say why)."""
        matching = [entry for entry in self.entries() if entry.id == scenario_id]
        if not matching:
            raise KeyError(scenario_id)
        return next((entry for entry in matching if entry.scenario is not None), matching[0])

    def save(self, text: str, name: str) -> Scenario:
        """Validate ``text`` and keep it as ``<id>.yaml`` in the uploads folder (a name the
        server makes, never one the client gives); a built-in's id is refused."""
        scenario = parse_scenario(text, name)
        if scenario.id in builtin_ids():
            raise ValueError(f"{scenario.id!r} is a built-in scenario's id; give the copy a new id")
        taken = [e for e in self.entries() if e.origin == "folder" and e.id == scenario.id]
        if taken:
            raise ValueError(
                f"{scenario.id!r} is the id of a scenario in the server's folder, which the "
                "server would offer instead; give the copy a new id"
            )
        self.uploads.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.uploads / f"{scenario.id}.yaml", text)
        return scenario

    def _files_in(self, folder: Path | None) -> list[Path]:
        if folder is None or not folder.is_dir():
            return []
        files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
        return files[:MAX_FILES]

    def _read(self, file: Path, origin: str) -> Entry:
        stamp = file.stat().st_mtime
        with self._lock:
            cached = self._files.get(file)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        try:
            raw = read_input(file)
            text = raw.decode("utf-8", errors="replace")
            scenario = parse_scenario(raw, file.name)
            entry = Entry(scenario.id, origin, text, scenario)
        except ScenarioError as error:
            # Named by the file's name, as parse_scenario names it: never the server's path.
            problems = tuple(
                str(replace(problem, file=file.name) if problem.file == str(file) else problem)
                for problem in error.problems
            )
            entry = Entry(file.stem, origin, "", None, problems)
        with self._lock:
            self._files[file] = (stamp, entry)
        return entry
