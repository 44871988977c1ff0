from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, person_of, require_perm

from ..forms import today
from ..selectors import CHOSEN_ROUND, open_rounds, round_of_request, todo_for


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if person is None:
        # The IT administrator has no role in the workflow; their place is the admin site.
        return redirect("admin:index") if request.user.is_staff else render(request, "rounds/no_role.html", status=403)
    if person.region_id is not None:  # a city's or province's office: its counties side by side
        return redirect("region_rollup")
    rounds = list(open_rounds(request.user))
    chosen = round_of_request(request)
    return render(
        request,
        "rounds/home.html",
        {
            "person": person,
            "round": chosen,
            "open_rounds": rounds,
            "chosen_round": chosen,
            "todos": todo_for(request.user, today=today()),
            "today": today(),
        },
    )


@require_POST
@require_perm("rounds.view_round")
def round_choose(request, pk: int):
    """The round switcher: the pages that show one round (each app's first page) show this one."""
    rnd = get_visible_or_404(open_rounds(request.user), pk=pk)
    request.session[CHOSEN_ROUND] = rnd.pk
    return redirect("home")
