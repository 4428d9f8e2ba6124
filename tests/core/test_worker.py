"""``lastmile worker`` runs procrastinate jobs from the shared database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.accounts.jobs import purge_expired_tokens
from lastmile.accounts.models import ApiToken
from lastmile.accounts.services import create_api_token
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_deferred_job_and_exits_in_one_shot_mode():
    user = UserFactory()
    old, _ = create_api_token(user=user, name="old", expires_in_days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=40))
    _fresh, _ = create_api_token(user=user, name="fresh")

    purge_expired_tokens.defer(timestamp=0)  # type: ignore[call-arg]  # a periodic task takes its timestamp
    call_command("worker", one_shot=True)

    # The one-shot worker may also have queued the periodic run of the same task
    # (its cron can fall in this minute): pick the job this test deferred.
    job = ProcrastinateJob.objects.get(task_name="core.purge_expired_tokens", args={"timestamp": 0})
    assert job.status == "succeeded"
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["fresh"]


@pytest.mark.django_db(transaction=True)
def test_a_job_deferred_inside_a_job_commits_with_that_job_s_transaction():
    """The worker replaces the app's connector with a pool of its own: a job
    deferred from a job must still wait for (and vanish with) its transaction."""
    from django.db import transaction
    from procrastinate.contrib.django import app

    from lastmile.core.jobs import defer_in_transaction

    with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]  # the Django connector has it
        with pytest.raises(RuntimeError), transaction.atomic():
            defer_in_transaction(purge_expired_tokens, timestamp=1)
            raise RuntimeError("the job fails after deferring")
        assert not ProcrastinateJob.objects.filter(args={"timestamp": 1}).exists()
        with transaction.atomic():
            defer_in_transaction(purge_expired_tokens, timestamp=2)
    assert ProcrastinateJob.objects.get(args={"timestamp": 2}).task_name == (
        "core.purge_expired_tokens"
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_given_queues_runs_only_those():
    """Deployments run the NAS jobs in a worker of their own (operator guide):
    ``--queues`` must reach procrastinate as its option, not as stray words."""
    purge_expired_tokens.defer(timestamp=3)  # type: ignore[call-arg]
    call_command("worker", one_shot=True, queues="network")
    job = ProcrastinateJob.objects.get(task_name="core.purge_expired_tokens", args={"timestamp": 3})
    assert job.status == "todo"
    call_command("worker", one_shot=True, queues="housekeeping,network")
    job.refresh_from_db()
    assert job.status == "succeeded"
