"""Small observable states, one per feature; `model.AppModel` wires them (docs/adr/0007-app-layout.md)."""
