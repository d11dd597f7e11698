"""What used to assume citizenship follows the declared dimension: the foreign residents of the
access formula and the residents under a heat surface."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.formulas.access import AccessFormula
from indicators.formulas.base import Term
from observatory.models import canonical_dims
from observatory.services.heat_surface import district_population


def test_access_counts_foreign_residents_of_the_declared_dimension():
    default = AccessFormula(kind="access", measure="services_per_1000_foreign")
    assert default.foreign_residents() == Term(variable="population",
                                               where={"citizenship": {"not": ["national"]}})
    assert "dimension" not in default.model_dump()  # the shipped definitions keep their hash
    born = AccessFormula(kind="access", measure="services_per_1000_foreign",
                         dimension="birthplace", residents_variable="population_by_birthplace")
    assert born.foreign_residents().where == {"birthplace": {"not": ["native_born"]}}
    assert born.model_dump()["dimension"] == "birthplace"
    with pytest.raises(ValueError, match="'origin' has no reference group"):
        AccessFormula(kind="access", measure="services_per_1000_foreign",
                      dimension="origin").foreign_residents()


def test_heat_residents_sum_the_first_group_dimension_the_census_carries():
    rows = [("01", {"birthplace": "foreign_born"}, 40.0), ("01", {"birthplace": "native_born"}, 60.0),
            ("02", {"birthplace": "foreign_born"}, 5.0), ("02", {"birthplace": "native_born"}, 15.0),
            ("01", {"sex": "female"}, 55.0)]  # another breakdown of the same residents
    observations = pd.DataFrame({
        "district_code": [r[0] for r in rows], "period": "2024",
        "variable": "population", "dims": [canonical_dims(r[1]) for r in rows],
        "value": [r[2] for r in rows]})
    assert district_population(observations).to_dict() == {"01": 100.0, "02": 20.0}
