"""Running untrusted code: a confined child per submission, the wire format, and replies checked on arrival."""
