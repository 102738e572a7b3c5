from config.settings import *  # noqa
LOCALE_PATHS = ["/tmp/evals_locale", *LOCALE_PATHS]
DEBUG = True
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
