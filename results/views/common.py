from django.http import Http404

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404
from rounds.models import GRADES, Domain, Round, Stage

from ..selectors import held_imports, rounds_for_results


def round_for(request: AuthenticatedHttpRequest, pk: int) -> Round:
    return get_visible_or_404(rounds_for_results(request.user), pk=pk)


def base_context(rnd, **extra) -> dict:
    return {"round": rnd, "stages": Stage.choices, "held_imports": list(held_imports(rnd=rnd)), **extra}


def check_domain_grade(rnd, domain: str, grade: int) -> None:
    if domain not in Domain.values or domain not in rnd.domains or grade not in GRADES or grade not in rnd.grades:
        raise Http404
