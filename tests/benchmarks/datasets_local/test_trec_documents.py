"""TREC SGML documents are read as Terrier and Anserini read them (issue 23, item 1).

Every text inside `<DOC>` is the document, in `<TEXT>` or not (the classic collections Terrier ships carry
it bare after `<DOCNO>`), except ids and HTTP headers; `<TITLE>`/`<HEADLINE>` are the title. A file whose
documents are all empty is an error naming it. Checked here on the real Vaswani file (Terrier's own copy).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.datasets_local.base import LocalDataError
from benchmarks.datasets_local.trec import read_docs


def _docs(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "docs.trec"
    path.write_text(text, encoding="utf-8")
    return read_docs(path)


def test_bare_text_nested_elements_and_both_title_tags_are_kept(tmp_path: Path) -> None:
    corpus = _docs(tmp_path, (
        "<DOC>\n<DOCNO> d1 </DOCNO>\ncompact memories have flexible capacities\n</DOC>\n"
        "<DOC>\n<DOCNO>d2</DOCNO>\n<DOCHDR>\nhttp://x.org/ 200 OK Content-type: text/html\n</DOCHDR>\n"
        "<HEADLINE>Wing flutter</HEADLINE><TITLE>Flutter</TITLE>\n<TEXT>\n<P>first part</P>\n<P>second part</P>\n"
        "</TEXT>\ntrailing &amp; bare\n</DOC>\n"))
    assert corpus["d1"].text == "compact memories have flexible capacities" and corpus["d1"].title == ""
    assert corpus["d2"].title == "Wing flutter Flutter"                 # before: the HEADLINE was dropped
    assert corpus["d2"].text == "first part second part trailing & bare"  # before: only the last <P> of a field
    assert "http" not in corpus["d2"].text                               # DOCHDR is an HTTP header, not text


def test_the_real_vaswani_file_reads_as_its_own_loader_reads_it(shared_data: Path) -> None:
    from benchmarks.data.loaders.trec_xml import load_vaswani

    folder = shared_data / "vaswani_npl"
    ours = read_docs(folder / "corpus" / "doc-text.trec")
    reference = load_vaswani(folder).corpus               # XML parser: the text after <DOCNO>
    assert len(ours) == len(reference) == 11429
    assert all(ours[d].text == reference[d].text for d in reference)


def test_a_file_of_empty_documents_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(LocalDataError, match=re.escape(str(tmp_path / "docs.trec")) + r": all 2 documents are empty"):
        _docs(tmp_path, "<DOC><DOCNO>1</DOCNO></DOC>\n<DOC>\n<DOCNO>2</DOCNO>\n<DOCID>x</DOCID>\n</DOC>\n")
