"""Local fakes of the outside services the development server does not need (Tencent Cloud SMS,
SMTP, CFSSL) and the pytest fixtures of every fake; the WeChat API and WeChat Pay fakes live in
``bot.sandbox`` (``certdesk serve --dev`` runs them too).
"""
