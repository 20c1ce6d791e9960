"""Every /api/v1 route refuses a request without a valid token, so a new route without auth fails here."""

from __future__ import annotations

from app.api.app import create_app
from app.bootstrap import Container
from tests.factories import Api


async def test_every_api_route_answers_401_without_a_valid_token(api: Api, container: Container) -> None:
    paths = create_app(container=container).openapi()["paths"]
    operations = [
        (method, path) for path, item in paths.items() if path.startswith("/api/v1") for method in item
    ]
    assert len(operations) >= 22
    for method, path in operations:
        url = path.replace("{asset_id}", "00000000-0000-4000-8000-000000000001")
        for headers in ({}, {"Authorization": "Bearer itam_not-a-key"}):
            response = await api.http.request(method.upper(), url, json={}, headers=headers)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["type"].endswith("/unauthorized")
