"""Opens documents in a headless LibreOffice Calc, as a user would, and prints their sheets' cells.

usage: /usr/bin/python3 calc.py <profile dir> <document path or URL> [<filter> <filter options>] ...
Each document is "path|filter|options" (filter and options empty for a native document), or
"formulas:" and a JSON list of formulas a user types into A1, B1… of a new sheet (a WEBSERVICE formula
in a saved document is held back by Calc's link-update security prompt, which a headless Calc answers
"no"). Prints one JSON object: document -> rows of the first sheet's used area (numbers as numbers).
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    profile, documents = sys.argv[1], sys.argv[2:]
    pipe = "hublot_calc_%d" % os.getpid()
    office = subprocess.Popen(
        [
            "soffice",
            "-env:UserInstallation=file://" + profile,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--accept=pipe,name=%s;urp;" % pipe,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
        )
        for _ in range(120):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        out = {}
        for spec in documents:
            if spec.startswith("formulas:"):
                doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
                for column, formula in enumerate(json.loads(spec[len("formulas:"):])):
                    doc.Sheets.getByIndex(0).getCellByPosition(column, 0).setFormula(formula)
            else:
                path, filter_name, options = (spec.split("|") + ["", ""])[:3]
                url = path if "://" in path else uno.systemPathToFileUrl(os.path.abspath(path))
                args = [prop("Hidden", True)]
                if filter_name:
                    args += [prop("FilterName", filter_name), prop("FilterOptions", options)]
                doc = desktop.loadComponentFromURL(url, "_blank", 0, tuple(args))
            doc.calculateAll()
            sheet = doc.Sheets.getByIndex(0)
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            end = cursor.RangeAddress
            cells = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
            out[spec] = [list(row) for row in cells.getDataArray()]
            doc.close(True)
        print(json.dumps(out))
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


main()
