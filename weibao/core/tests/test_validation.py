import pytest

from weibao.core.errors import ValidationFailed
from weibao.core.models import Counter
from weibao.core.validation import validate_unique_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "code"), [("", "required"), ("有 空格", "invalid_code"), ("x" * 65, "too_long")]
)
def test_bad_codes_name_the_field(value: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_unique_code(value=value, taken=Counter.objects.filter(name=value))
    assert (excinfo.value.code, excinfo.value.field) == (code, "code")


def test_taken_unless_it_is_the_row_being_edited() -> None:
    row = Counter.objects.create(name="his")
    with pytest.raises(ValidationFailed) as excinfo:
        validate_unique_code(value=" his ", taken=Counter.objects.filter(name="his"))
    assert excinfo.value.code == "code_taken"
    assert (
        validate_unique_code(value="his", taken=Counter.objects.filter(name="his"), exclude_pk=row.pk)
        == "his"
    )
