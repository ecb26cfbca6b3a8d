"""The server's side of the Key bridge: the WebSocket hub, pairing by WeChat QR code, and the
API the conversations call to run an operation on a user's Key."""
