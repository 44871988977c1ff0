"""Build every school's quality-analysis letter of a round in one go."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm

from ..documents import document_kinds
from ..letters import LETTER, school_letters_request
from ..selectors import rounds_visible_to


@require_POST
@require_perm("rounds.request_documents")
def school_letters_request_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    if not request.user.has_perm(document_kinds()[LETTER].perm):
        raise PermissionDenied
    documents = school_letters_request(rnd=rnd, user=request.user, language=get_language())
    messages.info(
        request,
        ngettext(
            "%(n)s school letter requested: its row below shows its progress or that it is built.",
            "%(n)s school letters requested: each row below shows its progress or that it is built.",
            len(documents),
        )
        % {"n": len(documents)},
    )
    return redirect("document_list", pk=rnd.pk)
