"""The product's settings plus the release app: what the rolling release's new nodes run."""

from innkeeper.settings import *  # noqa: F403
from innkeeper.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "innkeeper.testing.cluster.release.apps.ReleaseConfig"]
