"""Preparing a data dir: the key file, the schema, the organization."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .crypto import Keyring, write_key_file
from .db import make_engine, upgrade
from .errors import Conflict, InvalidInput
from .runtime import Runtime, open_runtime
from .settings import Settings


def example_names() -> list[str]:
    folder = resources.files("charter") / "examples"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def example_text(name: str) -> str:
    if name not in example_names():
        raise InvalidInput(f"no example {name!r}; choose one of {', '.join(example_names())}")
    return (resources.files("charter") / "examples" / f"{name}.yaml").read_text("utf-8")


def write_policy_from_example(name: str, target: Path, *, force: bool) -> None:
    text = example_text(name)
    if target.exists() and not force:
        raise Conflict(f"{target} exists; pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def ensure_key(settings: Settings) -> bool:
    """Create the key file unless keys come from CHARTER_KEY or it exists. True if created."""
    if settings.key is not None or settings.key_file.exists():
        return False
    write_key_file(settings.key_file, Keyring.generate())
    return True


def prepare(settings: Settings) -> Runtime:
    """Data dir, key, schema up to date; returns a runtime on it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_key(settings)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    runtime = open_runtime(settings, engine=engine)
    _ = runtime.organization_id
    return runtime
