import pytest
from django.core.exceptions import ValidationError

from members.validators import normalise_corporate_number, validate_corporate_number


def test_valid_corporate_number_passes():
    validate_corporate_number("7000012050002")


def test_corporate_number_with_wrong_check_digit_is_rejected():
    with pytest.raises(ValidationError):
        validate_corporate_number("7000012050001")


@pytest.mark.parametrize("value", ["700001205000", "70000120500021", "abcdefghijklm"])
def test_corporate_number_of_wrong_shape_is_rejected(value):
    with pytest.raises(ValidationError):
        validate_corporate_number(value)


def test_full_width_digits_and_hyphens_are_normalised():
    assert normalise_corporate_number("７０００-０１２０-５０００２") == "7000012050002"
    validate_corporate_number("７００００１２０５０００２")


def test_empty_corporate_number_is_allowed():
    validate_corporate_number("")
    validate_corporate_number(None)
