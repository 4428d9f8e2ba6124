"""Device drivers: how lastmile talks to switches, OLTs and ONUs.

Django-free, on the ground floor like ``lastmile.radius``: a driver gets a
``Target`` (address and credentials, already decrypted) and answers with the
plain values of ``base``.  The ``devices`` app stores devices, calls drivers,
logs every action and shows the results; nothing here imports from it.

One module per driver, registered by name in ``base.REGISTRY``; the name is
what ``Device.driver`` stores.
"""
