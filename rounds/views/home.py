from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from monitoring_site.permissions import person_of

from ..forms import today
from ..selectors import open_rounds, todo_for


@login_required
def home(request):
    person = person_of(request.user)
    if person is None:
        # The IT administrator has no role in the workflow; their place is the admin site.
        return redirect("admin:index") if request.user.is_staff else render(request, "rounds/no_role.html", status=403)
    rounds = list(open_rounds(request.user))
    return render(
        request,
        "rounds/home.html",
        {
            "person": person,
            "round": rounds[0] if rounds else None,
            "open_rounds": rounds,
            "todos": todo_for(request.user, today=today()),
            "today": today(),
        },
    )
