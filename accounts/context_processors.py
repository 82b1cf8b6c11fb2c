from .selectors import memberships_for


def organizations(request):
    """The organisation switcher's contents, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = request.membership
    return {
        "current_membership": membership if membership else None,
        "all_memberships": memberships_for(user),
    }
