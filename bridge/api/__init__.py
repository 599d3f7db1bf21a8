"""The G2P-Bridge-compatible API: the anchor's paths and its `{signature, header, message}` envelope."""
