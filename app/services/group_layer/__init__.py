"""The group layer, protocol version 2 (docs/adr/0006-group-protocol-v2.md): groups that run themselves.

`circle` loads and writes one group and seals with the next sequence number; `starting` makes a group and its
invites; `asking` is a person's request to join; `hosting` is what hosts do (admit, name hosts, policy,
remove, homework, schedule); `taking_part` is what every member does ("I can't come", votes, name, contact the
starter, leave); `receiving` checks and applies what the mailbox brings. Version 1 groups keep
`app.services.leader` and `app.services.joining`.
"""
