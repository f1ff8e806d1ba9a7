"""The one shape of every API error: ``{"error": {"code", "message", "parameters"}}``."""

import json

from django.http import HttpResponse


def error_response(status: int, code: str, message: str, parameters=(), **headers) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "parameters": list(parameters)}}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response
