from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import CatalogVersion


@login_required
def version_list(request):
    return render(request, "caiq/version_list.html", {"versions": CatalogVersion.objects.all()})
