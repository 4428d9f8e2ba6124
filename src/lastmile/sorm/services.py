"""SORM export use cases: run an export (full, incremental, as of a moment),
deliver its files in dependency order, retry what failed.

Each file is written to ``LASTMILE_SORM_STORAGE_DIR`` as it is produced
(streamed, hashed on the way), recorded with its SHA-256, then uploaded;
a failed upload is retried with backoff from that stored file, in the
original order, and nothing of a later stage is sent before an earlier
stage is delivered (a payment never reaches SORM before its subscriber).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.sorm import bulk, delivery, journal, sources, sql_sources, validation
from lastmile.sorm.filetypes import REGISTRY, ordered
from lastmile.sorm.formats import FileType, Rendered, render_rows
from lastmile.sorm.models import ExportFile, ExportRun, FileState, RunKind, RunState

log = structlog.get_logger(__name__)

LOCK_KEY = 0x534F524D  # "SORM"
PENDING = (FileState.FAILED, FileState.HELD)


class ExportBusy(RuntimeError):
    """Another SORM export is running (one at a time keeps names and order)."""


def _conf() -> Any:
    return settings.LASTMILE


@contextmanager
def _exclusive() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        (locked,) = cursor.fetchone()
    if not locked:
        raise ExportBusy(_("Another SORM export is running; try again when it has finished."))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def storage_root() -> Path:
    root = Path(_conf().sorm_storage_dir)
    root.mkdir(parents=True, exist_ok=True)
    return root


def stored_file(export_file: ExportFile) -> Path:
    return storage_root() / export_file.storage_path


def run_export(
    *,
    full: bool = False,
    as_of: datetime | None = None,
    upload: bool | None = None,
    actor: Any = None,
    only: list[str] | None = None,
) -> ExportRun:
    """Produce (and, if an FTP server is set, deliver) one export.

    Without ``full`` or ``as_of`` the run is incremental from the last run's
    watermarks (the first run is always full).  ``as_of`` rebuilds the full
    state of a past moment from the journal and is not uploaded unless
    ``upload`` says so.  ``only``: a subset of file type codes.
    """
    with _exclusive():
        return _run(full=full, as_of=as_of, upload=upload, actor=actor, only=only)


def _run(
    *,
    full: bool,
    as_of: datetime | None,
    upload: bool | None,
    actor: Any,
    only: list[str] | None,
) -> ExportRun:
    sources.reset_caches()
    previous = (
        ExportRun.objects.exclude(kind=RunKind.AS_OF)
        .exclude(state=RunState.FAILED)
        .exclude(watermarks={})
        .order_by("-id")
        .first()
    )
    if as_of is not None:
        kind = RunKind.AS_OF
    elif full or previous is None:
        kind = RunKind.FULL
    else:
        kind = RunKind.INCREMENTAL
    if upload is None:
        upload = kind != RunKind.AS_OF
    if kind != RunKind.AS_OF:
        seeded = sources.seed_journal()
        if seeded:
            log.warning("sorm.journal_seeded", rows=seeded)
    started = journal.database_now()
    watermarks = journal.read_sequence_values(sources.watermark_models())
    waited = journal.wait_for_older_transactions(started, _conf().sorm_watermark_wait_s)
    until = as_of or timezone.now()
    run = ExportRun.objects.create(
        kind=kind,
        as_of=until,
        since=previous.as_of if kind == RunKind.INCREMENTAL and previous else None,
        # A rebuild or a subset run does not move the incremental watermark.
        watermarks=watermarks if kind != RunKind.AS_OF and not only else {},
        upload=upload,
        actor=actor if getattr(actor, "pk", None) else None,
        error="" if waited else _("Some transactions older than the run were still open."),
    )
    window = sources.Window(until=until)
    if kind == RunKind.INCREMENTAL and previous is not None:
        window = sources.Window(
            until=until, since=previous.as_of, after=previous.watermarks, upto=watermarks
        )
    log.info("sorm.run_started", run=run.pk, kind=kind, as_of=until.isoformat())
    try:
        validation.refresh_gaps()
        for file_type in ordered():
            if only and file_type.code not in only:
                continue
            _produce(run, file_type, window)
    except Exception as exc:
        run.state = RunState.FAILED
        run.error = f"{run.error}\n{type(exc).__name__}: {exc}".strip()
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        log.exception("sorm.run_failed", run=run.pk)
        raise
    if upload:
        deliver_pending(now=timezone.now(), run=run)
    return _finish(run)


def _finish(run: ExportRun) -> ExportRun:
    states = set(run.files.values_list("state", flat=True))
    run.state = RunState.PARTIAL if states & set(PENDING) else RunState.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    log.info("sorm.run_finished", run=run.pk, state=run.state)
    return run


def _free_name(file_type: FileType, at: datetime) -> str:
    """The file's remote name; a name already used gets the next second."""
    name = file_type.remote_path(at)
    if not file_type.timestamped:
        return name
    while ExportFile.objects.filter(remote_path=name).exists():
        at += timedelta(seconds=1)
        name = file_type.remote_path(at)
    return name


def _produce(run: ExportRun, file_type: FileType, window: sources.Window) -> ExportFile:
    remote = _free_name(file_type, window.until)
    relative = Path(f"{run.pk:08d}") / remote.replace("/", "__")
    target = storage_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    partial = target.with_suffix(".part")
    result = Rendered()
    with partial.open("wb") as handle:

        def sink(chunk: bytes) -> None:
            nonlocal size
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)

        query = sql_sources.sql_rows_for(file_type.code, window)
        streamed = sql_sources.streamed_rows_for(file_type.code, window)
        if query is not None:
            bulk.copy_rows(file_type, query, sink, result=result)
        elif streamed is not None:
            render_rows(file_type, streamed, sink, result=result)
        else:
            render_rows(file_type, sources.rows_for(file_type.code, window), sink, result=result)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(target)
    state = FileState.STORED
    if result.rows == 0 and not _conf().sorm_upload_empty:
        state = FileState.EMPTY
    export_file = ExportFile.objects.create(
        run=run,
        file_type=file_type.code,
        stage=file_type.stage,
        remote_path=remote,
        storage_path=str(relative),
        transfer_mode=file_type.transfer_mode,
        rows=result.rows,
        rejected=result.rejected,
        errors=result.errors,
        size=size,
        sha256=digest.hexdigest(),
        state=state,
    )
    log.info(
        "sorm.file_stored",
        file=remote,
        rows=result.rows,
        rejected=result.rejected,
        sha256=export_file.sha256,
    )
    return export_file


def _backoff_s(attempt: int) -> float:
    conf = _conf()
    return float(min(conf.sorm_ftp_retry_cap_s, conf.sorm_ftp_retry_base_s * (2 ** (attempt - 1))))


def deliver_pending(*, now: datetime | None = None, run: ExportRun | None = None) -> int:
    """Send, in order, every file waiting for delivery: earlier runs' failed
    and held files first, then ``run``'s stored ones.  A file that still
    fails holds every later one.  Returns how many were delivered."""
    target = delivery.FtpTarget.from_settings()
    if target is None:
        return 0
    now = now or timezone.now()
    waiting = list(ExportFile.objects.filter(state__in=PENDING).order_by("run_id", "stage", "id"))
    if run is not None:
        waiting += list(run.files.filter(state=FileState.STORED).order_by("stage", "id"))
    delivered = 0
    blocked = False
    for export_file in waiting:
        if blocked:
            _hold(export_file)
            continue
        if _send(target, export_file):
            delivered += 1
        else:
            blocked = True
    return delivered


def _hold(export_file: ExportFile) -> None:
    if export_file.state != FileState.HELD:
        export_file.state = FileState.HELD
        export_file.save(update_fields=["state"])


def _send(target: delivery.FtpTarget, export_file: ExportFile) -> bool:
    """Upload with in-run retries; the record keeps every attempt."""
    local = stored_file(export_file)
    attempts = _conf().sorm_ftp_attempts
    for attempt in range(1, attempts + 1):
        export_file.attempts += 1
        started = timezone.now()
        try:
            _check_stored(export_file, local)
            delivery.upload(target, local, export_file.remote_path, mode=export_file.transfer_mode)
        except (delivery.DeliveryError, StoredFileChanged) as exc:
            export_file.attempt_log.append({"at": started.isoformat(), "error": str(exc)})
            export_file.last_error = str(exc)
            log.warning("sorm.upload_failed", file=export_file.remote_path, error=str(exc))
            if isinstance(exc, StoredFileChanged):
                break
            if attempt < attempts:
                time.sleep(_backoff_s(attempt))
            continue
        export_file.attempt_log.append({"at": started.isoformat(), "error": ""})
        export_file.state = FileState.UPLOADED
        export_file.uploaded_at = timezone.now()
        export_file.next_attempt_at = None
        export_file.save()
        log.info("sorm.uploaded", file=export_file.remote_path, attempts=export_file.attempts)
        return True
    export_file.state = FileState.FAILED
    export_file.next_attempt_at = timezone.now() + timedelta(
        seconds=_backoff_s(export_file.attempts)
    )
    export_file.save()
    return False


class StoredFileChanged(RuntimeError):
    """The stored file is missing or no longer matches its recorded hash."""


def _check_stored(export_file: ExportFile, local: Path) -> None:
    if not local.exists():
        raise StoredFileChanged(_("The stored file is missing: %(path)s") % {"path": local})
    digest = hashlib.sha256()
    with local.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != export_file.sha256:
        raise StoredFileChanged(_("The stored file no longer matches its SHA-256."))


def retry_due(*, now: datetime | None = None) -> int:
    """The periodic retry: deliver pending files once the first is due."""
    now = now or timezone.now()
    first = ExportFile.objects.filter(state__in=PENDING).order_by("run_id", "stage", "id").first()
    if first is None or (first.next_attempt_at and first.next_attempt_at > now):
        return 0
    with _exclusive():
        delivered = deliver_pending(now=now)
    for run in ExportRun.objects.filter(state=RunState.PARTIAL):
        _finish(run)
    return delivered


def periodic_is_full(at: datetime) -> bool:
    weekday = int(_conf().sorm_full_cron_weekday)
    return weekday >= 0 and timezone.localtime(at).weekday() == weekday


def file_type_of(export_file: ExportFile) -> FileType:
    return REGISTRY[export_file.file_type]
