from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from charter.cli import main
from charter.runtime import Runtime


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
