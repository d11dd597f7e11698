"""Each formula kind names the variables it reads (the store is asked for those only)."""

import typing

from indicators.definitions import Formula, Framework, load_frameworks
from indicators.formulas.access import AccessFormula
from indicators.formulas.base import FormulaKind
from indicators.formulas.diversity import DiversityFormula
from indicators.formulas.group_shares import GroupSharesFormula
from indicators.formulas.rates import RateFormula
from indicators.formulas.terms import TermsFormula


def test_every_kind_of_the_union_implements_the_formula_interface():
    kinds = typing.get_args(Formula)
    assert kinds and all(issubclass(kind, FormulaKind) for kind in kinds)


def test_each_kind_names_the_variables_it_reads():
    terms = TermsFormula.model_validate({
        "terms": {"a": {"variable": "labour_force", "where": {"status": "unemployed"}},
                  "b": {"variable": "population", "scope": "city"}},
        "expression": "a / b"})
    assert terms.variables() == {"labour_force", "population"}
    diversity = DiversityFormula(kind="diversity", measure="simpson", variable="population",
                                 dimension="citizenship")
    assert diversity.variables() == {"population"}
    shares = GroupSharesFormula(kind="group_shares", variable="population_by_birthplace",
                                dimension="birthplace")
    assert shares.variables() == {"population_by_birthplace"}
    access = AccessFormula(kind="access", measure="nearest_service_m",
                           population_variable="pop", residents_variable="residents")
    assert access.variables() == {"residents", "pop_centre_lon", "pop_centre_lat"}
    rate = RateFormula.model_validate({
        "kind": "rate", "counts": {"variable": "service_requests"}, "per": "1000_residents",
        "residents": [{"variable": "population_total", "label": "census"}]})
    assert rate.variables() == {"service_requests", "population_total"}
    assert RateFormula(kind="rate", events="fire", per="km2").variables() == set()


def test_a_framework_reads_the_union_of_its_indicators_variables():
    intercultural: Framework = load_frameworks()["intercultural"]
    assert intercultural.variables() == set().union(
        *(d.formula.variables() for d in intercultural.indicators))
    assert {"population_centre_lon", "population_centre_lat"} <= intercultural.variables()
