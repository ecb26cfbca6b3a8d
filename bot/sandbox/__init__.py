"""Local stand-ins for the outside services (WeChat API, WeChat Pay v3) that check signatures and
answer with the real error codes.

``certdesk serve --dev`` runs them in-process so every flow works with no WeChat or merchant
account; the tests drive the same servers. Each is an independent implementation of the other
side of the wire: nothing here imports the rest of the ``bot`` package.
"""
