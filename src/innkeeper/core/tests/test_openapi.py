from __future__ import annotations

PROBLEM = "application/problem+json"


def test_openapi_declares_error_statuses_as_problem_json(anon):
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    for path in (
        "/api/v1/bookings",
        "/api/v1/availability",
        "/api/v1/auth/login",
        "/api/v1/rooms",
        "/api/v1/bookings/{reference}/cancel",
    ):
        assert path in paths
    create = paths["/api/v1/bookings"]["post"]["responses"]
    assert {"201", "401", "409", "422", "429", "503"} <= set(create)
    for path in paths.values():
        for operation in path.values():
            for status, declared in operation["responses"].items():
                if int(status) >= 400:
                    assert list(declared["content"]) == [PROBLEM], (status, operation)


def test_interactive_docs_are_served(anon):
    assert anon.get("/api/v1/docs").status_code == 200
