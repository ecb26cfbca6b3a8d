"""WeChat Pay API v3: signing, resource decryption, the HTTP client and payment notifications."""
