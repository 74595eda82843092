"""What a case manager reads about each petitioner: the persons table on real repeat callers."""
from pipeline.mask import mask_frame
from pipeline.persons import persons_table


def test_the_real_repeat_callers_head_the_persons_table_with_their_name_forms(qingdao_linked):
    """The Qingdao file: every call of two real callers, one sheet each (read, never copied)."""
    persons = persons_table(qingdao_linked)
    top = persons.head(2)
    # each caller is one person of hundreds of calls, over months
    assert (top["letter_count"] >= 200).all()
    assert ((top["last_seen"] - top["first_seen"]).dt.days >= 90).all()
    assert (top["letters_per_month"] >= 20).all()
    # every way the operators wrote them: full name with and without title, given name alone
    assert all(len(forms.split(";")) >= 3 for forms in top["name_forms"])
    assert top["top_matters"].notna().all()
    # sorted by letters, then the most recent contact
    order = persons.sort_values(["letter_count", "last_seen"], ascending=[False, False],
                                kind="stable")
    assert list(persons["letter_count"]) == list(order["letter_count"])
    # what leaves the store is masked: no caller's full name in any name form
    shown = mask_frame(persons)
    for name in persons["name"].dropna().unique():
        assert not shown["name_forms"].fillna("").str.contains(name).any()


def test_joining_each_persons_values_in_python_is_pandas_groupby_join_on_a_real_run(sample_run):
    """`persons_table` joins each person's matters, name forms and letter ids with
    `_join_by_person` (plain Python, for speed); pandas' `groupby(sort=False).agg(";".join)`, the
    straightforward way, gives the same series (values, order, dtype) on the bundled run's letters."""
    import pandas as pd

    from pipeline.persons import _join_by_person

    letters = sample_run.letters
    assert letters["person_id"].duplicated().sum() > 20  # repeat writers: groups of several
    for column in ("letter_id", "issue_type", "hot_issue_label", "department"):
        part = letters[["person_id", column]].dropna()
        part = part.assign(**{column: part[column].astype(str)})
        expected = part.groupby("person_id", sort=False)[column].agg(";".join)
        pd.testing.assert_series_equal(_join_by_person(part["person_id"], part[column]), expected)


def test_name_forms_told_once_per_written_name_are_those_told_letter_by_letter(sample_run):
    """`_name_forms` tells each distinct name cell once (`_written_name`, cached); telling every
    letter's cell afresh, the straightforward way, gives the same forms on the bundled run."""
    import pandas as pd

    from pipeline.persons import _name_forms, _written_name

    letters = sample_run.letters
    fresh = _written_name.__wrapped__
    expected = [fresh(v) if isinstance(v, str) and fresh(v) is not None
                else n if isinstance(n, str) else p if isinstance(p, str) and len(p) > 1 else None
                for v, n, p in zip(letters["name"], letters["name_clean"], letters["name_partial"])]
    forms = _name_forms(letters)
    assert forms.tolist() == expected
    assert forms.notna().sum() > 100 and (forms != letters["name"]).sum() > 10
    pd.testing.assert_index_equal(forms.index, letters.index)
