"""A quick password hasher for the test process (root conftest): Django's default costs about
0.35 s of CPU per hash, and the suite makes users and signs in by the hundred."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's default algorithm and format (`pbkdf2_sha256$<iterations>$...`) with few
    iterations. The count is stored in each hash, so a child process (a server, a CLI) on the
    real settings still verifies these passwords, then upgrades the hash as it would in
    production for an old one."""

    iterations = 1_000
