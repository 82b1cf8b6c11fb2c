from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from . import selectors
from .downloads import download_response


@login_required
@require_GET
def download(request, pk, number):
    """Another organisation's file answers 404, like one that does not exist."""
    return download_response(selectors.version_or_404(request.user, pk, number))
