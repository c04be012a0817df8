from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from knox.models import AuthToken

from liaison.accounts.forms import ApiTokenForm


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens. The token is shown once; only its hash is stored."""
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        import datetime

        _instance, new_token = AuthToken.objects.create(
            user=request.user, expiry=datetime.timedelta(days=days)
        )
        form = ApiTokenForm()
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, digest: str) -> HttpResponse:
    token = get_object_or_404(AuthToken, user=request.user, digest=digest)
    token.delete()
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api-tokens")
