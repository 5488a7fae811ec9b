pytest_plugins = ["workbook.plugin"]
