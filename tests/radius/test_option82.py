"""Option 82 parsers: golden values built from vendor documentation, hostile
input, and properties (garbage raises only Option82Error; an accepted value
has one stable key whatever encoding carried it).

Sources, cited by tag next to each golden example (byte layouts; where a
document gives concrete values they are used as they are):

[RFC3046]  RFC 3046 §2.0: sub-option 1 Agent Circuit ID, 2 Agent Remote ID.
[RFC4679]  RFC 4679 §3: Agent-Circuit-Id (3561/1) and Agent-Remote-Id (3561/2).
[DES3528]  D-Link xStack DES-3528 manual, "Circuit ID and Remote ID Sub-option
           Format", https://www.easymanua.ls/d-link/xstack-des-3528-series/manual?p=30
[DGS3200]  D-Link DGS-3200 manual, same figure,
           https://www.manualshelf.com/manual/d-link/dgs-3200-10/system-information-english/page-32.html
[DGS6604]  D-Link DGS-6604 CLI guide, "ip dhcp relay information option",
           https://www.easymanua.ls/d-link/dgs-6600-48ts/manual?p=267
[DGS3120]  D-Link DGS-3120 CLI Reference 25-20 "config dhcp_relay option_82
           circuit_id" (default, vendor1, vendor2, vendor4, vendor5),
           https://manualshive.com/ru/manual/d-link/xstack-dgs-3120-24pc/76210?page=314
           and http://88.208.23.73:8080/en/manual/d-link/xstack-dgs-3120-series/3503867?page=315
[DGS1520]  D-Link DGS-1520 CLI guide (vendor1/vendor2, remote-id vendor2),
           https://www.manualowl.com/m/D-Link/DGS-1520-28MP/Manual/727206?page=212
           and https://www.manualowl.com/m/D-Link/DGS-1520/Manual/639520?page=208
[DIS300G]  D-Link DIS-300G manual, "Relay Information Mode" ("00030108"),
           https://www.manualowl.com/m/D-Link/DIS-300G-14PSW/Manual/727336?page=41
[CISCOIE]  Cisco IE 2000 Software Configuration Guide OL-25866-01, figures 25-2
           and 25-3, http://38.142.81.21:8001/manual/cisco-systems/switch-ie-2000/user-manual-english/page-487.html
[TPLINK]   TP-Link T1500G User Guide, tables 1-1 and 1-2,
           https://www.easymanua.ls/tp-link/jetstream-t1500g-8t/manual?p=420
[ELTEX]    Eltex MES1000/MES2000 manual, tables 5.210 (TR-101) and 5.211 (custom),
           https://manualshive.com/ru/manual/eltex/mes1000/2397345?page=181
           (MES3000: tables 5.212/5.213, https://www.easymanua.ls/eltex/mes3108/manual?p=181)
[HUAWEI]   Huawei command reference "dhcp option82 format" (default, common,
           extend), http://a10.tagan.ru/huawei/dc/dhcp_option82_format.html ;
           user-defined example "0 %length %svlan %5slot %3subslot %8port",
           http://a10.tagan.ru/huawei/dc/dhcp_option82_format_hide.html ;
           the same command on an S2300 V100R006C05 ("dhcp option82 format extend"),
           https://pastebin.com/Msn9ZpEy
[NE8000]   Huawei NetEngine 8000 "dhcp option82 format" type1,
           http://a10.tagan.ru/huawei/netengine8000f1a/command/8090/DhcpIntfOptForm_3(DHCPOM).html
[JUNOS94]  Junos 9.4 "circuit-id" and "Configuring agent-circuit-id information"
           ("ge-4/1/1:122-500"), https://juniper.net/documentation/en_US/junos9.4/information-products/topic-collections/subscriber-access/circuit-id-edit-forwarding-options.html
[JUNOSEX]  Junos 10.3 EX "circuit-id": interface-name:vlan-name, and a public
           dnsmasq set-up keyed on it ("ge-0/0/0.0:staging"),
           https://gist.github.com/jeremyschulman/5880774
[ZTE]      ZTE C3xx ONU set-up "port-location sub-option remote-id name <ONU MAC>
           vport 1", ONU MAC written 45:47:xx:xx:xx:xx from the GPON SN, in
           nerosketch/djing2 devices/device_config/pon/gpon (zte_utils.sn_to_mac);
           GPON SN as 4 vendor letters + 8 hex digits ("sn AABCEF123456"),
           https://github.com/gitvkt/zte-c300/
"""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lastmile.radius import option82
from lastmile.radius.option82 import (
    FORMATS,
    MAX_VALUE_OCTETS,
    Option82Error,
    parse_relay_agent,
    relay_key,
)

SWITCH_MAC = "00:11:22:33:44:55"
MAC_TLV = bytes.fromhex("0006001122334455")  # [DES3528] remote-id: 0 | 6 | MAC


def mac_tlv(mac: str) -> bytes:
    return b"\x00\x06" + bytes.fromhex(mac.replace(":", ""))


def refusal(remote: object, circuit: object, **kwargs: object) -> str:
    with pytest.raises(Option82Error) as caught:
        parse_relay_agent(remote, circuit, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


# ---- golden values, one group per format --------------------------------------


class TestVlanModulePort:
    def test_standalone_switch_module_is_zero(self) -> None:
        # [DES3528] [DGS3200] circuit 0|4|VLAN(2)|module|port; standalone module 0.
        agent = parse_relay_agent(MAC_TLV, bytes.fromhex("000400640005"))
        assert agent.format == "vlan-module-port"
        assert agent.key() == (SWITCH_MAC, "0/5")
        assert (agent.vlan, agent.port.unit, agent.port.port) == (100, 0, 5)

    def test_stacked_unit_in_module_field(self) -> None:
        # [DGS6604] "For a stackable switch, Module is Unit ID"; [CISCOIE] figure
        # 25-2 has the same VLAN(2) module(1) port(1) layout.
        agent = parse_relay_agent(mac_tlv("00:1b:54:c2:30:01"), bytes.fromhex("0004000a0318"))
        assert agent.key() == ("00:1b:54:c2:30:01", "3/24")
        assert agent.vlan == 10

    def test_hex_text_from_the_nas_gives_the_raw_key(self) -> None:
        # The NAS relays the same [DES3528] bytes as text, with or without 0x.
        raw = parse_relay_agent(MAC_TLV, bytes.fromhex("000400640118")).key()
        assert raw == (SWITCH_MAC, "1/24")
        pairs: list[tuple[bytes | str, bytes | str]] = [
            ("0x0006001122334455", "0x0004006401 18"),
            ("00:06:00:11:22:33:44:55", "00:04:00:64:01:18"),
            ("0006 0011 2233 4455", "0004 0064 0118"),
            (b"0x0006001122334455", b"000400640118"),
        ]
        for remote, circuit in pairs:
            assert parse_relay_agent(remote, circuit).key() == raw

    def test_eltex_custom_and_tplink_normal_share_the_layout(self) -> None:
        # [ELTEX] table 5.211 and [TPLINK] tables 1-1/1-2: type 0 len 4 / type 0 len 6.
        agent = parse_relay_agent(mac_tlv("a8:f9:4b:10:20:30"), bytes.fromhex("000400c80107"))
        assert agent.key() == ("a8:f9:4b:10:20:30", "1/7")
        assert agent.vlan == 200

    def test_user_configured_remote_id_string(self) -> None:
        # [DES3528] remote-id for a user-configured string: 1 | N | ASCII.
        agent = parse_relay_agent(b"\x01\x08Core-SW1", bytes.fromhex("000400640005"))
        assert agent.key() == ("name:core-sw1", "0/5")


class TestHuaweiExtend:
    def test_slot_and_subslot_bits_when_forced(self) -> None:
        # [HUAWEI] extend: 0|4|S-VLAN(2)|slot(5 bits) subslot(3 bits)|port(1).
        # Slot 1, subslot 0, port 3 -> 0b00001_000 = 0x08.
        agent = parse_relay_agent(MAC_TLV, bytes.fromhex("000400640803"), format="huawei-extend")
        assert agent.key() == (SWITCH_MAC, "1/3")
        assert (agent.port.unit, agent.port.slot, agent.port.port) == (1, 0, 3)

    def test_subslot_is_kept(self) -> None:
        # [HUAWEI] user-defined example "0 %length %svlan %5slot %3subslot %8port":
        # slot 2, subslot 1, port 10 -> 0b00010_001 = 0x11.
        agent = parse_relay_agent(MAC_TLV, bytes.fromhex("000401f4110a"), format="huawei-extend")
        assert agent.key() == (SWITCH_MAC, "2/1/10")
        assert agent.vlan == 500

    def test_auto_reads_the_shared_header_as_vlan_module_port(self) -> None:
        # The header is byte-identical to [DES3528]; auto gives the one-to-one
        # vlan-module-port numbering, and slot 0 subslot 0 agrees in both.
        assert parse_relay_agent(MAC_TLV, bytes.fromhex("000400640803")).key() == (
            SWITCH_MAC,
            "8/3",
        )
        forced = parse_relay_agent(MAC_TLV, bytes.fromhex("000400640001"), format="huawei-extend")
        assert forced.key() == relay_key(MAC_TLV, bytes.fromhex("000400640001"))


class TestVlanModulePortBare:
    def test_documented_hex_string(self) -> None:
        # [DIS300G] "00030108" means VLAN 3, switch ID 1, port 8; remote-id is the
        # switch MAC.
        agent = parse_relay_agent("001122334455", "00030108")
        assert agent.format == "vlan-module-port-bare"
        assert agent.key() == (SWITCH_MAC, "1/8")
        assert agent.vlan == 3

    def test_raw_bytes_standalone(self) -> None:
        # [DIS300G] layout as raw octets: VLAN 10, module 0, port 24.
        agent = parse_relay_agent(bytes.fromhex("001122334455"), bytes.fromhex("000a0018"))
        assert agent.key() == (SWITCH_MAC, "0/24")


class TestDlinkVendor1:
    def test_vlan_slot_port_and_mac(self) -> None:
        # [DGS3120] vendor1: 0|6|VLAN(2)|slot(2)|port(2)|1|6|MAC(6), length 0x10.
        circuit = bytes.fromhex("00060064000100050106001122334455")
        agent = parse_relay_agent(MAC_TLV, circuit)
        assert agent.format == "dlink-vendor1"
        assert agent.key() == (SWITCH_MAC, "1/5")

    def test_circuit_mac_identifies_the_switch_without_remote_id(self) -> None:
        # [DGS1520] vendor1, stacked box 2 port 48, VLAN 4094.
        circuit = bytes.fromhex("00060ffe000200300106f07d68aabbcc")
        agent = parse_relay_agent(None, circuit)
        assert agent.key() == ("f0:7d:68:aa:bb:cc", "2/48")
        assert agent.vlan == 4094


class TestUserStringTlv:
    def test_cisco_user_configured_circuit_string(self) -> None:
        # [CISCOIE] figure 25-3: user-configured circuit-ID type 1, variable length.
        circuit = b"\x01\x0cBldg2-Flat17"
        agent = parse_relay_agent(MAC_TLV, circuit)
        assert agent.format == "user-string"
        assert agent.key() == (SWITCH_MAC, "text:bldg2-flat17")

    def test_dlink_user_define_circuit_with_string_remote(self) -> None:
        # [DGS3120] user_define: 1 | n+2 | 1 | n, the inner 1|n being this TLV.
        agent = parse_relay_agent(b"\x01\x04sw-7", b"\x01\x07Room 12")
        assert agent.key() == ("name:sw-7", "text:room 12")


class TestDlinkVendor2:
    def test_documented_port_two(self) -> None:
        # [DGS3120] [DGS1520] vendor2: "p02 means port 2".
        agent = parse_relay_agent(MAC_TLV, "p02")
        assert agent.key() == (SWITCH_MAC, "1/2")

    def test_documented_stacked_port(self) -> None:
        # [DGS1520] "the format of port 1 on the switch unit 3 is p129" (64 per unit).
        agent = parse_relay_agent(MAC_TLV, b"p129")
        assert (agent.port.unit, agent.port.port) == (3, 1)

    def test_system_name_remote_id(self) -> None:
        # [DGS1520] remote-id vendor2: 2 | n | system name (no inner type).
        assert parse_relay_agent(b"DGS-1520-28", "p10").key() == ("name:dgs-1520-28", "1/10")


class TestDlinkVendor4:
    def test_sysname_module_port_vlan(self) -> None:
        # [DGS3120] vendor4: system name "-" module "/" port "-" CVID.
        agent = parse_relay_agent(MAC_TLV, "DGS-3120-24TC-1/5-100")
        assert agent.format == "dlink-vendor4"
        assert agent.key() == (SWITCH_MAC, "1/5")
        assert agent.vlan == 100

    def test_sysname_alone_identifies_the_switch(self) -> None:
        # [DGS3120] vendor4 with no remote-id: the system name is the switch.
        agent = parse_relay_agent(b"", "core-sw-2/48-4094")
        assert agent.key() == ("name:core-sw", "2/48")


class TestTr101:
    def test_eltex_tr101_matches_eltex_custom_for_the_same_port(self) -> None:
        # [ELTEX] table 5.210: "eth <stacked/slotid/interfaceid>:<vlan>" after the
        # host name; remote agent id: enterprise number 0089c1 + switch MAC.
        remote = bytes.fromhex("0089c1a8f94b102030")
        agent = parse_relay_agent(remote, "MES2324 eth 1/0/5:100")
        assert agent.format == "tr101"
        assert agent.key() == ("a8:f9:4b:10:20:30", "1/5")
        custom = relay_key(mac_tlv("a8:f9:4b:10:20:30"), bytes.fromhex("000400640105"))
        assert agent.key() == custom  # [ELTEX] table 5.211, unit 1 port 5

    def test_dlink_vendor5_matches_the_default_format(self) -> None:
        # [DGS3120] vendor5: "<sysname> eth <chassis>/<slot>/<port>:<VLAN>",
        # chassis 0 when standalone, as the default format's module 0.
        agent = parse_relay_agent(MAC_TLV, "DGS-3120 eth 0/0/5:100")
        assert agent.key() == relay_key(MAC_TLV, bytes.fromhex("000400640005"))
        assert agent.vlan == 100

    def test_node_name_without_remote_id(self) -> None:
        # [RFC4679] Agent-Circuit-Id carries the access node id and its port.
        agent = parse_relay_agent(None, "olt-7 eth 0/1/0/12:100")
        assert agent.key() == ("name:olt-7", "0/1/0/12")


class TestHuaweiText:
    def test_default_format_with_raw_mac_remote(self) -> None:
        # [HUAWEI] default: "interface name:svlan.cvlan host name/0/0/0/0/0"
        # (ASCII), remote-id the device MAC in hexadecimal notation.
        agent = parse_relay_agent(
            bytes.fromhex("00e0fc123456"), "GigabitEthernet0/0/1:100.0 HUAWEI/0/0/0/0/0"
        )
        assert agent.format == "huawei-text"
        assert agent.key() == ("00:e0:fc:12:34:56", "gi0/0/1")
        assert (agent.vlan, agent.svlan) == (100, None)

    def test_common_format_with_ascii_mac_remote(self) -> None:
        # [HUAWEI] common: "{eth|trunk}slot/subcard/port:svlan.cvlan host name0/0/0/0/0",
        # remote-id the MAC in ASCII.
        agent = parse_relay_agent("00e0-fc12-3456", "eth0/0/2:10.20 S5300-A0/0/0/0/0")
        assert agent.key() == ("00:e0:fc:12:34:56", "eth0/0/2")
        assert (agent.vlan, agent.svlan) == (20, 10)

    def test_host_name_identifies_the_switch_without_remote_id(self) -> None:
        # [NE8000] type1: "interface name:outer VLAN.inner VLAN system name/0/0/0/0/0".
        agent = parse_relay_agent(None, "XGigabitEthernet1/0/3:200.0 BRAS-1/0/0/0/0/0")
        assert agent.key() == ("name:bras-1", "xgi1/0/3")


class TestJuniper:
    def test_documented_stacked_vlans(self) -> None:
        # [JUNOS94] "ge-4/1/1:122-500": FPC 4, PIC 1, port 1, S-VLAN 122, VLAN 500.
        agent = parse_relay_agent(b"mx-edge1", "ge-4/1/1:122-500")
        assert agent.format == "juniper"
        assert agent.key() == ("name:mx-edge1", "ge-4/1/1")
        assert (agent.svlan, agent.vlan) == (122, 500)

    def test_ex_interface_and_vlan_name(self) -> None:
        # [JUNOSEX] interface-name:vlan-name, "ge-0/0/0.0:staging".
        agent = parse_relay_agent(b"ex-access-3", "ge-0/0/0.0:staging")
        assert agent.key() == ("name:ex-access-3", "ge-0/0/0")
        assert agent.vlan is None

    def test_logical_unit_and_vlan_number(self) -> None:
        # [JUNOS94] "(fe | ge)-fpc/pic/port:vlan-id"; the logical unit is not the port.
        assert relay_key(MAC_TLV, "ge-0/0/1.0:100") == relay_key(MAC_TLV, "ge-0/0/1:100")


class TestCiscoInterface:
    def test_short_and_long_names_are_one_port(self) -> None:
        # Cisco IOS interface names (Gi1/0/24 is GigabitEthernet1/0/24) as a NAS
        # forwards them in plain text. No vendor document shows this on the
        # wire: the example is issue #13's; [CISCOIE] covers the binary forms.
        short = parse_relay_agent(MAC_TLV, "Gi1/0/24")
        assert short.format == "cisco-interface"
        assert short.key() == (SWITCH_MAC, "gi1/0/24")
        assert relay_key(MAC_TLV, "GigabitEthernet1/0/24") == short.key()

    def test_fast_ethernet_with_vlan_is_not_gigabit(self) -> None:
        # Fa0/1 and Gi0/1 coexist on one switch: the interface type is kept.
        agent = parse_relay_agent("0011.2233.4455", "Fa0/1:100")
        assert agent.key() == (SWITCH_MAC, "fa0/1")
        assert agent.vlan == 100
        assert relay_key(MAC_TLV, "Gi0/1") != agent.key()


class TestZteOnu:
    def test_onu_mac_in_remote_id(self) -> None:
        # [ZTE] "port-location sub-option remote-id name 45:47:c0:a1:b2:c3 vport 1".
        agent = parse_relay_agent("45:47:c0:a1:b2:c3", "")
        assert agent.format == "zte-onu"
        assert agent.key() == ("onu:45:47:c0:a1:b2:c3", "")
        assert agent.onu_mac == "45:47:c0:a1:b2:c3"

    def test_gpon_serial_text_and_hex_are_one_onu(self) -> None:
        # [ZTE] SN "ZTEGC0A1B2C3" (4 vendor letters + 8 hex digits); some NASes
        # relay it hex-encoded: "ZTEG" = 5A544547.
        text = parse_relay_agent("ZTEGC0A1B2C3", None)
        assert text.onu_serial == "ZTEGC0A1B2C3"
        assert relay_key("5A544547C0A1B2C3", None) == text.key() == ("onu-sn:ZTEGC0A1B2C3", "")

    def test_pon_location_circuit_is_not_part_of_the_key(self) -> None:
        # [ZTE] the OLT location in the circuit-id does not change the ONU.
        located = relay_key("45:47:c0:a1:b2:c3", "OLT-1 gpon-onu_1/2/4:60")
        assert located == relay_key("45:47:c0:a1:b2:c3", b"")

    def test_any_circuit_only_when_the_operator_says_onu(self) -> None:
        # An Ethernet port circuit with a MAC remote-id is a switch port in auto.
        assert relay_key("45:47:c0:a1:b2:c3", "Gi1/0/1") == ("45:47:c0:a1:b2:c3", "gi1/0/1")
        forced = relay_key("45:47:c0:a1:b2:c3", "Gi1/0/1", format="onu")
        assert forced == ("onu:45:47:c0:a1:b2:c3", "")


class TestOnuForced:
    def test_serial_with_an_unrelated_circuit(self) -> None:
        # [ZTE] an OLT whose circuit-id names its own uplink port: forced "onu".
        agent = parse_relay_agent(b"ZTEGC0A1B2C3", b"Gi0/1", format="onu")
        assert agent.key() == ("onu-sn:ZTEGC0A1B2C3", "")

    def test_raw_mac_octets(self) -> None:
        # [ZTE] the ONU MAC relayed as six raw octets instead of text.
        agent = parse_relay_agent(bytes.fromhex("4547c0a1b2c3"), b"\x00\x01", format="onu")
        assert agent.onu_mac == "45:47:c0:a1:b2:c3"


class TestOperatorText:
    def test_free_text_circuit_only_when_forced(self) -> None:
        # [DGS3120] vendor3: a user-defined string with no inner type byte.
        assert refusal(MAC_TLV, "Flat 17") == option82.NO_MATCH
        agent = parse_relay_agent(MAC_TLV, "Flat 17", format="text")
        assert agent.key() == (SWITCH_MAC, "text:flat 17")

    def test_eltex_per_interface_string(self) -> None:
        # [ELTEX] "ip dhcp information option format-type circuit-id <1..63 chars>".
        agent = parse_relay_agent(MAC_TLV, b"Lenina-5  entrance-2", format="text")
        assert agent.key() == (SWITCH_MAC, "text:lenina-5 entrance-2")

    def test_staff_typed_values_match_what_the_nas_sends(self) -> None:
        # A binding typed in the UI (hex text, spaces around) has the NAS's key.
        typed = relay_key(" 0x0006001122334455 ", " 0004006401 18 ")
        assert typed == relay_key(MAC_TLV, bytes.fromhex("000400640118"))


# ---- refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "circuit", "reason"),
    [
        (b"", b"", option82.EMPTY),
        (None, None, option82.EMPTY),
        ("   ", "", option82.EMPTY),
        # truncated TLVs
        (MAC_TLV, bytes.fromhex("0004006400"), option82.NO_MATCH),
        (MAC_TLV[:-1], bytes.fromhex("000400640005"), option82.NO_MATCH),
        (MAC_TLV, b"\x01\x09short", option82.NO_MATCH),
        # wrong lengths
        (MAC_TLV, bytes.fromhex("000500640005"), option82.NO_MATCH),
        (bytes.fromhex("0007001122334455"), bytes.fromhex("000400640005"), option82.NO_MATCH),
        (MAC_TLV, bytes.fromhex("0006006400010005010700112233445566")[:16], option82.NO_MATCH),
        # unknown type bytes
        (MAC_TLV, bytes.fromhex("070400640005"), option82.NO_MATCH),
        (bytes.fromhex("0906001122334455"), bytes.fromhex("000400640005"), option82.NO_MATCH),
        # non-UTF-8 / non-printable text
        (MAC_TLV, b"\xff\xfeGi1/0/1", option82.NO_MATCH),
        (b"sw\xff1", "Gi1/0/1", option82.NO_MATCH),
        (MAC_TLV, "Gi1/0/1\x00", option82.NO_MATCH),
        # values that are not a switch or a port
        (b"\x00\x06" + bytes(6), bytes.fromhex("000400640005"), option82.NO_MATCH),
        (b"\x00\x06" + b"\xff" * 6, bytes.fromhex("000400640005"), option82.NO_MATCH),
        (MAC_TLV, bytes.fromhex("00040fff0005"), option82.NO_MATCH),  # VLAN 4095
        (MAC_TLV, "ge-0/0/1:5000", option82.NO_MATCH),
        (MAC_TLV, "Xy1/0/1", option82.NO_MATCH),  # no such interface type
        (MAC_TLV, "p0", option82.NO_MATCH),
        (MAC_TLV, "p769", option82.NO_MATCH),
        # a port with no switch: every switch has a Gi1/0/24
        (b"", "Gi1/0/24", option82.NO_MATCH),
        (None, bytes.fromhex("000400640118"), option82.NO_MATCH),
        (None, "eth 1/0/5:100", option82.NO_MATCH),
        # a switch with no port
        (MAC_TLV, b"", option82.NO_MATCH),
        # oversize
        (b"a" * (MAX_VALUE_OCTETS + 1), "Gi1/0/1", option82.TOO_LONG),
        (MAC_TLV, "Gi" + "1/" * 200 + "1", option82.TOO_LONG),
        # not bytes or text
        (12345, "Gi1/0/1", option82.NOT_BYTES),
    ],
)
def test_refused_with_reason(remote: object, circuit: object, reason: str) -> None:
    assert refusal(remote, circuit) == reason


def test_two_layouts_that_disagree_are_refused_with_both_answers() -> None:
    # 01 02 41 42 is a 2-character user string ("ab") and also VLAN 258, module
    # 0x41, port 0x42 in the bare layout: no way to know, so no match at all.
    with pytest.raises(Option82Error) as caught:
        parse_relay_agent(MAC_TLV, b"\x01\x02AB")
    assert caught.value.reason == option82.AMBIGUOUS
    assert "user-string" in caught.value.detail
    assert "vlan-module-port-bare" in caught.value.detail


def test_unknown_format_name_is_refused() -> None:
    assert refusal(MAC_TLV, "Gi1/0/1", format="netgear") == option82.UNKNOWN_FORMAT_NAME


def test_forced_format_refuses_another_layout() -> None:
    with pytest.raises(Option82Error) as caught:
        parse_relay_agent(MAC_TLV, "Gi1/0/24", format="vlan-module-port")
    assert caught.value.reason == option82.NO_MATCH
    assert "vlan-module-port" in str(caught.value)


def test_a_hex_looking_name_is_read_as_hex_only_with_0x() -> None:
    # "737731" decodes to printable "sw1": without 0x it stays a name.
    assert relay_key("737731", "Gi1/0/1") == ("name:737731", "gi1/0/1")
    assert relay_key("0x737731", "Gi1/0/1") == ("name:sw1", "gi1/0/1")


def test_every_format_is_named_by_its_key_and_described() -> None:
    assert all(name == entry.name and entry.layout for name, entry in FORMATS.items())
    assert {name for name, entry in FORMATS.items() if not entry.is_auto} == {
        "huawei-extend",
        "onu",
        "text",
    }


# ---- properties ---------------------------------------------------------------

FORMAT_CHOICES = st.sampled_from([None, *FORMATS])


def _hex_form(value: bytes) -> str:
    return "0x" + value.hex() if value else ""


@given(st.binary(max_size=300), st.binary(max_size=300), FORMAT_CHOICES)
@settings(max_examples=100, deadline=None)
def test_garbage_raises_only_option82_error(remote: bytes, circuit: bytes, fmt: str | None) -> None:
    try:
        agent = parse_relay_agent(remote, circuit, format=fmt)
    except Option82Error as exc:
        assert exc.reason in {
            option82.EMPTY,
            option82.TOO_LONG,
            option82.NO_MATCH,
            option82.AMBIGUOUS,
        }
        return
    switch, port = agent.key()
    assert switch and isinstance(port, str)


@given(st.text(max_size=200), st.text(max_size=200))
@settings(max_examples=100, deadline=None)
def test_any_text_raises_only_option82_error(remote: str, circuit: str) -> None:
    with contextlib.suppress(Option82Error):
        parse_relay_agent(remote, circuit)


# Real-looking values mixed with noise, so that many draws are accepted.
SAMPLE_REMOTES = [
    MAC_TLV,
    b"\x01\x04sw-7",
    b"mx-edge1",
    b"001122334455",
    b"00e0-fc12-3456",
    bytes.fromhex("0089c1a8f94b102030"),
    b"45:47:c0:a1:b2:c3",
    b"ZTEGC0A1B2C3",
    b"",
]
SAMPLE_CIRCUITS = [bytes.fromhex("000400640118"), bytes.fromhex("00030108"), b"p129",
                   bytes.fromhex("00060064000100050106001122334455"), b"\x01\x07Room 12",
                   b"DGS-3120-24TC-1/5-100", b"MES2324 eth 1/0/5:100", b"ge-4/1/1:122-500",
                   b"eth0/0/2:10.20 S5300-A0/0/0/0/0", b"Gi1/0/24", b"OLT-1 gpon-onu_1/2/4:60", b""]  # fmt: skip
REMOTES = st.one_of(st.sampled_from(SAMPLE_REMOTES), st.binary(max_size=120))
CIRCUITS = st.one_of(st.sampled_from(SAMPLE_CIRCUITS), st.binary(max_size=120))


@given(REMOTES, CIRCUITS, FORMAT_CHOICES)
@settings(max_examples=200, deadline=None)
def test_accepted_values_have_one_key_in_every_encoding(
    remote: bytes, circuit: bytes, fmt: str | None
) -> None:
    try:
        agent = parse_relay_agent(remote, circuit, format=fmt)
    except Option82Error:
        return
    assert parse_relay_agent(remote, circuit, format=fmt) == agent
    decoded_remote = option82._prepare(remote, "remote-id")
    decoded_circuit = option82._prepare(circuit, "circuit-id")
    as_hex = parse_relay_agent(_hex_form(decoded_remote), _hex_form(decoded_circuit), format=fmt)
    assert as_hex.key() == agent.key()


MACS = st.binary(min_size=6, max_size=6).filter(lambda mac: mac not in (bytes(6), b"\xff" * 6))


@given(MACS, st.integers(0, 4094), st.integers(0, 255), st.integers(0, 255))
def test_vlan_module_port_round_trips(mac: bytes, vlan: int, module: int, port: int) -> None:
    circuit = b"\x00\x04" + vlan.to_bytes(2, "big") + bytes([module, port])
    agent = parse_relay_agent(b"\x00\x06" + mac, circuit)
    assert agent.switch == ":".join(f"{octet:02x}" for octet in mac)
    assert (agent.vlan or 0, agent.port.unit, agent.port.port) == (vlan, module, port)
    assert agent.key() == (agent.switch, f"{module}/{port}")


@given(MACS, st.integers(1, 4094), st.integers(0, 9), st.integers(0, 9), st.integers(1, 52))
def test_tr101_round_trips(mac: bytes, vlan: int, chassis: int, slot: int, port: int) -> None:
    agent = parse_relay_agent(b"\x00\x06" + mac, f"node-1 eth {chassis}/{slot}/{port}:{vlan}")
    assert agent.port.numbers == (chassis, slot, port)
    assert agent.vlan == vlan
    expected = f"{chassis}/{port}" if slot == 0 else f"{chassis}/{slot}/{port}"
    assert agent.key() == (agent.switch, expected)


def test_the_module_loads_without_django_or_other_lastmile_code() -> None:
    # Guard rail for the ground-floor layout: a fresh interpreter, nothing else.
    probe = (
        "import sys, lastmile.radius.option82; "
        "print(','.join(sorted(m for m in sys.modules if m.startswith(('django', 'lastmile')))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    modules = loaded.stdout.strip().split(",")
    assert not [m for m in modules if m.startswith("django")], modules
    outside = [m for m in modules if m not in ("lastmile", "lastmile.radius")]
    assert outside and all(m.startswith("lastmile.radius.option82") for m in outside), modules
