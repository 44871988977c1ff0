"""The session's user, fetched with the role every page reads; Django's model permissions
asked only for the accounts that can use them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithRoleBackend(ModelBackend):
    """Django's ModelBackend, except that:

    * a signed-in request's user comes with its Person and county in the same query: the
      navigation, the scope checks and the base template read them on every page (an account
      without a role still loads; person_of() answers None);
    * Django's model permissions (groups, user permissions) count only for accounts of the admin
      site (``is_staff``). What people may do in the application is decided by their role
      (``rules``, ``monitoring_site.permissions``); asking the model permissions of everyone
      else cost two queries on most pages (whenever a role says no, the next backend is asked)
      and would let a permission given by hand in the admin bypass the role."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("person__county").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return super().get_user_permissions(user_obj, obj) if user_obj.is_staff else set()

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if user_obj.is_staff else set()
