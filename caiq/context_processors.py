from .models import CatalogVersion


def catalog_status(request):
    """Whether only the sample catalog is loaded: a callable, so pages not asking pay nothing."""

    def sample_only() -> bool:
        versions = list(CatalogVersion.objects.values_list("is_sample", flat=True))
        return not versions or all(versions)

    return {"catalog_is_sample_only": sample_only}
