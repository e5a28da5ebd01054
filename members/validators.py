"""法人番号 (corporate number) validation, delegated to python-stdnum's ``stdnum.jp.cn``."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.jp import cn

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_corporate_number(value: str | None) -> str:
    """Strip spaces and hyphens and convert full-width digits; '' for nothing."""
    if value is None or value == "":  # most rows of a sheet have no 法人番号
        return ""
    return cn.compact(str(value).translate(_FULL_WIDTH_DIGITS))


def validate_corporate_number(value: str | None) -> None:
    if not value:
        return
    try:
        cn.validate(normalise_corporate_number(value))
    except StdnumError:
        raise ValidationError(
            _(
                "法人番号「%(value)s」が正しくありません（13桁・チェックデジットを確認してください）。"
            ),
            code="invalid_corporate_number",
            params={"value": value},
        ) from None
