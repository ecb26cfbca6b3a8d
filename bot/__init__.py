"""certdesk: a CA's certificate service in WeChat — the server machinery."""
