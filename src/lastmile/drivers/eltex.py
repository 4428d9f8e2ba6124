"""Eltex MES (MES1124/2124/2324/3324…): IF-MIB / Q-BRIDGE-MIB, Radlan-based private MIB.

* Ports: gi1/0/N is ifIndex 48+N on MES23xx; bridge ports 1..N map through
  dot1dBasePortIfIndex (the generic driver already does).
* Reboot: rndAction (``1.3.6.1.4.1.89.1.2.0``) = reset(1).
* Save: a row of rlCopyTable (``1.3.6.1.4.1.89.87.2.1``): source local(1)
  runningConfig(2) → destination local(1) startupConfig(3), createAndGo(4).
"""

from __future__ import annotations

from lastmile.drivers.base import register
from lastmile.drivers.vendor_common import VendorSwitch

RND_ACTION = "1.3.6.1.4.1.89.1.2.0"
RL_COPY = "1.3.6.1.4.1.89.87.2.1"
ROW = 1


@register
class EltexMes(VendorSwitch):
    name = "eltex_mes"
    title = "Eltex MES"
    models = ("MES1124", "MES2124", "MES2324", "MES3324", "MES")
    reboot_set = ((RND_ACTION, 1),)
    save_set = (
        (f"{RL_COPY}.3.{ROW}", 1),  # rlCopySourceLocation = local
        (f"{RL_COPY}.7.{ROW}", 2),  # rlCopySourceFileType = runningConfig
        (f"{RL_COPY}.8.{ROW}", 1),  # rlCopyDestinationLocation = local
        (f"{RL_COPY}.12.{ROW}", 3),  # rlCopyDestinationFileType = startupConfig
        (f"{RL_COPY}.17.{ROW}", 4),  # rlCopyRowStatus = createAndGo
    )
