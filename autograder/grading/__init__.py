"""One submission becomes a Grade: the Reference, the two oracles, the mistake catalogue, the source reader."""
