"""Development settings: what `make run` and `manage.py` use unless DJANGO_SETTINGS_MODULE
says otherwise. Debug pages on, a fixed development secret key (so sessions survive a
restart), WhiteNoise reloading changed static files. Never deploy with these: production.py.
"""

from .base import *  # noqa: F403
from .env import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY") or (
    "development-only-key-not-a-secret-8c2f4e1a9b7d6053c1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"
)
WHITENOISE_AUTOREFRESH = DEBUG
