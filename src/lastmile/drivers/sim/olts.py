"""The simulated OLTs' SNMP records from their enterprise MIBs: ZTE C320 (GPON) and
BDCOM P3310 (EPON)."""

from __future__ import annotations

from lastmile.drivers.sim.snmprec import IF, IFX, Record, w

# -- ZTE C320 -------------------------------------------------------------
ZTE = "1.3.6.1.4.1.3902"
ZTE_ONU_TYPE = f"{ZTE}.1012.3.28.1.1.1"
ZTE_ONU_NAME = f"{ZTE}.1012.3.28.1.1.2"
ZTE_ONU_DESCR = f"{ZTE}.1012.3.28.1.1.3"
ZTE_ONU_SN = f"{ZTE}.1012.3.28.1.1.5"
ZTE_ONU_STATE = f"{ZTE}.1012.3.28.2.1.4"
ZTE_ONU_RX = f"{ZTE}.1012.3.50.12.1.1.10"
ZTE_ONU_TX = f"{ZTE}.1012.3.50.12.1.1.14"
ZTE_OLT_RX = f"{ZTE}.1015.1010.11.2.1.2"
ZTE_UNCFG_SN = f"{ZTE}.1012.3.13.3.1.2"


def zte_ifindex(shelf: int, slot: int, port: int) -> int:
    """gpon-olt_<shelf>/<slot>/<port> as the C320 numbers it in SNMP."""
    return (1 << 28) | ((shelf - 1) << 24) | (slot << 16) | (port << 8)


def zte_serial_hex(serial: str) -> str:
    """ZTEGC0FFEE01 → 4 vendor letters + 4 bytes: the 8-octet ONU serial."""
    return serial[:4].encode().hex() + serial[4:].lower()


# (fiber, onu, type, serial, name, description, phase state (4 working, 2 los),
#  rx raw, tx raw, olt rx raw)
ZTE_ONUS = [
    (
        (1, 1, 1),
        1,
        "ZTE-F601",
        "ZTEGC0A10001",
        "ivanov-12",
        "Lenina 1 kv 12",
        4,
        29000,
        1100,
        -21500,
    ),
    ((1, 1, 1), 2, "ZTE-F660", "ZTEGC0A10002", "petrov-7", "Lenina 3 kv 7", 4, 65000, 1200, -23100),
    ((1, 1, 1), 3, "ZTE-F601", "ZTEGC0A10003", "", "", 2, 65535, 65535, -80000),
    ((1, 1, 2), 1, "ZTE-F601", "ZTEGC0A20001", "sidorov-1", "", 4, 0, 30000, -19000),
]


def zte_records() -> list[Record]:
    fibers = {(1, 1, 1): "up", (1, 1, 2): "up", (1, 2, 1): "down"}
    r: list[Record] = [
        ("1.3.6.1.2.1.1.1.0", "4", "ZXA10 C320, ZTE ZXA10 Software Version: V2.1.0"),
        ("1.3.6.1.2.1.1.2.0", "6", "1.3.6.1.4.1.3902.1082.1001.320.2.1"),
        ("1.3.6.1.2.1.1.3.0", "67", "123456789"),
        ("1.3.6.1.2.1.1.5.0", "4", "olt-c320-lab"),
        ("1.3.6.1.2.1.1.6.0", "4", "Node 1"),
    ]
    for (shelf, slot, port), link in fibers.items():
        idx = zte_ifindex(shelf, slot, port)
        r += [
            (f"{IF}.1.{idx}", "2", str(idx)),
            (f"{IF}.2.{idx}", "4", f"gpon-olt_{shelf}/{slot}/{port}"),
            (f"{IF}.3.{idx}", "2", "250"),  # gpon(250)
            (f"{IF}.7.{idx}", "2", "1"),
            (f"{IF}.8.{idx}", "2", "1" if link == "up" else "2"),
            (f"{IFX}.1.{idx}", "4", f"gpon-olt_{shelf}/{slot}/{port}"),
        ]
    for (shelf, slot, port), onu, typ, sn, name, descr, state, rx, tx, olt_rx in ZTE_ONUS:
        idx = zte_ifindex(shelf, slot, port)
        r += [
            (f"{ZTE_ONU_TYPE}.{idx}.{onu}", "4", typ),
            (f"{ZTE_ONU_NAME}.{idx}.{onu}", *w("4", name)),
            (f"{ZTE_ONU_DESCR}.{idx}.{onu}", *w("4", descr)),
            (f"{ZTE_ONU_SN}.{idx}.{onu}", "4x", zte_serial_hex(sn)),
            (f"{ZTE_ONU_STATE}.{idx}.{onu}", "2", str(state)),
            (f"{ZTE_ONU_RX}.{idx}.{onu}.1", "2", str(rx)),
            (f"{ZTE_ONU_TX}.{idx}.{onu}.1", "2", str(tx)),
            (f"{ZTE_OLT_RX}.{idx}.{onu}", "2", str(olt_rx)),
        ]
    # Unregistered ONUs waiting on 1/1/1 and 1/1/2
    for (shelf, slot, port), n, sn in [
        ((1, 1, 1), 1, "ZTEGC0FFEE01"),
        ((1, 1, 2), 1, "ZTEGC0FFEE02"),
    ]:
        idx = zte_ifindex(shelf, slot, port)
        r.append((f"{ZTE_UNCFG_SN}.{idx}.{n}", "4x", zte_serial_hex(sn)))
    return r


# -- BDCOM P3310 ----------------------------------------------------------
BDCOM = "1.3.6.1.4.1.3320"
BDCOM_ONU_MAC = f"{BDCOM}.101.10.1.1.3"
BDCOM_ONU_STATUS = f"{BDCOM}.101.10.1.1.26"
BDCOM_ONU_RX = f"{BDCOM}.101.10.5.1.5"
BDCOM_REBOOT = f"{BDCOM}.9.184.7.0"
BDCOM_SAVE = f"{BDCOM}.20.15.1.1.0"

# (pon, onu, ifIndex, mac, status, rx raw (0.1 dBm))
BDCOM_ONUS = [
    (1, 1, 10, "fc:fa:f7:00:01:01", 3, -235),
    (1, 2, 11, "fc:fa:f7:00:01:02", 3, -271),
    (1, 3, 12, "fc:fa:f7:00:01:03", 2, -65535),
    (2, 1, 13, "fc:fa:f7:00:02:01", 3, -189),
]


def bdcom_records() -> list[Record]:
    r: list[Record] = [
        ("1.3.6.1.2.1.1.1.0", "4", "BDCOM(tm) P3310C Software, Version 10.1.0F Build 56185"),
        ("1.3.6.1.2.1.1.2.0", "6", "1.3.6.1.4.1.3320.1.154"),
        ("1.3.6.1.2.1.1.3.0", "67", "98765432"),
        ("1.3.6.1.2.1.1.5.0", "4", "olt-p3310-lab"),
        ("1.3.6.1.2.1.1.6.0", "4", "Node 2"),
        (BDCOM_REBOOT, *w("2", "0")),
        (BDCOM_SAVE, *w("2", "0")),
    ]
    for pon, idx in [(1, 6), (2, 7), (3, 8), (4, 9)]:
        r += [
            (f"{IF}.1.{idx}", "2", str(idx)),
            (f"{IF}.2.{idx}", "4", f"EPON0/{pon}"),
            (f"{IF}.3.{idx}", "2", "117"),
            (f"{IF}.7.{idx}", "2", "1"),
            (f"{IF}.8.{idx}", "2", "1" if pon < 3 else "2"),
        ]
    for pon, onu, idx, mac, status, rx in BDCOM_ONUS:
        r += [
            (f"{IF}.1.{idx}", "2", str(idx)),
            (f"{IF}.2.{idx}", "4", f"EPON0/{pon}:{onu}"),
            (f"{IF}.3.{idx}", "2", "1"),
            (f"{IF}.7.{idx}", "2", "1"),
            (f"{IF}.8.{idx}", "2", "1" if status == 3 else "2"),
            (f"{IFX}.18.{idx}", *w("4", f"onu-{pon}-{onu}")),
            (f"{BDCOM_ONU_MAC}.{idx}", "4x", mac.replace(":", "")),
            (f"{BDCOM_ONU_STATUS}.{idx}", "2", str(status)),
            (f"{BDCOM_ONU_RX}.{idx}", "2", str(rx)),
        ]
    return r
