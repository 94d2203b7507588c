import os

from django.conf import settings

# ruleid: python-django-debug-true
DEBUG = True

# ok: python-django-debug-true
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"

# ok: python-django-debug-true
TEMPLATE_DEBUG = False

ALLOWED_HOSTS = ["example.com"]


def configure_for_script():
    # ruleid: python-django-debug-true
    settings.configure(DEBUG=True, INSTALLED_APPS=[])


class LocalOverrides:
    # ok: python-django-debug-true
    DEBUG = True
