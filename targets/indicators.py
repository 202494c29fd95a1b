"""The five indicators of DOMAIN.md. The data migration loads these; code refers to the codes."""

FDI_ACTUAL = "fdi_actual"
FDI_CONTRACT = "fdi_contract"
FOREIGN_PROJECTS = "foreign_projects"
DOMESTIC_ACTUAL = "domestic_actual"
DOMESTIC_PROJECTS = "domestic_projects"

# (code, name, measure, capital type)
INDICATORS = [
    (FDI_ACTUAL, "实际到位外资", "wan_usd", "foreign"),
    (FDI_CONTRACT, "合同利用外资", "wan_usd", "foreign"),
    (FOREIGN_PROJECTS, "新批外资项目", "count", "foreign"),
    (DOMESTIC_ACTUAL, "实际到位内资（境内省外资金）", "wan_cny", "domestic"),
    (DOMESTIC_PROJECTS, "引进内资项目", "count", "domestic"),
]
INDICATOR_CODES = [code for code, *_rest in INDICATORS]
