"""xlkc.excel.xml_text against xml.sax.saxutils, on arbitrary text and entity maps."""

from __future__ import annotations

import subprocess
import sys
from xml.sax import saxutils

from hypothesis import given
from hypothesis import strategies as st

from xlkc.excel import xml_text

TEXT = st.lists(st.sampled_from(list("ab&<>\"'\n\r\t ;#åÄ") + ["&amp;", "&lt;", "&gt;",
                                                                 "&quot;"])).map("".join)
ENTITIES = st.dictionaries(st.sampled_from(['"', "'", "a", "&quot;", "&apos;", "&#10;"]),
                           st.sampled_from(["&quot;", "&apos;", '"', "'", "b"]), max_size=3)


@given(TEXT, st.none() | ENTITIES)
def test_the_same_as_saxutils(text, entities):
    args = (text,) if entities is None else (text, entities)
    assert xml_text.escape(*args) == saxutils.escape(*args)
    assert xml_text.unescape(*args) == saxutils.unescape(*args)
    assert xml_text.quoteattr(*args) == saxutils.quoteattr(*args)


def test_a_click_imports_neither_saxutils_nor_ssl():
    code = ("import sys, xlkc.cli, xlkc.excel.file_reader, xlkc.excel.run, "
            "xlkc.excel.file_writer; print(sorted(m for m in ('xml.sax.saxutils', 'ssl', "
            "'http.client') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
