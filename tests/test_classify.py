"""IssueClassifier on real letters: accuracy on a held-out split, explanations, persistence, errors, CLI."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from pipeline.classify import (
    FORMAT_VERSION, META_FILE, IssueClassifier, fit_temperature, is_segmented, label_variants, letter_texts,
    near_duplicate_groups, review_threshold, split_large_groups,
)
from pipeline.cli import main
from pipeline.errors import PetitionError


@pytest.fixture(scope="module")
def shared_letters(shared_dir):
    """A stratified 1,540-letter slice of the shared labeled letters (raw and segmented)."""
    raw = pd.read_csv(shared_dir / "labeled_raw.csv")
    seg = pd.read_csv(shared_dir / "labeled_segmented.csv")
    frame = pd.concat([raw.assign(kind="raw"), seg.assign(kind="seg")], ignore_index=True)
    frame = frame.groupby("label").sample(n=220, random_state=0).reset_index(drop=True)
    frame["title"] = None
    return frame


@pytest.fixture(scope="module")
def split(shared_letters):
    """Train/test split by near-duplicate group, so no test letter has a copy in training."""
    groups = near_duplicate_groups(letter_texts(shared_letters))
    rng = np.random.default_rng(0)
    unique = np.unique(groups)
    test_groups = set(rng.choice(unique, size=len(unique) // 5, replace=False))
    is_test = np.array([g in test_groups for g in groups])
    return shared_letters[~is_test].reset_index(drop=True), shared_letters[is_test].reset_index(drop=True)


@pytest.fixture(scope="module")
def trained(split):
    train, _ = split
    return IssueClassifier(cv_folds=3, random_state=0).fit(train, train["label"])


def test_segmented_text_is_recognised():
    assert is_segmented("市 西湖 建筑 集团 占 道 施工 安全隐患 A3 区 大道")
    assert not is_segmented("A市西湖建筑集团占道施工有安全隐患, 请尽快整改。")
    assert not is_segmented("")


def test_held_out_macro_f1_on_real_letters(trained, split):
    from sklearn.metrics import f1_score

    _, test = split
    predicted = trained.predict(test)
    # 5-fold CV on all ~10,400 letters gives ~0.93; this model sees ~1,200 letters (too few to stack).
    assert f1_score(test["label"], predicted, average="macro") >= 0.85
    raw = test["kind"] == "raw"
    assert f1_score(test.loc[raw, "label"], predicted[raw.to_numpy()], average="macro") >= 0.80


def test_probabilities_are_calibrated_and_review_flags_the_uncertain(trained, split):
    _, test = split
    out = trained.classify(test)
    assert set(out.columns) >= {"issue_type", "issue_confidence", "issue_top3", "needs_review"}
    proba = trained.predict_proba(test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    correct = (out["issue_type"] == test["label"]).to_numpy()
    confident = out["issue_confidence"].to_numpy()
    # calibrated on out-of-fold scores: mean confidence near the held-out accuracy
    assert abs(confident.mean() - correct.mean()) < 0.07
    flagged = out["needs_review"].to_numpy()
    assert 0 < flagged.mean() < 0.5
    assert correct[~flagged].mean() > correct[flagged].mean() + 0.2
    assert out["issue_top3"].iloc[0].split(";")[0].split()[0] == out["issue_type"].iloc[0]
    assert trained.cv_report_["review"]["threshold"] == trained.review_threshold_


def test_explain_returns_words_of_the_class(trained):
    letters = pd.DataFrame({
        "title": ["小区旁道路施工有安全隐患", "公司拖欠农民工工资"],
        "text": ["小区旁边的道路施工占用人行道, 围墙破损, 存在安全隐患, 请城管和住建部门尽快整改。",
                 "本人在工地打工半年,施工单位一直拖欠工资,至今未发,请劳动监察部门帮忙讨薪。"],
    })
    assert list(trained.predict(letters)) == ["城乡建设", "劳动和社会保障"]
    words = trained.explain(letters, top=8)
    first, second = ([t for t, _ in w] for w in words)
    assert any("施工" in t or "安全隐患" in t or "人行道" in t for t in first)
    assert any("工资" in t or "拖欠" in t for t in second)
    assert all(w > 0 for _, w in words[0])


def test_save_load_round_trip(trained, split, tmp_path):
    _, test = split
    trained.save(tmp_path / "m")
    again = IssueClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(again.predict_proba(test.head(50)), trained.predict_proba(test.head(50)), rtol=1e-6)
    card = json.loads((tmp_path / "m" / "card.json").read_text(encoding="utf-8"))
    assert card["format_version"] == FORMAT_VERSION and card["classes"] == list(trained.classes_)
    assert "macro-F1" in (tmp_path / "m" / "README.md").read_text(encoding="utf-8")


def test_title_block_does_not_depend_on_how_the_title_was_segmented(trained, split):
    """The title block holds the title's Han characters, so two cuts of one title give the same
    title features; a model pickled before `head_chars` existed keeps its title block in words."""
    n_title = len(trained.vectorizers_[2][1].vocabulary_)
    one = trained._features([["小区", "道路施工", "安全隐患"]])[:, -n_title:]
    other = trained._features([["小区道路", "施工", "安全", "隐患"]])[:, -n_title:]
    assert one.nnz > 0 and (one != other).nnz == 0

    train, test = split
    old = IssueClassifier(cv_folds=0, head_chars=False, random_state=0).fit(train.head(400), train["label"].head(400))
    state = old.__getstate__()
    del state["head_chars"]  # as in a model saved by an earlier version
    again = IssueClassifier.__new__(IssueClassifier)
    again.__setstate__(state)
    assert again.head_chars is False
    np.testing.assert_allclose(again.decision_function(test.head(30)), old.decision_function(test.head(30)))


def test_incompatible_model_version_is_a_clear_error(trained, tmp_path):
    trained.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / META_FILE).read_text(encoding="utf-8"))
    meta["format_version"] = FORMAT_VERSION + 1
    (tmp_path / "m" / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(PetitionError, match="not supported.*retrain"):
        IssueClassifier.load(tmp_path / "m")
    with pytest.raises(PetitionError, match="no issue-type model"):
        IssueClassifier.load(tmp_path / "missing")


def _toy(labels: dict[str, int]) -> pd.DataFrame:
    words = {"城建": "小区 物业 停车费 业主 电梯", "劳动": "工资 拖欠 社保 工地 劳动 合同",
             "教育": "学校 老师 学生 补课 招生", "罕见": "古树 名木 砍伐"}
    rows = []
    for label, n in labels.items():
        for i in range(n):
            rows.append({"title": f"{label}{i}", "text": f"{words[label]} 第{i}封 来信", "label": label})
    return pd.DataFrame(rows)


def test_rare_labels_are_dropped_with_a_warning():
    with pytest.warns(UserWarning, match="罕见"):
        model = IssueClassifier(cv_folds=0).fit(_toy({"城建": 8, "劳动": 8, "教育": 8, "罕见": 1}))
    assert "罕见" not in model.classes_ and model.dropped_labels_ == {"罕见": 1}


def test_tiny_classes_are_learned_and_cross_validated_on_the_big_classes_folds():
    """A class of 2 letters is kept (offices' taxonomies are long-tailed) and the internal folds
    follow the big classes (5, not 2); the tiny class falls back to the global review threshold."""
    model = IssueClassifier(cv_folds=5, random_state=0).fit(_toy({"城建": 20, "劳动": 20, "教育": 20, "罕见": 2}))
    assert "罕见" in model.classes_ and model.cv_report_["folds"] == 5
    assert model.predict(pd.DataFrame({"text": ["古树 名木 砍伐 来信"]}))[0] == "罕见"
    assert "罕见" not in model.review_thresholds_


def test_empty_and_unlabeled_training_sets_are_clear_errors():
    empty = pd.DataFrame({"title": [], "text": [], "label": []})
    with pytest.raises(PetitionError, match="empty training set"):
        IssueClassifier().fit(empty)
    with pytest.raises(PetitionError, match="at least two labels"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            IssueClassifier().fit(_toy({"城建": 8, "罕见": 1}))
    with pytest.raises(PetitionError, match="not trained"):
        IssueClassifier().predict(["小区物业"])


def test_temperature_and_threshold_helpers():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 500)
    scores = rng.normal(size=(500, 3))
    scores[np.arange(500), y] += 2.0
    t = fit_temperature(scores * 5, y)  # over-confident scores need a temperature above 1
    assert t > 2
    confidence = np.linspace(0, 1, 101)
    correct = confidence > 0.5
    assert 0.45 <= review_threshold(confidence, correct, 0.95) <= 0.55


def test_cli_train_classify_evaluate_end_to_end(tmp_path, capsys):
    train = _toy({"城建": 12, "劳动": 12, "教育": 12})
    train.to_csv(tmp_path / "train.csv", index=False)
    train.rename(columns={"label": "诉求类型"}).to_csv(tmp_path / "office.csv", index=False)
    model_dir = tmp_path / "model"
    assert main(["train", str(tmp_path / "train.csv"), "--model", str(model_dir), "--cv-folds", "3"]) == 0
    assert (model_dir / "card.json").exists() and (model_dir / "README.md").exists()
    new = pd.DataFrame({"标题": ["物业乱收停车费"], "内容": ["小区物业擅自提高停车费, 业主不满"]})
    new.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.parquet"  # parquet keeps the snake_case column names
    assert main(["classify", str(tmp_path / "new.csv"), "--model", str(model_dir), "--out", str(out)]) == 0
    result = pd.read_parquet(out)
    assert result["issue_type"].tolist() == ["城建"]
    for column in ("issue_confidence", "issue_top3", "needs_review", "issue_level2_suggestion", "issue_level3_suggestion"):
        assert column in result.columns
    assert main(["evaluate", str(tmp_path / "train.csv"), "--model", str(model_dir)]) == 0
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "confusion matrix" in printed and "劳动" in printed
    # another office's label column name, and a wrong one
    assert main(["train", str(tmp_path / "office.csv"), "--model", str(tmp_path / "m2"), "--cv-folds", "0"]) == 0
    assert main(["train", str(tmp_path / "train.csv"), "--model", str(tmp_path / "m3"), "--label-col", "分类X"]) == 1
    assert "--label-col '分类X' is not a column" in capsys.readouterr().err
    assert main(["classify", str(tmp_path / "new.csv"), "--model", str(tmp_path / "none"), "--out", str(out)]) == 1


def test_same_data_and_seed_give_a_byte_identical_model(tmp_path):
    letters = _toy({"城建": 10, "劳动": 10, "教育": 10})
    for name in ("a", "b"):
        IssueClassifier(cv_folds=3, random_state=0).fit(letters).save(tmp_path / name)
    assert (tmp_path / "a" / "model.joblib").read_bytes() == (tmp_path / "b" / "model.joblib").read_bytes()


def test_shipped_default_model_classifies_the_sample_corpus(sample_dir):
    """models/default is trained on the real shared letters (7 classes) and, for the 8 classes they
    lack, on the bundled corpus's letters of those classes; it knows every class of the corpus."""
    from pipeline.paths import MODELS_DIR
    from pipeline.read import read_letters

    model = IssueClassifier.load(MODELS_DIR / "default")
    letters = read_letters(sample_dir).letters
    letters = letters[letters["label"].notna()]
    out = model.classify(letters)
    assert set(out["issue_type"]) <= set(model.classes_)
    assert set(model.classes_) == set(letters["label"])  # rebuild models/default when the corpus changes
    real = out["label"].isin(["城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"])
    # The bundled letters of the shared classes are fictitious and were not trained on: a held-out
    # test in another style (0.746 with the model of this commit; the old model, trained on them, 0.8+).
    assert (out["issue_type"] == out["label"])[real].mean() > 0.7
    assert model.card()["cross_validation"]["by_source"]["labeled_raw.csv"]["accuracy"] > 0.92


def test_template_notes_do_not_invert_a_two_class_model():
    """Hundreds of copies of one note ("未反映具体问题") form one near-duplicate group. Held out whole,
    it took a class out of the training folds, the out-of-fold scores came out wrong-signed, and the
    stacker learned to flip the model (Qingdao's 一级分类: 3% right where a plain SVM is right 100%)."""
    police = ["反映小区门口有人打架斗殴，请派出所出警", "家中电动车被盗，已报警，询问案件进展",
              "反映邻居深夜聚众赌博，请公安机关查处", "询问办理居住证需要哪些材料和派出所地址"]
    rows = [{"text": t + f"（第{i}次来电）", "label": "公安政法类"} for i in range(60) for t in police[i % 4:i % 4 + 1]]
    rows += [{"text": "未反映具体问题。", "label": "政务综合类"} for _ in range(150)]
    rows += [{"text": "来电人未反映具体问题，挂机。", "label": "政务综合类"} for _ in range(90)]
    letters = pd.DataFrame(rows)
    model = IssueClassifier(cv_folds=5, random_state=0).fit(letters)
    assert (model.predict(letters) == letters["label"]).mean() > 0.95
    assert model.cv_report_["accuracy"] > 0.9


def test_large_groups_are_dealt_across_folds_and_small_ones_kept():
    y = np.array([0] * 100 + [1] * 20)
    groups = np.array([0] * 90 + list(range(1, 11)) + [11, 11] + list(range(12, 30)))
    split = split_large_groups(groups, y, folds=5)
    assert np.bincount(split[:90]).max() <= 20  # the 90-letter group: at most 1/5 of its class
    assert len(np.unique(split[:90])) == 5
    assert split[100] == split[101] and len(np.unique(split[90:])) == len(np.unique(groups[90:]))


def test_label_spellings_are_reported_and_merged_only_when_asked():
    assert label_variants(["其他"] * 5 + ["其它"] * 2 + ["公安政法类", "公安政法", "交通"]) == [
        {"其他": 5, "其它": 2}, {"公安政法类": 1, "公安政法": 1}]
    letters = _toy({"城建": 10, "劳动": 10, "教育": 10})
    letters.loc[letters["label"] == "教育", "label"] = ["其他"] * 7 + ["其它"] * 3
    with pytest.warns(UserWarning, match="其他 \\(7\\) / 其它 \\(3\\).*merge"):
        kept = IssueClassifier(cv_folds=0, min_class_size=3).fit(letters)
    assert {"其他", "其它"} <= set(kept.classes_) and kept.merged_labels_ == {}
    with pytest.warns(UserWarning, match="merged"):
        merged = IssueClassifier(cv_folds=0, merge_labels=True).fit(letters)
    assert "其它" not in merged.classes_ and merged.merged_labels_ == {"其它": "其他"}
    assert merged.card()["merged_labels"] == {"其它": "其他"}


def test_each_class_gets_its_own_review_threshold_where_it_has_letters(trained):
    own = trained.review_thresholds_
    assert own and set(own) <= set(trained.classes_)
    predicted = trained.cv_report_["confusion_matrix"]["rows_true_cols_predicted"]
    times_predicted = dict(zip(trained.classes_, np.array(predicted).sum(axis=0)))
    assert all(times_predicted[c] >= trained.min_review_letters for c in own)
    out = trained.classify(pd.DataFrame({"text": ["小区物业乱收停车费", "学校违规补课收费"]}))
    expected = [own.get(c, trained.review_threshold_) for c in out["issue_type"]]
    assert out["needs_review"].tolist() == [c < t for c, t in zip(out["issue_confidence"], expected)]


def test_float16_weights_save_smaller_and_decide_the_same(trained, split, tmp_path):
    import copy

    _, test = split
    before = trained.predict(test)
    trained.save(tmp_path / "full")
    small = copy.deepcopy(trained).prune(quantise=True)
    small.trained_at_ = trained.trained_at_
    small.save(tmp_path / "small")
    loaded = IssueClassifier.load(tmp_path / "small")
    assert loaded.coef_.dtype == np.float32 and loaded.card()["weights"].startswith("float16")
    assert (tmp_path / "small" / "model.joblib").stat().st_size < 0.6 * (tmp_path / "full" / "model.joblib").stat().st_size
    assert (loaded.predict(test) == before).mean() > 0.99
    pruned = copy.deepcopy(trained).prune(n_features=trained.n_features_ // 4)
    assert pruned.coef_.shape[1] == trained.n_features_ // 4 == sum(len(v.vocabulary_) for _, v, _ in pruned.vectorizers_ if v)


def test_stacker_folds_into_one_weight_vector_per_class():
    """The stacker's mix of the members' scores equals the folded weights' scores; it is only
    considered when there are enough letters per class, and kept only when its own out-of-fold
    scores beat the plain average's."""
    letters = _toy({"城建": 12, "劳动": 12, "教育": 12})
    small = IssueClassifier(cv_folds=3, random_state=0).fit(letters)
    assert small.stack_ is None and not small.cv_report_["stacked"] and small.cv_report_["stack_choice"] is None
    model = IssueClassifier(cv_folds=3, stack_min_per_class=0, random_state=0).fit(letters)
    choice = model.cv_report_["stack_choice"]
    stacked_pays = sum(choice["stacked"].values()) > sum(choice["averaged"].values())
    assert (model.stack_ is not None) == stacked_pays == model.cv_report_["stacked"]

    rng = np.random.default_rng(0)
    k, d = len(model.classes_), 40
    members = [(rng.normal(size=(k, d)), rng.normal(size=k)) for _ in range(2)]
    X = rng.normal(size=(6, d))
    model.stack_ = (rng.normal(size=(k, 2 * k)), rng.normal(size=k))
    coef, intercept = model._combine(members)
    mix, offset = model.stack_
    member_scores = np.hstack([X @ w.T + b for w, b in members])
    np.testing.assert_allclose(X @ coef.T + intercept, member_scores @ mix.T + offset, rtol=1e-10, atol=1e-10)


def test_own_taxonomy_of_a_real_hotline_file_is_learned_not_inverted(shared_dir):
    """Qingdao 12345's substantive calls (来电类别 not 无效), 一级分类 (政务综合类 / 公安政法类): most
    政务综合类 calls are copies of a few template notes. Trained on calls before July 2018 and tested
    on the later ones, the frozen code was right on 3% (its stacker learned to flip the classes)."""
    path = shared_dir.parent / "more_sources" / "qingdao12345_two_callers.xlsx"
    frame = pd.concat(pd.read_excel(path, sheet_name=None).values(), ignore_index=True)
    frame = frame[(frame["来电类别"] != "无效") & frame["主要内容"].notna()]
    letters = pd.DataFrame({"text": frame["主要内容"].astype(str).to_numpy(), "label": frame["一级分类"].to_numpy()})
    before = (pd.to_datetime(frame["受理时间"]) < "2018-07-01").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = IssueClassifier(random_state=0, n_jobs=1).fit(letters[before])
    assert (model.predict(letters[~before]) == letters["label"][~before]).mean() > 0.95
    assert model.cv_report_["accuracy"] > 0.95


def test_train_on_a_unit_column_makes_a_department_model(shared_dir, tmp_path):
    """`petition train --label-col 承办单位` on Beijing 12345's work orders: a department model whose
    classes are the handling units, including units with only 2-4 letters."""
    path = shared_dir.parent / "more_sources" / "beijing12345_2024.csv"
    assert main(["train", str(path), "--label-col", "承办单位", "--model", str(tmp_path / "units"), "--cv-folds", "3"]) == 0
    model = IssueClassifier.load(tmp_path / "units")
    units = pd.read_csv(path)["承办单位"].value_counts()
    assert set(model.classes_) == set(units[units >= 2].index)
    assert "朝阳区分中心" in model.classes_ and model.cv_report_["accuracy"] > 0.6


def test_precomputed_tokens_give_the_classifiers_own_features_and_decisions(sample_dir):
    """Tokenize once: the tokens a run computes (`letter_tokens` with the model's `hmm`, through the
    run's worker pool) must be exactly what the classifier cuts itself, or decisions would drift."""
    from pipeline.paths import MODELS_DIR
    from pipeline.read import read_letters
    from pipeline.tokenize import letter_tokens
    from pipeline.workers import WorkerPool

    model = IssueClassifier.load(MODELS_DIR / "default")
    letters = read_letters(sample_dir).letters  # 676 letters: the classifier forks its own workers
    texts = letter_texts(letters)
    own = model._transform(texts)
    with WorkerPool(n_jobs=2) as pool:
        tokens = letter_tokens(letters, hmm=model.hmm, pool=pool)
        assert tokens == model.tokenize(letters)
        given = model._transform(texts, tokens=tokens, pool=pool)
        assert (own != given).nnz == 0 and own.shape == given.shape
        pd.testing.assert_frame_equal(model.classify(letters, tokens=tokens, pool=pool), model.classify(letters))
    small = letters.head(50)  # in this process
    assert (model._transform(letter_texts(small), tokens=tokens[:50]) != model._transform(letter_texts(small))).nnz == 0
    # the check can fail: tokens cut with jieba's HMM (the clusterer's setting) are other features
    other = letter_tokens(letters, hmm=not model.hmm)
    assert other != tokens
    assert (model._transform(texts, tokens=other) != own).nnz > 0
    with pytest.raises(PetitionError, match="token lists"):
        model.classify(letters, tokens=tokens[:-1])


def test_class_weights_are_chosen_on_held_out_letters_and_recorded():
    """`class_weight="auto"` scores the unweighted and the class-balanced members on the same
    internal folds and keeps the better (accuracy plus macro-F1); the fixed settings skip that."""
    letters = _toy({"城建": 40, "劳动": 30, "教育": 6, "罕见": 4})
    auto = IssueClassifier(cv_folds=3, random_state=0, n_jobs=1).fit(letters)
    choice = auto.cv_report_["class_weight_choice"]
    assert set(choice) == {"none", "balanced"}
    assert auto.balanced_ == (sum(choice["balanced"].values()) > sum(choice["none"].values()))
    assert auto.cv_report_["balanced"] == auto.balanced_
    for setting, balanced in ((None, False), ("balanced", True)):
        fixed = IssueClassifier(cv_folds=3, random_state=0, n_jobs=1, class_weight=setting).fit(letters)
        assert fixed.balanced_ is balanced and fixed.cv_report_["class_weight_choice"] is None


def test_balanced_weights_raise_a_small_classes_scores():
    """Weighted by the inverse of class size, a 4-letter class beside a 60-letter one gets a larger
    intercept in both members (SVM and NBSVM): it is not outvoted by the big class."""
    letters = _toy({"城建": 60, "罕见": 4})
    model = IssueClassifier(cv_folds=0, n_jobs=1).fit(letters)
    X = model._transform(letter_texts(letters))
    y = np.searchsorted(model.classes_, letters["label"].to_numpy())
    small = int(np.nonzero(model.classes_ == "罕见")[0][0])
    plain, _ = model._fit_members(X, y, balanced=False)
    weighted, _ = model._fit_members(X, y, balanced=True)
    for (_, b_plain), (_, b_weighted) in zip(plain, weighted):
        assert b_weighted[small] > b_plain[small]


def test_models_saved_before_class_weights_load_unweighted(trained):
    state = dict(trained.__getstate__())
    state.pop("class_weight", None)
    state.pop("balanced_", None)
    old = IssueClassifier.__new__(IssueClassifier)
    old.__setstate__(state)
    assert old.class_weight is None and old.balanced_ is False


def test_cli_train_class_weight_option(tmp_path):
    _toy({"城建": 12, "劳动": 12, "罕见": 3}).to_csv(tmp_path / "train.csv", index=False)
    assert main(["train", str(tmp_path / "train.csv"), "--model", str(tmp_path / "m"), "--cv-folds", "3",
                 "--class-weight", "balanced"]) == 0
    model = IssueClassifier.load(tmp_path / "m")
    assert model.class_weight == "balanced" and model.balanced_ is True
    assert json.loads((tmp_path / "m" / "card.json").read_text(encoding="utf-8"))["params"]["class_weight"] == "balanced"
