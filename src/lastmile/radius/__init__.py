"""The RADIUS protocol, with no Django and no other lastmile app under it.

``codec`` (packets, authenticators, attributes), ``profiles`` (how each NAS
vendor wants a speed said), ``coa`` (the Dynamic Authorization client) and
``dictionaries/`` (the attribute dictionaries shipped for FreeRADIUS and
radclient).  Parsers of DHCP option 82 / PPPoE intermediate agent values
belong here too, one module per format family.

The policy (who may get online, with what) and the server process live in
``lastmile.aaa``, which builds on this package; nothing here imports from
it.  ``tests/radius/test_layering.py`` keeps it that way.
"""
