"""Writes of the results slice: imports, cut scores, reference data, diagnosis and findings."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone

from monitoring_site.audit import history_user
from monitoring_site.errors import Refused
from rounds.models import ImportBatch, Round, Stage

from .models import CutScores, Finding, ReferenceValue, ResultImport

IMPORT_STAGES = {Stage.TESTING, Stage.RESULTS}
FINDING_STAGES = {Stage.RESULTS, Stage.RECTIFICATION}


class StageRefused(Refused):
    """A results step the stage does not allow."""


def _require_stage(rnd: Round, stages: Collection[str]) -> None:
    from django.utils.translation import gettext as _

    if rnd.stage not in stages:
        raise StageRefused(_("In the stage “%(stage)s” this cannot be done.") % {"stage": rnd.get_stage_display()})


@transaction.atomic
def result_import_start(*, rnd: Round, kind: str, domain: str, upload, user: User, language: str) -> ResultImport:
    """Keep the file, then check it in a task queued once this request commits."""
    from .tasks import result_import

    _require_stage(rnd, IMPORT_STAGES)
    batch = ImportBatch.objects.create(
        kind=f"results_{kind}",
        county=rnd.county,
        file=upload,
        original_name=upload.name[:200],
        uploaded_by=user,
    )
    ri = ResultImport(round=rnd, kind=kind, domain=domain if kind == ResultImport.Kind.SCORES else "", batch=batch)
    history_user(ri, user)
    ri.save()
    transaction.on_commit(lambda: result_import.delay(ri.pk, language))
    return ri


@transaction.atomic
def result_import_confirm(*, result_import: ResultImport, user: User, language: str) -> ResultImport:
    """Replace the data in use by this checked import (the earlier one stays, as replaced)."""
    from .tasks import result_import as task

    _require_stage(result_import.round, IMPORT_STAGES)
    if result_import.state != ResultImport.State.AWAITING:
        return result_import
    result_import.confirmed_by = user
    history_user(result_import, user)
    result_import.save(update_fields=["confirmed_by"])
    ImportBatch.objects.filter(pk=result_import.batch_id).update(status=ImportBatch.Status.QUEUED, progress=0)
    transaction.on_commit(lambda: task.delay(result_import.pk, language, True))
    return result_import


@transaction.atomic
def result_import_cancel(*, result_import: ResultImport, user: User) -> ResultImport:
    """Drop a checked import that waits on its difference: the data in use stays as it is. Any
    stage: nothing changes. A confirmed one already being written is no longer cancelled."""
    from rounds.services import import_batch_cancel

    ri = ResultImport.objects.select_for_update().get(pk=result_import.pk)
    if ri.state != ResultImport.State.AWAITING or ri.confirmed_by_id:
        return ri
    ri.state = ResultImport.State.CANCELLED
    history_user(ri, user)
    ri.save(update_fields=["state"])
    import_batch_cancel(batch=ri.batch, user=user)
    return ri


@transaction.atomic
def cut_scores_save(*, cut: CutScores, user: User) -> CutScores:
    _require_stage(cut.round, IMPORT_STAGES | FINDING_STAGES)
    history_user(cut, user)
    cut.full_clean()
    cut.save()
    return cut


@transaction.atomic
def reference_value_save(*, ref: ReferenceValue, user: User) -> ReferenceValue:
    history_user(ref, user)
    ref.save()
    return ref


@transaction.atomic
def reference_value_delete(*, ref: ReferenceValue, user: User) -> None:
    history_user(ref, user)
    ref.delete()


@transaction.atomic
def reference_row_save[M: Model](*, obj: M, user: User) -> M:
    """A norm, weekly lesson norm, BMI row or rule threshold edited by county staff."""
    history_user(obj, user)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def finding_add(*, rnd: Round, title: str, domain: str, grade: int | None, evidence_text: str, user: User) -> Finding:
    _require_stage(rnd, FINDING_STAGES)
    finding = Finding(
        round=rnd,
        title=title,
        domain=domain,
        grade=grade,
        evidence_text=evidence_text,
        created_by=user,
    )
    history_user(finding, user)
    finding.save()
    return finding


@transaction.atomic
def finding_dismiss(*, finding: Finding, reason: str, user: User) -> Finding:
    _require_stage(finding.round, FINDING_STAGES)
    finding.status = Finding.Status.DISMISSED
    finding.dismissed_reason = reason[:200]
    history_user(finding, user)
    finding.save()
    return finding


@transaction.atomic
def finding_reopen(*, finding: Finding, user: User) -> Finding:
    _require_stage(finding.round, FINDING_STAGES)
    finding.status = Finding.Status.OPEN
    history_user(finding, user)
    finding.save()
    return finding


@transaction.atomic
def diagnose(*, rnd: Round, user: User | None = None) -> list[Finding]:
    """Run every rule in use; update the finding a rule made before (a dismissed one stays
    dismissed), add new ones, and remove open rule findings that no longer hold unless a
    rectification problem already starts from them."""
    from .diagnosis import RULES, Context
    from .models import DiagnosisRule
    from .pe import pe_result
    from .reference import county_defaults_ensure, lesson_norms_of, norms_of
    from .selectors import results_of

    county_defaults_ensure(county=rnd.county)
    results = results_of(rnd=rnd)
    ctx = Context(
        rnd=rnd,
        results=results,
        pe=pe_result(rnd=rnd),
        norms=norms_of(county=rnd.county),
        lesson_norms=lesson_norms_of(county=rnd.county),
    )
    thresholds = {r.code: r for r in DiagnosisRule.objects.filter(county=rnd.county)}
    existing = {(f.rule, f.domain, f.grade): f for f in Finding.objects.filter(round=rnd).exclude(rule="")}
    kept: list[Finding] = []
    for code, rule in RULES.items():
        setting = thresholds.get(code)
        if setting is not None and not setting.enabled:
            continue
        ctx.level, ctx.level_reason = (setting.level, setting.level_reason) if setting else (0.05, "")
        for draft in rule.check(ctx, setting.threshold if setting else rule.default):
            finding = existing.pop((draft.rule, draft.domain, draft.grade), None) or Finding(
                round=rnd, rule=draft.rule, domain=draft.domain, grade=draft.grade, created_by=user
            )
            finding.title = draft.title[:200]
            finding.evidence = {**draft.evidence, "checked_at": timezone.now().isoformat()}
            finding.evidence_text = draft.text
            history_user(finding, user)
            finding.save()
            kept.append(finding)
    for stale in existing.values():
        if stale.status == Finding.Status.OPEN:
            try:
                with transaction.atomic():
                    stale.delete()
            except ProtectedError:
                pass
    return kept
