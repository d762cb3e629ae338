"""The password hasher of the test run: Django's PBKDF2 with few iterations.

Production keeps Django's default (PBKDF2-SHA256 at 1,000,000 iterations, about a second of CPU per password on
this project's CI machine). Every test that loads the demo sets the passwords of its four members of staff, so at
full strength hashing alone took more CPU than anything else in `make test`. The hashes keep production's format
(``pbkdf2_sha256$iterations$salt$hash``) and the same code path; only the work factor is lower. Tests that start
Trygg in another process (the CLI, gunicorn) use production's settings and hash at full strength.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
