"""UNO worker for the LibreOffice test harness.

Run by Debian's ``/usr/bin/python3`` (the only interpreter with ``uno``), never by
the test interpreter. It uses the standard library and ``uno`` only.

Usage::

    /usr/bin/python3 lo_worker.py PIPE_NAME REQUEST.json RESULT.json

REQUEST.json::

    {"connect_timeout": 60,
     "jobs": [{"path": "/abs/book.xlsm",
               "actions": [{"kind": "buttons"},
                           {"kind": "vba_modules"},
                           {"kind": "recalculate", "sheets": null, "ranges": ["Blad!A1:B3"]},
                           {"kind": "formulas", "sheets": ["Blad"], "ranges": []},
                           {"kind": "render_pdf", "sheets": ["Start"],
                            "out_dir": "/abs/dir", "stem": "book"}]}]}

RESULT.json: ``{"connect_seconds": s, "jobs": [{"ok": true, "load_seconds": s,
"results": [...one per action...]} | {"ok": false, "error": "..."}]}``.

Each job loads its document once (hidden, macros never executed),
runs its actions in order and closes it. It works on a private copy, so the
original file is never locked or written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

import uno
from com.sun.star.beans import PropertyValue

_SCRIPT_RE = re.compile(r"^vnd\.sun\.star\.script:([^.?]+)\.([^?]+)")


def _pv(name, value):
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def connect(pipe_name, timeout):
    """Connect to the soffice listening on ``pipe_name``; retry until ``timeout``."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(url)
            break
        except Exception as exc:  # NoConnectException until soffice listens
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Kunde inte ansluta till LibreOffice inom {timeout} s: {exc}"
                ) from exc
            time.sleep(0.1)
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def load(desktop, path, work_dir):
    """Load a private copy of ``path``: editable (hiding sheets needs that) without
    leaving a lock file next to the original or ever writing to it."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Filen finns inte: {path}")
    copy = os.path.join(work_dir, os.path.basename(path))
    shutil.copyfile(path, copy)
    props = (
        _pv("Hidden", True),
        _pv("MacroExecutionMode", 0),  # NEVER_EXECUTE
        _pv("UpdateDocMode", 0),  # NO_UPDATE of links
    )
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(copy), "_blank", 0, props)
    if doc is None:
        raise RuntimeError(f"LibreOffice kunde inte öppna {path}")
    return doc


def _sheet(doc, name):
    if not doc.Sheets.hasByName(name):
        raise KeyError(
            f"Bladet {name!r} finns inte; bladen är: {', '.join(doc.Sheets.ElementNames)}"
        )
    return doc.Sheets.getByName(name)


def _control_shapes(sheet):
    page = sheet.DrawPage
    for k in range(page.Count):
        shape = page.getByIndex(k)
        if shape.ShapeType == "com.sun.star.drawing.ControlShape":
            yield shape


def buttons(doc):
    """Every form control on every sheet with its caption and bound script."""
    out = []
    for sheet in doc.Sheets:
        shapes = list(_control_shapes(sheet))
        forms = sheet.DrawPage.Forms
        for i in range(forms.Count):
            form = forms.getByIndex(i)
            for j in range(form.Count):
                model = form.getByIndex(j)
                events = form.getScriptEvents(j)
                scripts = [
                    {"listener": e.ListenerType, "method": e.EventMethod,
                     "type": e.ScriptType, "code": e.ScriptCode}
                    for e in events
                ]
                script = next((s["code"] for s in scripts if s["method"] == "actionPerformed"),
                              scripts[0]["code"] if scripts else None)
                library = macro = None
                if script:
                    m = _SCRIPT_RE.match(script)
                    if m:
                        library, macro = m.group(1), m.group(2)
                info = model.getPropertySetInfo()
                entry = {
                    "sheet": sheet.Name,
                    "name": model.Name,
                    "caption": model.Label if info.hasPropertyByName("Label") else None,
                    "type": model.ImplementationName,
                    "macro": macro,
                    "library": library,
                    "script": script,
                    "events": scripts,
                    "printable": model.Printable if info.hasPropertyByName("Printable") else None,
                }
                shape = next((s for s in shapes if s.Control == model), None)
                if shape is not None:
                    anchor = shape.Anchor
                    entry.update(
                        x=shape.Position.X, y=shape.Position.Y,
                        width=shape.Size.Width, height=shape.Size.Height,
                        anchor=getattr(anchor, "AbsoluteName", None),
                    )
                out.append(entry)
    return out


def vba_modules(doc):
    libs = doc.BasicLibraries
    out = {}
    for name in libs.ElementNames:
        if not libs.isLibraryLoaded(name):
            libs.loadLibrary(name)
        lib = libs.getByName(name)
        out[name] = {m: lib.getByName(m) for m in lib.ElementNames}
    return out


def _used_range(sheet):
    """A1 through the end of the used area, so result[r][c] is row r+1, column c+1."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)


def _split_range(ref):
    if "!" not in ref:
        raise ValueError(f"Området {ref!r} saknar bladnamn (t.ex. 'Blad1!A1:C3')")
    sheet, addr = ref.rsplit("!", 1)
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, addr


def _ranges(doc, action):
    sheets = action.get("sheets")
    ranges = action.get("ranges") or []
    if sheets is None and not ranges:
        sheets = list(doc.Sheets.ElementNames)
    for name in sheets or []:
        yield name, _used_range(_sheet(doc, name))
    for ref in ranges:
        sheet, addr = _split_range(ref)
        yield ref, _sheet(doc, sheet).getCellRangeByName(addr)


def _plain(rows):
    # getDataArray: float for numbers, str for text ("" when empty), None for errors.
    return [list(row) for row in rows]


def recalculate(doc, action):
    doc.calculateAll()
    return {key: _plain(rng.getDataArray()) for key, rng in _ranges(doc, action)}


def formulas(doc, action):
    return {key: _plain(rng.getFormulaArray()) for key, rng in _ranges(doc, action)}


def _safe(name):
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "blad"


def render_pdf(doc, action):
    """Export each chosen sheet alone to ``<out_dir>/<stem>_<sheet>.pdf``."""
    doc.calculateAll()
    for sheet in doc.Sheets:
        for shape in _control_shapes(sheet):
            model = shape.Control
            if model.getPropertySetInfo().hasPropertyByName("Printable"):
                model.Printable = True
    names = list(doc.Sheets.ElementNames)
    wanted = action.get("sheets") or names
    out_dir = action["out_dir"]
    os.makedirs(out_dir, exist_ok=True)
    controller = doc.CurrentController
    # a hidden sheet with a print range is still exported: keep every sheet's ranges aside and
    # give each back only while it is the one printed
    areas = {name: doc.Sheets.getByName(name).getPrintAreas() for name in names}
    pdfs = {}
    for want in wanted:
        target = _sheet(doc, want)
        # Show the wanted sheet first: the active sheet cannot be hidden.
        target.IsVisible = True
        if controller is not None:
            controller.setActiveSheet(target)
        for name in names:
            sheet = doc.Sheets.getByName(name)
            sheet.setPrintAreas(areas[name] if name == target.Name else ())
            if name != want:
                sheet.IsVisible = False
        pdf = os.path.join(out_dir, f"{_safe(action.get('stem') or 'bok')}_{_safe(want)}.pdf")
        doc.storeToURL(uno.systemPathToFileUrl(pdf), (_pv("FilterName", "calc_pdf_Export"),))
        pdfs[want] = pdf
    return pdfs


ACTIONS = {
    "buttons": lambda doc, action: buttons(doc),
    "vba_modules": lambda doc, action: vba_modules(doc),
    "recalculate": recalculate,
    "formulas": formulas,
    "render_pdf": render_pdf,
}


def run_job(desktop, job):
    with tempfile.TemporaryDirectory(prefix="xlkc-lo-jobb-") as work_dir:
        return _run_loaded(desktop, job, work_dir)


def _run_loaded(desktop, job, work_dir):
    t0 = time.monotonic()
    doc = load(desktop, job["path"], work_dir)
    try:
        load_seconds = time.monotonic() - t0
        results = []
        for action in job["actions"]:
            kind = action["kind"]
            if kind not in ACTIONS:
                raise ValueError(f"Okänd åtgärd: {kind!r}")
            results.append(ACTIONS[kind](doc, action))
        return {"ok": True, "load_seconds": load_seconds, "results": results}
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def main(argv):
    pipe_name, request_path, result_path = argv[1:4]
    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    t0 = time.monotonic()
    desktop = connect(pipe_name, float(request.get("connect_timeout", 60)))
    out = {"connect_seconds": time.monotonic() - t0, "jobs": []}
    for job in request["jobs"]:
        try:
            out["jobs"].append(run_job(desktop, job))
        except Exception as exc:
            out["jobs"].append({"ok": False, "error": f"{type(exc).__name__}: {exc}",
                                "traceback": traceback.format_exc()})
    tmp = result_path + ".part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False)
    os.replace(tmp, result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
