"""Local fakes of the outside services (WeChat API, WeChat Pay v3, Tencent Cloud SMS, SMTP).

Each is an independent implementation of the other side of the wire: nothing here imports the
``bot`` package.
"""
