import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_without_warnings_and_groups_apis():
    out = io.StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)

    schema = out.getvalue()
    assert '"/user/oauth/token"' in schema
    assert '"DIGIT: user"' in schema
    assert '"Kosh: platform"' in schema


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
