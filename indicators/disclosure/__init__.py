"""Statistical disclosure control: the one gate every published number passes (DESIGN.md
"Disclosure control", methodology §7). Pure functions, one per step: primary suppression,
the count table and its relations, secondary suppression, rounding, the audit."""
