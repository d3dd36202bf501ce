from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from charter.cli import main
from charter.runtime import Runtime
from charter.settings import Settings


def _staff_count(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM staff_users")).scalar_one()


def test_user_add_and_bad_input(runtime: Runtime, cli_args: list[str]) -> None:
    runner = CliRunner()
    added = runner.invoke(main, [*cli_args, "user", "add", "Clerk@LangSchool.be",
                                 "--role", "billing"])
    assert added.exit_code == 0, added.output
    assert "added clerk@langschool.be as billing" in added.output
    assert "password: " in added.output
    cases = [
        (["user", "add", "someone@langschool.be", "--role", "janitor"], 2,
         "error: role 'janitor' is not declared in the policy (known: admin, dpo, support, "
         "billing, viewer)"),
        (["user", "add", "not-an-address", "--role", "support"], 2, "error: email:"),
        (["user", "add", "x@langschool.be", "--role", "support", "--password", "short"], 2,
         "error: password: at least 12 characters"),
        (["user", "add", "clerk@langschool.be", "--role", "support"], 5,
         "error: a staff user clerk@langschool.be already exists"),
    ]
    for args, code, message in cases:
        result = runner.invoke(main, [*cli_args, *args])
        assert result.exit_code == code, result.output
        assert result.output.startswith(message), result.output
        assert len(result.output.strip().splitlines()) == 1
    assert _staff_count(runtime) == 1  # nothing of a rejected command was stored


def test_unknown_scope_is_a_usage_error(runtime: Runtime, cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "apikey", "add", "x", "--scope", "root"])
    assert result.exit_code == 2 and "'root' is not one of" in result.output


def test_worker_without_redis_says_why(runtime: Runtime, cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "worker"], env={"CHARTER_REDIS_URL": ""})
    assert result.exit_code == 3
    assert "jobs run inside `charter serve`" in result.output


UNREACHABLE = "postgresql://postgres:s3cret@127.0.0.1:1/nope"


def _one_line(result: Result) -> str:
    """The whole output of a refused command: a single line, and never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_an_unreachable_database_is_an_environment_problem(cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "--database-url", UNREACHABLE,
                                       "user", "add", "x@example.org", "--role", "admin"])
    assert result.exit_code == 3
    line = _one_line(result)
    assert line.startswith("error: cannot connect to the database "
                           "postgresql://postgres:***@127.0.0.1:1/nope: "), line
    assert "s3cret" not in line


def test_an_invalid_setting_is_bad_input(cli_args: list[str]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, [*cli_args, "serve"], env={"CHARTER_PORT": "abc"})
    assert result.exit_code == 2
    assert _one_line(result) == ("error: CHARTER_PORT: input should be a valid integer, unable "
                                 "to parse string as an integer (got 'abc')")
    both = runner.invoke(main, [*cli_args, "--session-idle-minutes", "0", "audit", "verify"],
                         env={"CHARTER_SECURE_COOKIES": "maybe"})
    assert both.exit_code == 2
    assert _one_line(both) == (
        "error: --session-idle-minutes: input should be greater than or equal to 1 (got 0); "
        "CHARTER_SECURE_COOKIES: input should be a valid boolean, unable to interpret input "
        "(got 'maybe')")


def test_a_rule_across_settings_is_one_line(cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "audit", "verify"],
                                env={"CHARTER_SMTP_USER": "clerk", "CHARTER_SMTP_PASSWORD": ""})
    assert result.exit_code == 2
    assert _one_line(result) == "error: smtp_user and smtp_password go together: give both or " \
                                "neither"


@pytest.mark.parametrize("url, message", [
    ("foo://x", "error: --database-url: 'foo://x': Charter cannot use a database of kind 'foo'; "
                "use sqlite:///PATH or postgresql://user@host:5432/dbname"),
    ("not a url", "error: --database-url: 'not a url' is not a database URL; "
                  "use sqlite:///PATH or postgresql://user@host:5432/dbname"),
])
def test_an_unusable_database_url_is_an_environment_problem(cli_args: list[str], url: str,
                                                            message: str) -> None:
    result = CliRunner().invoke(main, [*cli_args, "--database-url", url,
                                       "user", "add", "x@example.org", "--role", "admin"])
    assert result.exit_code == 3
    assert _one_line(result) == message


def test_a_database_without_the_schema_says_to_migrate(settings: Settings,
                                                      tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), "--policy",
                                       str(settings.policy), "--database-url", empty,
                                       "audit", "verify"])
    assert result.exit_code == 3
    line = _one_line(result)
    assert line.startswith(f"error: the database {empty} has no Charter schema"), line
    assert line.endswith("run `charter migrate`")


def test_the_installed_command_prints_one_line_and_no_traceback(settings: Settings) -> None:
    """The real entry point, outside CliRunner (one case: starting Python is slow here)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_")}
    done = subprocess.run(
        [sys.executable, "-m", "charter", "--data-dir", str(settings.data_dir), "--policy",
         str(settings.policy), "--database-url", UNREACHABLE, "user", "add", "x@example.org",
         "--role", "admin"],
        capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: cannot connect to the database"), done.stderr


def test_the_exit_codes_are_in_the_help() -> None:
    help_text = " ".join(CliRunner().invoke(main, ["--help"]).output.split())
    assert ("Exit codes: 0 success; 1 what was checked failed (policy errors, a broken audit "
            "chain); 2 bad input (a flag, an argument, a setting, the policy file); 3 "
            "environment problem (the key, the database); 4 not found; 5 conflict.") in help_text
