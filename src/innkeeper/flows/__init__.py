"""Cross-domain use cases, one module each, above the domains and below ops and the interfaces.

A domain never calls a sibling or a higher layer; when a step of one domain must follow a step
of another ("cancel, then refund"; "deposit paid, then confirm"), the interfaces call the flow
that strings them together (Netflix Dispatch's `flows.py` is the model)."""
