"""A PIV card in software: the applet, an in-process transport and a vsmartcard (vpcd) client
that makes it appear in a real PC/SC reader for the bridge, OpenSC and the development console."""
