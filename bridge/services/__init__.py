"""Every write of the bridge: clients, programs, envelopes, disbursements, pipeline stages, statements, review."""
