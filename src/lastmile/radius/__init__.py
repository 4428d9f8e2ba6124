"""The RADIUS protocol, with no Django and no other lastmile app under it.

``codec`` (packets, authenticators, attributes), ``profiles`` (how each NAS
vendor wants a speed said), ``coa`` (the Dynamic Authorization client),
``option82`` (the switch vendors' DHCP option 82 formats, parsed into one
port key) and ``dictionaries/`` (the attribute
dictionaries shipped for FreeRADIUS and radclient).

The policy (who may get online, with what) and the server process live in
``lastmile.aaa``, which builds on this package; nothing here imports from
it.  ``tests/radius/test_layering.py`` keeps it that way.
"""
