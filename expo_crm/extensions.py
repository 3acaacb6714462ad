"""Flask extensions, created unbound and attached in create_app() with init_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from expo_crm import ratelimits  # registers the database storage of the limiter
from expo_crm.db import db

__all__ = ["db", "migrate", "csrf", "login_manager", "babel", "limiter", "ratelimits"]

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
