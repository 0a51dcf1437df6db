"""The test process hashes passwords quickly (innkeeper.testing.hashers); a child process on
the real settings must still accept those passwords, and upgrade them as production would."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from innkeeper.testing.hashers import QuickPBKDF2PasswordHasher


def test_quick_hashes_verify_with_the_default_hasher_and_are_upgraded():
    encoded = make_password("a-long-test-password-42")
    assert encoded.startswith(f"pbkdf2_sha256${QuickPBKDF2PasswordHasher.iterations}$")
    real = PBKDF2PasswordHasher()  # what a child process on the real settings uses
    assert real.verify("a-long-test-password-42", encoded)
    assert not real.verify("another-password-42", encoded)
    assert real.must_update(encoded)  # a child re-hashes it at full cost on sign-in
    assert check_password("a-long-test-password-42", encoded)
