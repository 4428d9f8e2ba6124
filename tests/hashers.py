"""A cheap password hasher for the test suite only.

Django's PBKDF2 runs a million rounds (~0.2 s of CPU a hash on the CI
machine); the suite creates hundreds of staff users and logs them in, which
cost minutes of pure hashing.  This hasher keeps the production algorithm
and hash format (``pbkdf2_sha256$<iterations>$<salt>$<hash>``) and only
lowers the round count, so every code path that stores, verifies or
upgrades a password runs as in production.  ``tests/test_guard_rails.py``
checks that the production settings still put Django's full-strength PBKDF2
first.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class CheapPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 2
