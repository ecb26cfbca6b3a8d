"""The Key bridge: a program on the applicant's PC that drives the USB Key (PIV over PC/SC)."""
