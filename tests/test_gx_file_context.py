"""The GX file context committed under expectations/gx/ never drifts from the checks in code.

Regenerating it gives the committed files byte for byte, GX loads it, every check is in it with
its severity, and its suites are exactly the ones `prakerja check` builds in code at run time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import great_expectations as gx
import pytest

from expectations import export_context as export
from expectations.api import all_checks
from expectations.spec import Check

COMMITTED = export.DEFAULT_OUT
HAND_WRITTEN = {"README.md"}


def _files(folder: Path) -> dict[str, bytes]:
    """Every file the export owns in `folder`: all but the README and uncommitted/."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.relative_to(folder).parts[0] != export.UNCOMMITTED
        and path.name not in HAND_WRITTEN
    }


def _committed_suites() -> dict[str, dict[str, Any]]:
    suites = {}
    for path in (COMMITTED / "expectations").rglob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suites[suite["name"]] = suite
    return suites


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@pytest.fixture(scope="module")
def checks() -> list[Check]:
    return all_checks()


@pytest.fixture(scope="module")
def plans(checks: list[Check]) -> list[export.SuitePlan]:
    return export.plan_suites(checks)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regenerated") / "gx"
    written = export.export_context(out)
    assert written, "the export wrote nothing"
    return out


def test_regenerating_gives_exactly_the_committed_files(regenerated: Path) -> None:
    committed, fresh = _files(COMMITTED), _files(regenerated)
    assert sorted(fresh) == sorted(committed), (
        "expectations/gx/ is out of date: run `.venv/bin/python -m expectations.export_context`"
    )
    changed = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not changed, f"regenerate expectations/gx/, these differ: {changed}"


def test_no_machine_path_and_stable_ids_in_the_committed_files() -> None:
    config = (COMMITTED / "great_expectations.yml").read_text(encoding="utf-8")
    assert "connection_string: duckdb:///${PRAKERJA_HOME}/raw.duckdb" in config
    assert "connection_string: duckdb:///${PRAKERJA_HOME}/build.duckdb" in config
    assert config.count("duckdb:///") == 2
    for name, content in _files(COMMITTED).items():
        text = content.decode("utf-8")
        # The export works in a temporary folder: none of its paths may leak into the files.
        assert "prakerja-gx-" not in text and "/tmp/" not in text, name
        for found in export.UUID_PATTERN.findall(text):
            assert found.split("-")[2].startswith("5"), f"{name}: {found} is not a uuid5"


@pytest.fixture()
def loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Path, dict[str, bytes]]]:
    """GX's own file context opened on a copy of the committed folder."""
    root = tmp_path / "project"
    shutil.copytree(COMMITTED, root / "gx", ignore=shutil.ignore_patterns(export.UNCOMMITTED))
    before = _files(root / "gx")
    home = tmp_path / "warehouse"
    home.mkdir()
    monkeypatch.setenv(export.HOME_VARIABLE, str(home))
    context = gx.get_context(mode="file", project_root_dir=str(root))
    yield context, home, before
    assert _files(root / "gx") == before, "opening the context changed committed files"


def test_gx_loads_the_committed_context(
    loaded: tuple[Any, Path, dict[str, bytes]], plans: list[export.SuitePlan]
) -> None:
    context, _, _ = loaded
    names = sorted(p.name for p in plans)
    assert sorted(s.name for s in context.suites.all()) == names
    assert sorted(v.name for v in context.validation_definitions.all()) == names
    checkpoints = {c.name: c for c in context.checkpoints.all()}
    assert sorted(checkpoints) == sorted(
        [export.ALL_CHECKPOINT, *export.DATABASE_CHECKPOINTS.values()]
    )
    assert sorted(v.name for v in checkpoints[export.ALL_CHECKPOINT].validation_definitions) == (
        names
    )
    for database, checkpoint_name in export.DATABASE_CHECKPOINTS.items():
        members = checkpoints[checkpoint_name].validation_definitions
        assert sorted(v.name for v in members) == sorted(
            p.name for p in plans if p.database == database
        )
        assert {v.data_source.name for v in members} == {database}

    for plan in plans:
        definition = context.validation_definitions.get(plan.name)
        assert definition.suite.name == plan.name
        assert definition.asset.name == plan.asset
        assert definition.data_source.name == plan.database
        assert len(definition.suite.expectations) == len(plan.checks)


def test_the_datasources_resolve_prakerja_home(
    loaded: tuple[Any, Path, dict[str, bytes]],
) -> None:
    import duckdb

    context, home, _ = loaded
    for database in export.DATABASES:
        duckdb.connect(str(home / f"{database}.duckdb")).close()
        datasource = context.data_sources.get(database)
        assert str(datasource.connection_string) == export.CONNECTION_STRINGS[database]
        engine = datasource.get_engine()
        try:
            # The substituted path is the one under PRAKERJA_HOME, and it opens read-only.
            assert engine.url.database == str(home / f"{database}.duckdb")
            datasource.test_connection(test_assets=False)
        finally:
            engine.dispose()


def test_every_check_is_in_the_committed_suites_with_its_severity(checks: list[Check]) -> None:
    committed: dict[tuple[str, str], dict[str, Any]] = {}
    for suite in _committed_suites().values():
        for expectation in suite["expectations"]:
            key = (expectation["meta"]["suite"], expectation["meta"]["check_id"])
            assert key not in committed, f"{key} appears twice"
            committed[key] = expectation
    assert len(committed) == len(checks)
    for check in checks:
        expectation = committed[(check.suite, check.check_id)]
        assert expectation["meta"]["severity"] == check.severity, check.check_id
        assert expectation["type"] == _snake(check.expectation), check.check_id
        assert expectation["description"] == check.expected, check.check_id
        assert expectation["kwargs"] == json.loads(json.dumps(dict(check.kwargs)))


class _Stop(Exception):
    """Raised instead of running the checkpoint: only the context the runner built matters."""


def test_committed_suites_are_what_prakerja_check_builds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    checks: list[Check],
    plans: list[export.SuitePlan],
) -> None:
    from expectations.runner import run_checks

    export.stub_databases(tmp_path, plans)
    contexts: list[Any] = []
    original: Callable[..., Any] = gx.get_context

    def recording_get_context(*args: Any, **kwargs: Any) -> Any:
        contexts.append(original(*args, **kwargs))
        return contexts[-1]

    def stop(self: Any, *args: Any, **kwargs: Any) -> None:
        raise _Stop

    monkeypatch.setattr(gx, "get_context", recording_get_context)
    monkeypatch.setattr(gx.Checkpoint, "run", stop)
    databases = {name: tmp_path / f"{name}.duckdb" for name in export.DATABASES}
    with pytest.raises(_Stop):
        run_checks(checks, databases, "export-test", None)

    (runtime,) = contexts
    committed = _committed_suites()
    built = {suite.name: suite.to_json_dict() for suite in runtime.suites.all()}
    assert sorted(built) == sorted(committed)
    for name, suite in built.items():
        assert _without_ids(suite) == _without_ids(committed[name]), name

    (checkpoint,) = runtime.checkpoints.all()
    committed_checkpoint = json.loads(
        (COMMITTED / "checkpoints" / f"{export.ALL_CHECKPOINT}.json").read_text(encoding="utf-8")
    )
    assert checkpoint.name == export.ALL_CHECKPOINT
    assert [v.name for v in checkpoint.validation_definitions] == [
        v["name"] for v in committed_checkpoint["validation_definitions"]
    ]
    for definition in checkpoint.validation_definitions:
        stored = json.loads(
            (COMMITTED / "validation_definitions" / f"{definition.name}.json").read_text(
                encoding="utf-8"
            )
        )
        assert stored["suite"]["name"] == definition.suite.name
        assert stored["data"]["asset"]["name"] == definition.asset.name
        assert stored["data"]["datasource"]["name"] == definition.data_source.name
