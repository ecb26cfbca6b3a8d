"""The WeChat official account and mini-program: message crypto, webhook, API client."""
