# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Train and evaluate the issue-type classifier
#
# Intake staff send each letter to a department by its issue type (一级分类), so the classifier
# must be right, say how sure it is, and show why. This notebook trains
# `pipeline.classify.IssueClassifier` on labeled letters, measures it twice (cross-validation inside
# the training set, and a held-out test set it never saw), and then reads what it gets wrong,
# why it decides as it does, and which letters it sends to a person (the review queue).
#
# **The data.** On the real letters: `labeled_raw.csv` (1,811 letters, title and text run
# together, no date) and `labeled_sample.xlsx` (433 letters with title, text and date) from the
# TipDM 2020 contest, 7 issue types. The contest also ships `labeled_segmented.csv` (8,165 letters,
# already cut into words); training on it too gains a few points of macro-F1 but takes minutes,
# so this notebook leaves it out (the `petition train` command accepts it). Without the real data,
# the fictitious sample corpus is used (15 classes, 677 letters).
#
# **What this is not.** The labels are the contest's, given by the board's staff; some are
# debatable (a school fee letter can be 教育文体 or 商贸旅游). A score here measures agreement with
# those labels, on letters from the same board and years: another office, taxonomy or year needs its
# own labeled letters.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import GroupShuffleSplit

from pipeline import plots
from pipeline.classify import IssueClassifier, letter_texts, near_duplicate_groups
from pipeline.datasets import load_letters
from pipeline.mask import mask_frame

plots.use_chinese_font()
pd.set_option("display.max_colwidth", 70)
pd.set_option("display.width", 160)
# charts inline; after the pipeline imports, because pipeline.plots selects the Agg backend on import
# %matplotlib inline

# %%
labeled = load_letters("labeled")
labeled = labeled[labeled["label"].notna()].reset_index(drop=True)
print(f"{labeled.attrs['source']} data: {len(labeled):,} labeled letters, {labeled['label'].nunique()} issue types")
labeled["label"].value_counts().to_frame("letters")

# %% [markdown]
# ## A test set the model never sees
#
# Petition boards receive the same letter many times (re-posts, copies signed by neighbours). If
# one copy is in training and another in the test set, the score is inflated. So letters are
# grouped by near-duplicate text first (`near_duplicate_groups`, the same grouping the classifier
# uses inside its own cross-validation) and whole groups go to one side: 80% train, 20% test.

# %%
groups = near_duplicate_groups(letter_texts(labeled))
print(f"{len(labeled):,} letters in {len(set(groups)):,} near-duplicate groups")
train_idx, test_idx = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(labeled, groups=groups))
train, test = labeled.iloc[train_idx], labeled.iloc[test_idx].reset_index(drop=True)
print(f"train {len(train):,}, test {len(test):,}")

# %% [markdown]
# ## Train, with cross-validation inside
#
# `fit` cross-validates on the training letters (5 folds, near-duplicates kept in one fold) to fit
# the confidence calibration and the review threshold, and keeps the scores in the model card. This
# is the slow step (about half a minute on two cores).

# %%
model = IssueClassifier(cv_folds=5, random_state=0, n_jobs=2).fit(train)
card = model.card()
cv = card["cross_validation"]
print(f"cross-validated ({cv['folds']}-fold): macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
print(f"confidence calibration: temperature {card['temperature']}; review threshold {card['review_threshold']}")
pd.DataFrame(cv["per_class"]).T.sort_values("f1")

# %% [markdown]
# ## The held-out test set
#
# `classify` adds `issue_type`, a calibrated `issue_confidence`, the three best candidates
# (`issue_top3`) and `needs_review`. The test score should be close to the cross-validated one; a
# large gap would mean the cross-validation leaks.

# %%
predicted = model.classify(test)
y_true, y_pred = predicted["label"].astype(str), predicted["issue_type"].astype(str)
print(f"held-out test: macro-F1 {f1_score(y_true, y_pred, average='macro'):.3f}, "
      f"accuracy {accuracy_score(y_true, y_pred):.3f} on {len(test):,} letters")


# %%
def confusion_chart(truth, guess, labels, title):
    """Row-normalised confusion matrix: where each true class goes."""
    matrix = confusion_matrix(truth, guess, labels=labels)
    shares = matrix / matrix.sum(axis=1, keepdims=True).clip(min=1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.62 * len(labels), 0.8 + 0.5 * len(labels)))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=9)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8,
                        color="white" if shares[i, j] > 0.5 else "black")
    ax.set_xlabel("预测分类")
    ax.set_ylabel("真实分类")
    ax.set_title(title, loc="left", fontsize=12)
    fig.tight_layout()
    return fig


labels = list(model.classes_)
fig = confusion_chart(y_true, y_pred, labels, "混淆矩阵 (留出测试集, 按行归一)")

# %% [markdown]
# ## Is the confidence honest?
#
# A calibrated confidence of 0.8 should be right about 80% of the time. The model card keeps the
# cross-validated calibration curve; the test set gives a second one.

# %%
bins = np.linspace(0, 1, 11)
test_curve = (predicted.assign(correct=y_true == y_pred,
                               bin=pd.cut(predicted["issue_confidence"], bins, include_lowest=True))
              .groupby("bin", observed=True).agg(letters=("correct", "size"), accuracy=("correct", "mean"),
                                                 mean_confidence=("issue_confidence", "mean")))
cv_curve = pd.DataFrame(cv["calibration_curve"])
fig, ax = plt.subplots(figsize=(5.5, 4.2))
ax.plot([0, 1], [0, 1], color="#bbbbbb", linestyle="--", label="完全校准")
ax.plot(cv_curve["mean_confidence"], cv_curve["accuracy"], marker="o", label="交叉验证")
ax.plot(test_curve["mean_confidence"], test_curve["accuracy"], marker="s", label="留出测试集")
ax.set_xlabel("置信度")
ax.set_ylabel("实际准确率")
ax.set_title("置信度校准曲线", loc="left", fontsize=12)
ax.legend(frameon=False)
fig.tight_layout()
test_curve.round(3)

# %% [markdown]
# ## Errors worth reading
#
# Two kinds. **Confident errors** (high confidence, wrong label) are where a reviewer would not be
# asked: often the label itself is debatable or the letter is about two things. **Near misses**
# (the true class is the model's second choice) show which classes share vocabulary. Titles and
# texts are masked.

# %%
errors = predicted[y_true != y_pred].copy()
errors["true_rank"] = [
    next((k + 1 for k, part in enumerate(top.split("; ")) if part.rsplit(" ", 1)[0] == truth), None)
    for top, truth in zip(errors["issue_top3"], errors["label"])
]
print(f"{len(errors)} errors in {len(predicted)} test letters; the true class was the 2nd choice in "
      f"{(errors['true_rank'] == 2).mean():.0%} of them")
shown = ["letter_id", "label", "issue_type", "issue_confidence", "issue_top3", "text"]
confident = mask_frame(errors.sort_values("issue_confidence", ascending=False).head(8))[shown]
confident.assign(text=confident["text"].str[:50])

# %%
pairs = errors.groupby(["label", "issue_type"]).size().sort_values(ascending=False).head(8)
pairs.to_frame("errors")

# %% [markdown]
# ## Why did it decide that? `explain()`
#
# `explain` lists the words (and title words, and character n-grams of two or more characters)
# that pushed a letter towards a class, weighted by TF-IDF times the SVM weight. Below: one letter
# it got right with high confidence, and the most confident error, explained both for the class it
# chose and for the true class.

# %%
right = predicted[(y_true == y_pred)].sort_values("issue_confidence", ascending=False).head(1)
wrong = errors.sort_values("issue_confidence", ascending=False).head(1)
for name, row in (("right", right), ("wrong", wrong)):
    letter = mask_frame(row).iloc[0]
    print(f"[{name}] {letter['letter_id']}: true {letter['label']}, predicted {letter['issue_type']} "
          f"({letter['issue_confidence']:.2f})")
    print("   text:", str(letter["text"])[:90])
    print("   words for the prediction:", ", ".join(f"{w} {v:.3f}" for w, v in model.explain(row, top=8)[0]))
    if name == "wrong":
        words = model.explain(row, top=8, label=row["label"].iloc[0])[0]
        print("   words for the true class:", ", ".join(f"{w} {v:.3f}" for w, v in words))

# %% [markdown]
# ## The review queue
#
# Letters below the review threshold are marked `needs_review`: above it, held-out letters were
# right at least 95% of the time (the `review_precision` parameter). This is the trade-off an office
# chooses: a stricter precision sends more letters to a person.

# %%
flagged = predicted["needs_review"]
correct = y_true == y_pred
print(f"threshold {model.review_threshold_:.3f}: {flagged.mean():.0%} of test letters go to review")
print(f"accuracy of letters not flagged: {correct[~flagged].mean():.3f}; of flagged letters: {correct[flagged].mean():.3f}")
queue = mask_frame(predicted[flagged].sort_values("issue_confidence"))[["letter_id", "issue_top3", "label", "text"]]
queue.assign(text=queue["text"].str[:50]).head(10)

# %%
thresholds = np.linspace(0.3, 0.95, 14)
trade = pd.DataFrame({
    "threshold": thresholds,
    "sent_to_review": [(predicted["issue_confidence"] < t).mean() for t in thresholds],
    "accuracy_of_the_rest": [correct[predicted["issue_confidence"] >= t].mean() for t in thresholds],
})
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(trade["sent_to_review"], trade["accuracy_of_the_rest"], marker="o", color=plots.PALETTE[2])
ax.axvline(flagged.mean(), color=plots.PALETTE[0], linestyle="--")
ax.text(flagged.mean(), ax.get_ylim()[0], " 当前阈值", color=plots.PALETTE[0], fontsize=9, va="bottom")
ax.set_xlabel("送人工复核的比例")
ax.set_ylabel("其余来信的准确率")
ax.set_title("复核比例与自动分类准确率的取舍 (留出测试集)", loc="left", fontsize=12)
fig.tight_layout()
trade.round(3)
