from __future__ import annotations

import pytest

from lastmile.network.demo import load_demo
from lastmile.network.models import Nas, Pool

pytestmark = pytest.mark.django_db


def test_demo_network_is_idempotent_and_big_enough() -> None:
    load_demo(customers=5000, seed=1)
    lines = load_demo(customers=5000, seed=1)
    nas = Nas.objects.get()
    assert nas.address == "127.0.0.1" and nas.get_secret() == "testing123"
    pool = Pool.objects.get()
    assert pool.size >= 5000
    assert any("radclient" in line for line in lines)
