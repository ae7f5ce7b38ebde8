import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
# Web processes get the database's statement and lock timeouts (settings.py).
os.environ.setdefault("MASTHEAD_WEB", "1")

application = get_wsgi_application()
