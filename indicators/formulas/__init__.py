"""Formula kinds: one module each, each kind one class that reads its YAML block (a pydantic
model), names the variables it reads and evaluates itself on prepared observations. The union
of the kinds, the ``formula:`` of a definition, is in ``indicators.definitions``."""
