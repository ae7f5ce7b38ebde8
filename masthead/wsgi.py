import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
# Web processes get the database's statement and lock timeouts (settings.py).
os.environ.setdefault("MASTHEAD_WEB", "1")

django_application = get_wsgi_application()

# Imported once Django is set up: the lane uses the site's models and settings.
from masthead.reading.lane import ReadingLane  # noqa: E402

application = ReadingLane(django_application)
