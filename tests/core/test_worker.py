"""``lastmile worker`` runs procrastinate jobs from the shared database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from lastmile.accounts.models import ApiToken
from lastmile.accounts.services import create_api_token
from lastmile.core.jobs import purge_expired_tokens
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_deferred_job_and_exits_in_one_shot_mode():
    user = UserFactory()
    old, _ = create_api_token(user=user, name="old", expires_in_days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=40))
    _fresh, _ = create_api_token(user=user, name="fresh")

    purge_expired_tokens.defer(timestamp=0)
    call_command("worker", one_shot=True)

    job = ProcrastinateJob.objects.get(task_name="core.purge_expired_tokens")
    assert job.status == "succeeded"
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["fresh"]
