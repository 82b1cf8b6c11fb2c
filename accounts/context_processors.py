from django.utils.functional import SimpleLazyObject

from .middleware import request_memberships


def organizations(request):
    """The organisation switcher's contents, for the base layout.

    Both values stay lazy: a response that renders no layout (an htmx fragment) costs no query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_membership": request.membership,
        "all_memberships": SimpleLazyObject(lambda: request_memberships(request)),
    }
