from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.accounts.decorators import require
from liaison.accounts.permissions import check, get_visible_or_404, visible
from liaison.audit.models import AuditEvent
from liaison.audit.services import history, record, record_view
from liaison.core import tabular
from liaison.registry.forms import ExportForm, MemberEditForm, MembershipForm, OrganisationForm
from liaison.registry.models import Member, Organisation, OrganisationMembership
from liaison.registry.search import CappedPaginator, MemberSearchForm
from liaison.registry.services import consent_state, update_member


@require("registry.view_member")
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberSearchForm(request.GET or None)
    members = visible(
        request.user,
        "registry.view_member",
        Member.objects.select_related("occupation", "isco_group"),
    )
    if request.GET.keys() - {"page"}:
        members = form.apply(members)
    page = CappedPaginator(members, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/member_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@require("registry.view_member")
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(
        request.user,
        "registry.view_member",
        Member.objects.select_related("occupation", "isco_group"),
        pk=pk,
    )
    record_view(request.user, member)
    return render(
        request,
        "registry/member_detail.html",
        {
            "member": member,
            "show_sensitive": bool(check(request.user, "registry.view_sensitive", member)),
            "consents": consent_state(member).values(),
            "history": history(member).select_related("content_type")[:20],
            "skills": member.skills.select_related("skill"),
            "languages": member.languages.all(),
            "organisations": member.organisations.all(),
        },
    )


@require("registry.view_organisation")
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = visible(request.user, "registry.view_organisation", Organisation.objects.all())
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "registry/organisation_list.html", {"page": page})


@require("registry.view_organisation")
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        request.user, "registry.view_organisation", Organisation.objects.all(), pk=pk
    )
    # Only the members the officer may see are named; the others are counted.
    everyone = organisation.organisationmembership_set.all()
    memberships = (
        everyone.filter(
            member__in=visible(request.user, "registry.view_member", Member.objects.all())
        )
        .select_related("member")
        .order_by("role", "member__family_name", "pk")
    )
    can_edit = bool(check(request.user, "registry.edit_organisation", organisation))
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "can_verify": bool(check(request.user, "registry.verify_organisation", organisation)),
            "can_edit": can_edit,
            "decisions": Organisation.Verification.choices,
            "roles": OrganisationMembership.Role.choices,
            "membership_form": MembershipForm() if can_edit else None,
            "hidden_members": everyone.count() - memberships.count(),
        },
    )


@require("registry.edit_organisation")
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an organisation (no ``pk``) or correct one; its country must stay in scope."""
    organisation = (
        get_visible_or_404(
            request.user, "registry.edit_organisation", Organisation.objects.all(), pk=pk
        )
        if pk
        else Organisation()
    )
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        if not check(request.user, "registry.edit_organisation", form.instance):
            form.add_error("country", _("This country is outside your scope."))
        else:
            form.save()
            messages.success(request, _("The organisation is saved."))
            return redirect("registry:organisation-detail", pk=form.instance.pk)
    return render(
        request, "registry/organisation_edit.html", {"organisation": organisation, "form": form}
    )


@require("registry.edit_organisation")
@require_POST
def organisation_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member with a role, change a member's role, or remove a member."""
    organisation = get_visible_or_404(
        request.user, "registry.edit_organisation", Organisation.objects.all(), pk=pk
    )
    back = redirect("registry:organisation-detail", pk=organisation.pk)
    people = visible(request.user, "registry.view_member", Member.objects.all())
    if "remove" in request.POST or "membership" in request.POST:
        chosen = request.POST.get("membership") or request.POST.get("remove") or ""
        membership = (
            organisation.organisationmembership_set.filter(pk=int(chosen), member__in=people)
            .select_related("member")
            .first()
            if chosen.isdigit()
            else None
        )
        role = request.POST.get("role", "")
        if membership is None:
            messages.error(request, _("This person is not (or no longer) a member."))
        elif "remove" in request.POST:
            membership.delete()
            messages.success(request, _("The member is removed from the organisation."))
        elif role not in OrganisationMembership.Role.values:
            messages.error(request, _("Choose a role."))
        else:
            membership.role = role
            membership.save(update_fields=["role"])
            messages.success(request, _("The role is saved."))
        return back
    form = MembershipForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return back
    member = people.filter(pk=form.cleaned_data["member"]).first()
    if member is None:
        messages.error(request, _("No member with this number is in your scope."))
    elif organisation.organisationmembership_set.filter(member=member).exists():
        messages.error(request, _("This person is already a member."))
    else:
        OrganisationMembership.objects.create(
            organisation=organisation, member=member, role=form.cleaned_data["role"]
        )
        messages.success(request, _("%(name)s is added.") % {"name": member.display_name})
    return back


@require("registry.verify_organisation")
@require_POST
def organisation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        request.user, "registry.verify_organisation", Organisation.objects.all(), pk=pk
    )
    decision = request.POST.get("verification", "")
    if decision not in Organisation.Verification.values:
        messages.error(request, _("Choose a verification status."))
    else:
        organisation.verification = decision
        organisation.save(update_fields=["verification"])
        messages.success(request, _("Verification status saved."))
    return redirect("registry:organisation-detail", pk=organisation.pk)


@require("registry.edit_member")
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(request.user, "registry.edit_member", Member.objects.all(), pk=pk)
    show_sensitive = bool(check(request.user, "registry.view_sensitive", member))
    form = MemberEditForm(request.POST or None, instance=member, show_sensitive=show_sensitive)
    if request.method == "POST" and form.is_valid():
        fresh = Member.objects.get(pk=member.pk)  # the form wrote into ``member`` already
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        update_member(request.user, fresh, changes)
        messages.success(request, _("The profile is saved; the previous version is kept."))
        return redirect("registry:member-detail", pk=member.pk)
    record_view(request.user, member, reason="edit form")
    return render(request, "registry/member_edit.html", {"member": member, "form": form})


@require("registry.view_member")
def member_versions(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(request.user, "registry.view_member", Member.objects.all(), pk=pk)
    record_view(request.user, member, reason="version history")
    versions = member.versions.select_related("saved_by")
    return render(
        request, "registry/member_versions.html", {"member": member, "versions": versions}
    )


EXPORT_COLUMNS = [
    ("id", "pk"),
    ("given_name", "given_name"),
    ("family_name", "family_name"),
    ("latin_name", "latin_name"),
    ("sex", "sex"),
    ("birth_date", "birth_date"),
    ("country_of_residence", "country_of_residence"),
    ("city", "city"),
    ("email", "email"),
    ("phone", "phone"),
    ("education_level", "education_level"),
    ("occupation", "occupation__label"),
    ("isco_group", "isco_group__code"),
]


@require("registry.export_member")
def member_export(request: HttpRequest) -> HttpResponse:
    """Personal data leaves only with a recorded purpose, and only within the officer's scope."""
    search = MemberSearchForm(request.GET or None)
    form = ExportForm(request.POST or None)
    members = visible(request.user, "registry.export_member", Member.objects.all())
    if request.GET.keys():
        members = search.apply(members)
    if request.method == "POST" and form.is_valid():
        rows = list(members.order_by("pk").values_list(*[c[1] for c in EXPORT_COLUMNS]))
        record(
            AuditEvent.Action.EXPORT,
            Member,
            reason=form.cleaned_data["purpose"],
            changes={"rows": len(rows), "filters": request.GET.urlencode()},
        )
        header = [c[0] for c in EXPORT_COLUMNS]
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if form.cleaned_data["format"] == "xlsx":
            content = tabular.to_xlsx(header, rows)
            response = HttpResponse(content, content_type=tabular.XLSX_TYPE)
            response["Content-Disposition"] = f'attachment; filename="members-{stamp}.xlsx"'
        else:
            response = HttpResponse(tabular.to_csv(header, rows), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="members-{stamp}.csv"'
        return response
    return render(
        request,
        "registry/member_export.html",
        {"form": form, "count": members.count(), "query": request.GET.urlencode()},
    )
