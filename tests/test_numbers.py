"""pipeline.numbers: numbers as letters write them, for urgency's head counts and places' bus routes."""
import pytest

from pipeline.numbers import parse_number


@pytest.mark.parametrize("token, value", [("300", 300), ("三百", 300), ("几十", 30), ("上百", 100),
                                          ("十几", 13), ("一百五十", 150), ("两千", 2000), ("三", 3),
                                          ("十六", 16), ("一百零八", 108)])
def test_parse_number(token, value):
    assert parse_number(token) == value
