"""The session's user, fetched with the role every page reads."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithRoleBackend(ModelBackend):
    """Django's ModelBackend, except that a signed-in request's user comes with its Person and
    county in the same query: the navigation, the scope checks and the base template read
    them on every page (an account without a role still loads; person_of() answers None)."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("person__county").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
