"""monitoring_site.backends: what people may do in the app is their role's; Django's model
permissions count only for accounts of the admin site, and are not looked up for anyone else."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from monitoring_site.backends import UserWithRoleBackend


def _fresh(user):
    """The user as a request gets it (the session's backend, with its role)."""
    return UserWithRoleBackend().get_user(user.pk)


def test_a_model_permission_given_by_hand_does_not_bypass_the_role(world):
    change_round = Permission.objects.get(content_type__app_label="rounds", codename="change_round")
    world.leader.user_permissions.add(change_round)
    group = Group.objects.create(name="改轮次")
    group.permissions.add(change_round)
    world.leader.groups.add(group)
    leader = _fresh(world.leader)
    assert not leader.has_perm("rounds.change_round")
    assert not leader.has_perm("rounds.manage_round")  # the leader's role reads, it does not manage
    assert _fresh(world.staff).has_perm("rounds.manage_round")  # the county staff's role does


def test_an_admin_site_account_keeps_its_model_permissions(world):
    it = get_user_model().objects.create_user("it-admin", password=None, is_staff=True)
    it.user_permissions.add(Permission.objects.get(content_type__app_label="rounds", codename="change_school"))
    it = _fresh(it)
    assert it.has_perm("rounds.change_school")
    assert not it.has_perm("rounds.change_round")


def test_a_permission_the_role_refuses_costs_no_query(world, django_assert_num_queries):
    leader = _fresh(world.leader)  # with its Person and county: the role is known
    with django_assert_num_queries(0):
        assert not leader.has_perm("rounds.manage_round")
        assert not leader.has_perm("rectification.manage_plan")
