"""The domain: pure code over plain values (journal, schedule, calendar export, reminders, prompts and
themes, attendance maths). No I/O, no UI, no storage: what needs the member's language takes it as a
parameter."""
