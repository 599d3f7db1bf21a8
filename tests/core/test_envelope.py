import pytest

from core.models import Role

SEARCH_URL = "/user/_search"


@pytest.fixture
def token(make_employee, token_for):
    return token_for(make_employee(Role.COLLECTION_APPROVER, "pb.amritsar"))


def post_raw(api, token, body, content_type="application/json"):
    return api.generic("POST", SEARCH_URL, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_response_echoes_request_info(api, token):
    request_info = {"apiId": "Rainmaker", "ver": ".01", "msgId": "20170310130900|en_IN", "authToken": token}

    response = api.post(SEARCH_URL, {"RequestInfo": request_info, "tenantId": "pb.amritsar"}, format="json")

    info = response.json()["ResponseInfo"]
    assert (info["apiId"], info["ver"], info["msgId"], info["status"]) == (
        "Rainmaker",
        ".01",
        "20170310130900|en_IN",
        "successful",
    )
    assert isinstance(info["ts"], int) and info["ts"] > 1_700_000_000_000


def test_non_json_body_is_400_naming_body(api, token):
    response = post_raw(api, token, "tenantId=pb.amritsar&{oops")

    assert response.status_code == 400
    error = response.json()["Errors"][0]
    assert error["code"] == "INVALID_JSON"
    assert error["params"] == ["body"]


def test_json_array_body_is_400(api, token):
    response = post_raw(api, token, "[1, 2]")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["body"]


def test_request_info_of_wrong_type_is_400_naming_it(api, token):
    response = api.post(SEARCH_URL, {"RequestInfo": "hello", "tenantId": "pb.amritsar"}, format="json")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["RequestInfo"]


def test_auth_token_of_wrong_type_is_400_naming_it(api):
    response = api.post(SEARCH_URL, {"RequestInfo": {"authToken": 42}, "tenantId": "pb.amritsar"}, format="json")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["RequestInfo.authToken"]


def test_wrong_field_types_are_named(api, token):
    body = {"RequestInfo": {"authToken": token}, "tenantId": "pb.amritsar", "uuid": "not-a-list", "pageSize": "many"}

    response = api.post(SEARCH_URL, body, format="json")

    assert response.status_code == 400
    assert sorted(error["params"][0] for error in response.json()["Errors"]) == ["pageSize", "uuid"]
    assert all(error["message"].startswith(error["params"][0] + ":") for error in response.json()["Errors"])


def test_nested_list_errors_carry_their_index(api, token):
    body = {
        "RequestInfo": {"authToken": token},
        "tenantId": "pb.amritsar",
        "roleCodes": ["COLLECTION_OPERATOR", "KING"],
    }

    response = api.post(SEARCH_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["roleCodes[1]"]


def test_missing_tenant_is_400_naming_it(api, token):
    response = api.post(SEARCH_URL, {"RequestInfo": {"authToken": token}}, format="json")

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["tenantId"]


def test_wrong_method_is_405_in_digit_shape(api, token):
    response = api.get(SEARCH_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 405
    assert response.json()["Errors"][0]["code"] == "METHOD_NOT_ALLOWED"


def test_unknown_api_path_is_json_404(api, db):
    response = api.post("/billing-service/nothing/_here", {}, format="json")

    assert response.status_code == 404
    assert response.json()["Errors"][0]["code"] == "NOT_FOUND"


def test_oversized_number_in_body_is_not_a_500(api, token):
    body = '{"RequestInfo": {}, "tenantId": "pb.amritsar", "pageSize": 1e400, "pageNumber": -0.5}'

    response = post_raw(api, token, body)

    assert response.status_code == 400
