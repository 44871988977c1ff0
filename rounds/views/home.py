from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import person_of

from ..forms import today
from ..selectors import current_round, todo_for


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if person is None:
        # The IT administrator has no role in the workflow; their place is the admin site.
        return redirect("admin:index") if request.user.is_staff else render(request, "rounds/no_role.html", status=403)
    rnd = current_round(request.user)
    return render(
        request,
        "rounds/home.html",
        {"person": person, "round": rnd, "todos": todo_for(request.user, today=today(), rnd=rnd), "today": today()},
    )
