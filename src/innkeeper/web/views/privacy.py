"""A signed-in guest downloads their data (GDPR Art. 15/20) from their account page."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from innkeeper.privacy.selectors import guest_export, guest_of_user
from innkeeper.web.views.common import current_user


@never_cache
@login_required(login_url="web:login")
def my_data(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    assert user is not None  # login_required let only signed-in users through
    body = json.dumps(guest_export(guest_of_user(user)), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-innkeeper-data.json"'
    return response
