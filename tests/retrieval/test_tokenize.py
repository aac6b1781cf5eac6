import pytest

from retrieval.base import RetrieverError
from retrieval.tokenize import get_tokenizer


def test_english_plain_lowercases_splits_and_drops_lucene_stopwords():
    tok = get_tokenizer("en")
    assert tok("The Flow of a Supersonic JET, in 2 tunnels!") == ["flow", "supersonic", "jet", "tunnels"]
    assert tok.params()["stem"] is None and tok.params()["stopwords"] == "lucene"


def test_english_stemming_is_snowball():
    tok = get_tokenizer("en", stem=True)
    assert tok("flows flowing tunnels") == ["flow", "flow", "tunnel"]
    assert tok.params()["stem"] == "english"


def test_english_stopword_sources():
    assert "the" in get_tokenizer("en", stopwords=False)("the wing")
    assert get_tokenizer("en", stopwords="spacy")("whereafter the wing") == ["wing"]


def test_chinese_jieba_precise_mode_drops_punctuation_and_stopwords():
    tok = get_tokenizer("zh")
    terms = tok("被告人酒后驾驶机动车，在道路上行驶。")
    assert "被告人" in terms and "机动车" in terms
    assert not any(t in {"，", "。", " "} for t in terms)
    assert "在" not in terms  # spaCy's Chinese stopword list


def test_unknown_language_and_chinese_stemming_are_user_errors():
    with pytest.raises(RetrieverError, match="no tokenizer for language 'fr'"):
        get_tokenizer("fr")
    with pytest.raises(RetrieverError, match="stemming is not defined for Chinese"):
        get_tokenizer("zh", stem=True)
