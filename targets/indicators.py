"""The five indicators of DOMAIN.md. The data migration loads these; code refers to the codes.

The names are stored in Chinese (exports and the workbook use them); ``Indicator.label`` shows
them in the reader's language, through the catalogue entries that ``gettext_noop`` marks here.
"""

from django.utils.translation import gettext_noop

FDI_ACTUAL = "fdi_actual"
FDI_CONTRACT = "fdi_contract"
FOREIGN_PROJECTS = "foreign_projects"
DOMESTIC_ACTUAL = "domestic_actual"
DOMESTIC_PROJECTS = "domestic_projects"

# (code, name, measure, capital type)
INDICATORS = [
    (FDI_ACTUAL, gettext_noop("实际到位外资"), "wan_usd", "foreign"),
    (FDI_CONTRACT, gettext_noop("合同利用外资"), "wan_usd", "foreign"),
    (FOREIGN_PROJECTS, gettext_noop("新批外资项目"), "count", "foreign"),
    (DOMESTIC_ACTUAL, gettext_noop("实际到位内资（境内省外资金）"), "wan_cny", "domestic"),
    (DOMESTIC_PROJECTS, gettext_noop("引进内资项目"), "count", "domestic"),
]
INDICATOR_CODES = [code for code, *_rest in INDICATORS]
