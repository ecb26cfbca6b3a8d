"""The OpenAPI 3.0 description of ``/api/mp/v1/``, served at ``GET /api/mp/v1/openapi.json``.

Written for the mini-program's developers and checked by the tests: every route of the API is
described (and nothing else), every answer the server gives, errors included, matches it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.flows import StepKind
from bot.mp_api import PREFIX

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with these properties, all required except ``optional``; others allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


STRING: dict[str, Any] = {"type": "string"}
NULLABLE_STRING: dict[str, Any] = {"type": "string", "nullable": True}
INTEGER: dict[str, Any] = {"type": "integer"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": STRING, "message": STRING}),
    "Draft": _obj(
        {
            "order_no": STRING,
            "flow": STRING,
            "answers": {"type": "object", "additionalProperties": STRING},
            "next_step": NULLABLE_STRING,
            "done": INTEGER,
            "total": INTEGER,
            "amount": STRING,
        }
    ),
    "DraftAnswer": _obj({"draft": _ref("Draft")}),
    "FormAnswer": _obj({"draft": _ref("Draft"), "message": STRING}),
    "FormRefusal": _obj({"error": STRING, "message": STRING, "draft": _ref("Draft")}),
    "FieldErrors": _obj(
        {"draft": _ref("Draft"), "errors": {"type": "object", "additionalProperties": STRING}}
    ),
    "Field": _obj(
        {
            "key": STRING,
            "label": STRING,
            "kind": {"type": "string", "enum": [kind.value for kind in StepKind]},
            "prompt": STRING,
            "hint": STRING,
            "required": {"type": "boolean"},
            "editable": {"type": "boolean"},
            "sensitive": {"type": "boolean"},
            "section": STRING,
            "choices": {
                "type": "array",
                "items": _obj({"value": STRING, "label": STRING, "note": STRING}),
            },
            "when": {
                **_obj({"field": STRING, "equals": STRING}),
                "nullable": True,
            },
            "links": {"type": "array", "items": _obj({"title": STRING, "url": STRING})},
        }
    ),
    "Flow": _obj(
        {"code": STRING, "title": STRING, "steps": {"type": "array", "items": _ref("Field")}}
    ),
    "Material": _obj(
        {
            "id": STRING,
            "slot": STRING,
            "status": STRING,
            "status_label": STRING,
            "reason": STRING,
            "url": STRING,
            "width": INTEGER,
            "height": INTEGER,
            "size": INTEGER,
            "warnings": {"type": "array", "items": _obj({"code": STRING, "message": STRING})},
        }
    ),
    "Upload": _obj(
        {
            "draft": _ref("Draft"),
            "message": STRING,
            "material": {**_ref("Material"), "nullable": True},
        }
    ),
    "OrderSummary": _obj(
        {
            "order_no": STRING,
            "title": STRING,
            "date": STRING,
            "amount": STRING,
            "status": STRING,
            "next": STRING,
        }
    ),
    "Orders": _obj({"orders": {"type": "array", "items": _ref("OrderSummary")}}),
    "OrderDetail": {
        "allOf": [
            _ref("OrderSummary"),
            _obj(
                {
                    "payment": STRING,
                    "details": {"type": "array", "items": STRING},
                    "password_method": STRING,
                    "invoice": STRING,
                    "invoice_status": STRING,
                    "invoice_url": NULLABLE_STRING,
                    "materials": {
                        "type": "array",
                        "items": {"allOf": [_ref("Material"), _obj({"label": STRING})]},
                    },
                    "fix": {
                        "type": "object",
                        "nullable": True,
                        "properties": {"url": STRING, "message": STRING},
                    },
                }
            ),
        ]
    },
    "Fixes": _obj(
        {
            "order_no": STRING,
            "status": STRING,
            "remaining": INTEGER,
            "items": {
                "type": "array",
                "items": _obj(
                    {
                        "key": STRING,
                        "label": STRING,
                        "kind": {"type": "string", "enum": ["material", "field"]},
                        "reason": STRING,
                        "fixed": {"type": "boolean"},
                        "field": _ref("Field"),
                        "current": STRING,
                        "sent_back_photo": NULLABLE_STRING,
                    }
                ),
            },
        }
    ),
    "Subscriptions": _obj(
        {
            "template_ids": {"type": "array", "items": STRING},
            "kinds": {"type": "object", "additionalProperties": STRING},
            "remaining": {"type": "object", "additionalProperties": INTEGER},
        }
    ),
}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _photo_body() -> dict[str, Any]:
    schema = _obj({"file": {"type": "string", "format": "binary"}})
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


ERRORS = {
    "400": "the body is not what this operation reads",
    "401": "no session, or it expired (log in again)",
    "404": "nothing of this user by that name",
    "409": "not possible in the order's state",
    "422": "refused with the reason to show",
    "429": "too many requests from this client, or too many codes",
    "503": "WeChat Pay is not reachable or not configured",
}


def _operation(
    summary: str,
    ok: dict[str, Any],
    errors: tuple[str, ...],
    *,
    body: dict[str, Any] | None = None,
    public: bool = False,
    refusal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation: its 200 answer, the error statuses it can give (401 and 429 for every
    operation behind a session), its body."""
    statuses = set(errors) | {"429"} | (set() if public else {"401"})
    responses: dict[str, Any] = {"200": ok}
    for status in sorted(statuses):
        schema = refusal if status == "422" and refusal is not None else _ref("Error")
        responses[status] = _answer(ERRORS[status], schema)
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        operation["requestBody"] = body
    if public:
        operation["security"] = []
    return operation


ORDER_NO = {"name": "order_no", "in": "path", "required": True, "schema": STRING}


def openapi() -> dict[str, Any]:
    """The whole description."""
    p = PREFIX
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "certdesk mini-program API",
            "version": "1",
            "description": "Errors are JSON {error, message}; message is Chinese, to be shown.",
        },
        "servers": [{"url": "/"}],
        "security": [{"session": []}],
        "components": {
            "securitySchemes": {"session": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            f"{p}/login": {
                "post": _operation(
                    "Exchange a wx.login code for a session token (7 days)",
                    _answer("the session", _obj({"token": STRING, "expires_in": INTEGER})),
                    ("400", "401"),
                    body=_json_body(_obj({"code": {**STRING, "minLength": 1, "maxLength": 128}})),
                    public=True,
                )
            },
            f"{p}/services": {
                "get": _operation(
                    "The five services and which the mini-program offers",
                    _answer(
                        "the services",
                        _obj(
                            {
                                "services": {
                                    "type": "array",
                                    "items": _obj(
                                        {
                                            "key": STRING,
                                            "title": STRING,
                                            "available": {"type": "boolean"},
                                        }
                                    ),
                                }
                            }
                        ),
                    ),
                    (),
                    public=True,
                )
            },
            f"{p}/openapi.json": {
                "get": _operation(
                    "This description",
                    _answer("OpenAPI 3.0", {"type": "object"}),
                    (),
                    public=True,
                )
            },
            f"{p}/flows/{{code}}/schema": {
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "get": _operation(
                    "A flow's form", _answer("the form", _ref("Flow")), ("404",), public=True
                ),
            },
            f"{p}/flows/{{code}}/draft": {
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "post": _operation(
                    "Open the draft of a flow (continuing one in progress)",
                    _answer("the draft", _ref("DraftAnswer")),
                    ("404",),
                ),
            },
            f"{p}/draft": {
                "get": _operation(
                    "The draft in progress", _answer("the draft", _ref("DraftAnswer")), ("404",)
                ),
                "patch": _operation(
                    "Record several fields; valid ones are kept, each refusal explained",
                    _answer("the draft and the refused fields", _ref("FieldErrors")),
                    ("400", "404"),
                    body=_json_body(
                        _obj(
                            {
                                "fields": {
                                    "type": "object",
                                    "maxProperties": 100,
                                    "additionalProperties": {**STRING, "maxLength": 500},
                                }
                            }
                        )
                    ),
                ),
            },
            f"{p}/draft/materials/{{slot}}": {
                "parameters": [{"name": "slot", "in": "path", "required": True, "schema": STRING}],
                "post": _operation(
                    "A material photo for an upload step",
                    _answer("the photo as stored, with its warnings", _ref("Upload")),
                    ("400", "404", "422"),
                    body=_photo_body(),
                    refusal=_ref("FormRefusal"),
                ),
            },
            f"{p}/draft/sms": {
                "post": _operation(
                    "Send the SMS code to the phone of the form",
                    _answer("where it went", _obj({"message": STRING})),
                    (),
                )
            },
            f"{p}/draft/submit": {
                "post": _operation(
                    "Check the SMS code; a complete draft is submitted for payment",
                    _answer("submitted", _ref("FormAnswer")),
                    ("400", "404", "422"),
                    body=_json_body(_obj({"code": {**STRING, "maxLength": 20}})),
                    refusal=_ref("FormRefusal"),
                ),
            },
            f"{p}/orders/{{order_no}}/pay": {
                "parameters": [ORDER_NO],
                "post": _operation(
                    "wx.requestPayment parameters of the user's confirmed order",
                    _answer(
                        "signed parameters",
                        _obj(
                            {
                                "order_no": STRING,
                                "amount_fen": INTEGER,
                                "payment": _obj(
                                    {
                                        "timeStamp": STRING,
                                        "nonceStr": STRING,
                                        "package": STRING,
                                        "signType": STRING,
                                        "paySign": STRING,
                                    }
                                ),
                            }
                        ),
                    ),
                    ("404", "409", "503"),
                ),
            },
            f"{p}/orders": {
                "get": _operation(
                    "我的订单: the user's own orders, newest first",
                    _answer("the orders", _ref("Orders")),
                    (),
                )
            },
            f"{p}/orders/lookup": {
                "post": _operation(
                    "Send a code to the phone on record of a unit's or person's orders",
                    _answer(
                        "where the code went",
                        _obj({"masked_phone": STRING, "expires_in": INTEGER}),
                    ),
                    ("400", "422"),
                    body=_json_body(_lookup_body()),
                ),
            },
            f"{p}/orders/lookup/verify": {
                "post": _operation(
                    "Check the code: the orders of that unit or person",
                    _answer("the orders", _ref("Orders")),
                    ("400", "422"),
                    body=_json_body(
                        _obj({**_lookup_body()["properties"], "code": {**STRING, "maxLength": 20}})
                    ),
                ),
            },
            f"{p}/orders/{{order_no}}": {
                "parameters": [ORDER_NO],
                "get": _operation(
                    "One order the user may see",
                    _answer("the order", _ref("OrderDetail")),
                    ("404",),
                ),
            },
            f"{p}/orders/{{order_no}}/invoice/resend": {
                "parameters": [ORDER_NO],
                "post": _operation(
                    "电子发票重新获取: email the invoice again",
                    _answer("where it went", _obj({"sent_to": STRING})),
                    ("404", "409"),
                ),
            },
            f"{p}/orders/{{order_no}}/fixes": {
                "parameters": [ORDER_NO],
                "get": _operation(
                    "What the reviewer sent back", _answer("the items", _ref("Fixes")), ("404",)
                ),
                "patch": _operation(
                    "Correct one field sent back",
                    _answer("fixed", _fixed()),
                    ("400", "404", "422"),
                    body=_json_body(_obj({"key": STRING, "value": {**STRING, "maxLength": 500}})),
                ),
            },
            f"{p}/orders/{{order_no}}/fixes/{{key}}": {
                "parameters": [
                    ORDER_NO,
                    {"name": "key", "in": "path", "required": True, "schema": STRING},
                ],
                "post": _operation(
                    "A new photo for one material sent back",
                    _answer("fixed", _fixed()),
                    ("400", "404", "422"),
                    body=_photo_body(),
                ),
            },
            f"{p}/subscriptions": {
                "get": _operation(
                    "Templates to pass to wx.requestSubscribeMessage, and what is left of each",
                    _answer("the templates", _ref("Subscriptions")),
                    (),
                ),
                "post": _operation(
                    "Record a wx.requestSubscribeMessage result",
                    _answer("the templates", _ref("Subscriptions")),
                    ("400",),
                    body=_json_body(
                        {"type": "object", "additionalProperties": True, "example": {"errMsg": ""}}
                    ),
                ),
            },
        },
    }


def _lookup_body() -> dict[str, Any]:
    return _obj(
        {
            "kind": {"type": "string", "enum": ["org", "personal"]},
            "id_number": {**STRING, "maxLength": 64},
        }
    )


def _fixed() -> dict[str, Any]:
    return {
        "allOf": [
            _ref("Fixes"),
            _obj(
                {
                    "message": STRING,
                    "material": {**_ref("Material"), "nullable": True},
                    "resubmitted": {"type": "boolean"},
                    "done_message": STRING,
                }
            ),
        ]
    }


async def serve(request: web.Request) -> web.Response:
    """``GET /api/mp/v1/openapi.json``."""
    return web.json_response(DESCRIPTION)


DESCRIPTION = openapi()
ROUTES = [web.get(f"{PREFIX}/openapi.json", serve)]
