"""Tests of nntrain.glossary: reading the glossary, finding and matching term annotations."""
import nbformat
import pytest

from nntrain.course.glossary import Term, annotations, english_forms, load, matches


def notebook(*markdown):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = f(1, 2)")] + [nbformat.v4.new_markdown_cell(m) for m in markdown]
    return nb


def found(*markdown):
    return annotations(notebook(*markdown), "00_x")


MOMENTUM = Term("momentum", "动量", "", "02_momentum")
SGD = Term("stochastic gradient descent", "随机梯度下降", "", "00_x", ("SGD",))


@pytest.mark.parametrize("text", [
    "**Momentum** (动量) gives a memory.",
    "with momentum (动量)",
    "**momentum (动量)**, a memory",
    "- **Momentum (动量, chapter 2).** The velocity",
    "the iterate keeps its\nmomentum\n(动量) from step to step",
    "a memory (the **momentum**, 动量)",
])
def test_forms_of_an_annotation_match(text):
    (ann,) = found(text)
    assert matches(MOMENTUM, ann)


@pytest.mark.parametrize("text", [
    "with momentum (冲量)",            # another Chinese name
    "with moment (动量)",              # another word
    "with angular-momentum (动量)",    # only part of a word
    "momentum is kept (动量)",         # the term does not stand right before the parentheses
    "keeps a memory (动量)",
])
def test_other_text_does_not_match(text):
    (ann,) = found(text)
    assert not matches(MOMENTUM, ann)


def test_abbreviations_and_plurals():
    (a, b) = found("stochastic gradient descent (SGD, 随机梯度下降)", "plain SGD (随机梯度下降)")
    assert matches(SGD, a) and matches(SGD, b)
    assert {"epoch", "epochs"} <= english_forms("Epoch")
    assert "mini-batches" in english_forms("mini-batch")
    assert "local optima" in english_forms("local optimum")
    assert "principal axes" in english_forms("principal axis")
    assert "probabilities" in english_forms("probability")


@pytest.mark.parametrize("text", [
    'The panel ("方差归一化后") shows',                      # quoted
    "randomly set some to zero (在每次前向传播中，随机将一些神经元设置为零)",   # a sentence
    "(Dropout 可以有效缓解深度神经网络中常见的过拟合问题)",              # too long for a term
    "f(x) = (x + 1)",                                         # no Chinese
    '(the lecture says "可能范围", the possible range)',
])
def test_quotations_are_not_annotations(text):
    assert found(text) == []


def test_headings_are_marked_and_cells_counted():
    anns = found("# 2. SGD with momentum (SGD + 动量)\n\nText about **momentum** (动量).")
    assert [(a.heading, a.zh, a.cell) for a in anns] == [(True, "SGD + 动量", 1), (False, "动量", 1)]
    assert "momentum" in str(anns[1]) and "00_x cell 1" in str(anns[1])


def test_a_paragraph_break_ends_the_text_before():
    (ann,) = found("about momentum\n\n(动量) starts a paragraph")
    assert ann.before == "" and not matches(MOMENTUM, ann)


def test_load_reads_the_columns(tmp_path):
    f = tmp_path / "g.csv"
    f.write_text('term,zh,symbol,chapter,also\nlearning rate,学习率,$lr$,00_x,\n'
                 'batch normalization,批量归一化,"$\\gamma, \\beta$",09_y,batch norm; BN\n', encoding="utf-8")
    a, b = load(f)
    assert a == Term("learning rate", "学习率", "$lr$", "00_x", ())
    assert b.symbol == "$\\gamma, \\beta$" and b.names == ("batch normalization", "batch norm", "BN")


@pytest.mark.parametrize("body, match", [
    ("学习率,learning rate,,00_x,\n", "term"),
    ("learning rate,lr,,00_x,\n", "zh"),
    ("learning rate,学习率,,,\n", "chapter"),
    ("learning rate,学习率,$a, b$,00_x,\n", "quote"),
])
def test_load_rejects_bad_rows(tmp_path, body, match):
    f = tmp_path / "g.csv"
    f.write_text("term,zh,symbol,chapter,also\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load(f)


def test_load_rejects_a_wrong_header(tmp_path):
    f = tmp_path / "g.csv"
    f.write_text("english,chinese\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load(f)
