def test_health_reports_database_and_broker(api, db):
    response = api.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"filesystem", "redis"}
    assert body["workerLastSeen"] is None
