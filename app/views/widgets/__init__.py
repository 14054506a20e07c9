"""Small pieces several screens show; none of them is a screen (docs/adr/0007-app-layout.md)."""
