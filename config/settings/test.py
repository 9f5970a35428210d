"""Test settings: the same as base, with a fixed key and fast password hashing."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"
# Argon2 stays first so the hashing setting is what production uses; tests create few users.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
AXES_FAILURE_LIMIT = 5
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
