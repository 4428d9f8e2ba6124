"""The session list names the NAS request kinds without importing the aaa app
(network sits below it): its labels must stay those of ``NasAttempt.Kind``."""

from lastmile.aaa.models import NasAttempt
from lastmile.network.tables import COA_KIND_LABELS


def test_the_session_list_knows_every_request_kind_by_its_label() -> None:
    assert {k: str(v) for k, v in COA_KIND_LABELS.items()} == {
        k: str(v) for k, v in NasAttempt.Kind.choices
    }
