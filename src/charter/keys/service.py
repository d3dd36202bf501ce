"""Key rotation: a new data key becomes active, every value is re-encrypted under it in
batches (each batch its own transaction), then the old keys are forgotten. Interrupted, it
resumes where it stopped: old keys stay in the keyring until nothing needs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..crypto import write_key_file
from ..errors import EnvironmentProblem
from ..models import Sealed, sealed_models
from ..rights.exports import reencrypt_exports
from ..runtime import Runtime

BATCH = 500
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RotationReport:
    active_key: str
    reencrypted: int
    resumed: bool
    retired: list[str]


def _pending(runtime: Runtime) -> int:
    total = 0
    with runtime.transaction() as session:
        for model in sealed_models():
            # Rotation re-encrypts every organization's rows with the instance key.
            statement = (
                select(func.count())
                .select_from(model)
                .where(model.key_id != runtime.keyring.active)
                .execution_options(all_organizations=True)
            )
            total += session.scalar(statement) or 0
    return total


def _reencrypt_batch(runtime: Runtime, model: type[Sealed]) -> int:
    """Re-encrypt up to BATCH rows of one table still under an old key, in one transaction."""
    with runtime.transaction() as session:
        statement = (
            select(model)
            .where(model.key_id != runtime.keyring.active)
            .limit(BATCH)
            .execution_options(all_organizations=True)
        )
        batch = list(session.scalars(statement))
        for row in batch:
            runtime.cipher.seal(row, runtime.cipher.unseal(row))
    return len(batch)


def check_rotatable(runtime: Runtime) -> None:
    if runtime.settings.key is not None:
        raise EnvironmentProblem(
            "keys come from CHARTER_KEY: rotate with a key file (unset CHARTER_KEY, put its "
            "value in DATA_DIR/charter.key), then set CHARTER_KEY to the new file's content"
        )


def rotate_keys(
    runtime: Runtime,
    *,
    on_start: Callable[[int], None] | None = None,
    on_batch: Progress | None = None,
) -> RotationReport:
    check_rotatable(runtime)
    ring = runtime.keyring
    pending = _pending(runtime)
    resumed = pending > 0
    if not resumed:
        ring.add_key()
        write_key_file(runtime.settings.key_file, ring)
        pending = _pending(runtime)
    if on_start:
        on_start(pending)
    done = 0
    for model in sealed_models():
        while count := _reencrypt_batch(runtime, model):
            done += count
            if on_batch:
                on_batch(count)
    with runtime.transaction() as session:
        done += reencrypt_exports(session, runtime)
    retired = [kid for kid in ring.data_keys if kid != ring.active]
    for kid in retired:
        ring.retire(kid)
    write_key_file(runtime.settings.key_file, ring)
    return RotationReport(ring.active, done, resumed, retired)
