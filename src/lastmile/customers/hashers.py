"""A deliberately cheap password hasher for demo data only.

``lastmile demo-data --customers 100000`` gives every customer a cabinet
password.  Django's default PBKDF2 (1,000,000 iterations, ~0.3 s a hash)
would take hours for that, so the demo loader hashes with this hasher
instead.  It is listed in ``PASSWORD_HASHERS`` *after* the default, which
means:

- Django never uses it for a new password (the first hasher in the list is
  the one ``make_password`` uses);
- it still verifies the demo hashes, and on the first successful login
  ``check_password`` re-hashes the password with the strong default
  (``Customer.check_cabinet_password`` saves the upgraded hash).

Demo data is refused outside demo mode (LASTMILE_DEMO), so a real
installation never holds a hash made by this class.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class DemoPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_demo"
    iterations = 1
