"""Read ``charter.yaml``: errors name the file, the line, the key and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import InvalidInput
from .document import Policy

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadProblem:
    file: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class PolicyInvalid(InvalidInput):
    def __init__(self, problems: list[LoadProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy with the position of every key, for findings that point at lines."""

    policy: Policy
    file: str
    positions: dict[Location, tuple[int, int]]
    source: str

    def position(self, location: Location) -> tuple[int, int]:
        return _position(self.positions, location)


def _position(positions: dict[Location, tuple[int, int]], location: Location) -> tuple[int, int]:
    """Line and column of the deepest known key on the way to ``location``."""
    for end in range(len(location), -1, -1):
        if location[:end] in positions:
            return positions[location[:end]]
    return (1, 1)


def _real_location(data: Any, loc: tuple[Any, ...], *, missing: bool) -> Location:
    """Drop the names pydantic adds for union branches, keeping only keys of the file."""
    kept: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            kept.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1 and isinstance(part, str):
            kept.append(part)
    return tuple(kept)


def key_path(location: Location) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


MERGE_TAG = "tag:yaml.org,2002:merge"


def _scalar(node: yaml.Node) -> Any:
    """A scalar's value; dates stay text (``2026-01-01``) as the policy's date keys expect."""
    value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    return value.isoformat() if isinstance(value, date) else value


def _merge_sources(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else [node]


def _build(
    node: yaml.Node, here: Location, positions: dict[Location, tuple[int, int]], file: str
) -> Any:
    positions.setdefault(here, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *anchor`: the anchored keys, unless given here
                for source in _merge_sources(value_node):
                    built = _build(source, here, positions, file)
                    if isinstance(built, dict):
                        merged = {**built, **merged}
                continue
            key = _scalar(key_node)
            if key in result:
                line = key_node.start_mark.line + 1
                raise PolicyInvalid(
                    [
                        LoadProblem(
                            file,
                            line,
                            key_node.start_mark.column + 1,
                            key_path((*here, key)),
                            "duplicate key",
                        )
                    ]
                )
            positions[(*here, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, (*here, key), positions, file)
        return {**merged, **result}
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*here, i), positions, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _expected(error: Any) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key: not part of the policy format (see docs/policy.md)"
    text = msg[len("Input should be ") :] if msg.startswith("Input should be ") else msg
    text = text.removeprefix("Value error, ")
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f"; got {got!r}"
    return f"expected {text}{shown}" if msg.startswith("Input should be") else f"{text}{shown}"


def parse_policy(source: str, file: str = "charter.yaml") -> LoadedPolicy:
    """Validate policy text. Raises :class:`PolicyInvalid` listing every problem found."""
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = f"not valid YAML: {exc.problem or exc.context}"
        raise PolicyInvalid([LoadProblem(file, line, column, "", problem)]) from None
    if root is None:
        raise PolicyInvalid([LoadProblem(file, 1, 1, "", "the file is empty")])
    positions: dict[Location, tuple[int, int]] = {}
    data = _build(root, (), positions, file)
    if not isinstance(data, dict):
        raise PolicyInvalid([LoadProblem(file, 1, 1, "", "expected a mapping at the top level")])
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = _real_location(data, error["loc"], missing=error["type"] == "missing")
            line, column = _position(positions, location)
            problems.append(LoadProblem(file, line, column, key_path(location), _expected(error)))
        unique = list(dict.fromkeys(problems))
        raise PolicyInvalid(unique) from None
    return LoadedPolicy(policy=policy, file=file, positions=positions, source=source)


def load_policy(path: str | Path) -> LoadedPolicy:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            f"{path}: no such policy file (write one, or start from `charter init --example NAME`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the policy file: {exc}") from None
    return parse_policy(source, str(path))
