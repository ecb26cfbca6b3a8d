"""certdesk test suite."""
