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
# # 04 · Repeat petitioners (重复信访), near-duplicates and joint letters
#
# A case manager must see that a letter comes from someone who has written ten times about the same
# dispute. `pipeline.link.PetitionerLinker` assigns every letter a person (`person_id`), a repeat
# count, and links copy-paste repeats (`near_duplicate_of`) and letters copied by several people
# (`joint_letter_group`). This notebook looks at the result: how many persons, who writes most,
# how their issues and urgency evolve over time, and what the near-duplicate and joint letters are.
#
# **The data.** On the real letters: all four dated files (10,376 message-board letters,
# 2010-2020). Their only identity is the board's pseudonymous account id (留言用户): no name, phone
# or ID number, so here linking is mostly "same account", plus text near-duplicates. The sample
# corpus (used when the real data is absent) has names written in several ways, phones, ID numbers
# and addresses, and shows the probabilistic linking at work.
#
# **What this is not.** A person here is a statistical match, not an identification: on the real
# data an account may be a family or an organisation, and one person may hold several accounts.
# Everything shown is masked (`pipeline.mask`): names 王*英, phones 138****5678, no account ids.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from pipeline import plots
from pipeline.classify import IssueClassifier
from pipeline.datasets import load_letters
from pipeline.link import PetitionerLinker, persons_table
from pipeline.mask import mask_frame
from pipeline.urgency import UrgencyGrader

plots.use_chinese_font()
pd.set_option("display.max_colwidth", 50)
pd.set_option("display.width", 180)
# charts inline; after the pipeline imports, because pipeline.plots selects the Agg backend on import
# %matplotlib inline

# %%
letters = load_letters("messages")
SOURCE = letters.attrs["source"]
print(f"{SOURCE} data: {len(letters):,} letters")
identity = ["writer_id", "name", "id_number", "phone", "address"]
letters[identity].notna().mean().round(3).to_frame("share of letters with the field")

# %% [markdown]
# ## Linking
#
# About 10 seconds on the real letters. `persons_table` makes one row per person with the most
# frequent identity values (unmasked: it is for the case store; we mask it before showing). The
# issue-type classifier used further down is trained here too, before linking (a few seconds).

# %%
labeled = load_letters("labeled", source=SOURCE)
classifier = IssueClassifier(cv_folds=0, random_state=0).fit(labeled)  # used below; trained before linking
linker = PetitionerLinker()
linked = linker.link(letters)
persons = persons_table(linked)
repeaters = persons[persons["letter_count"] > 1]
print(f"model: {linker.model_source_.split('/')[-1]}")
print(f"{len(linked):,} letters → {len(persons):,} persons; {len(repeaters):,} wrote more than once, "
      f"{int((persons['letter_count'] >= 5).sum())} five times or more")
print(f"letters from repeat writers: {repeaters['letter_count'].sum() / len(linked):.0%}")
counts = persons["letter_count"].clip(upper=10).value_counts().sort_index()
counts.index = [str(k) if k < 10 else "10+" for k in counts.index]
fig = plots.bar_chart(counts, "每人来信数 (人数)", xlabel="人数", horizontal=False)

# %% [markdown]
# ## The most frequent writers
#
# Masked. `writer_ids` (the platform accounts) are left out of what is shown. `issue_types` is the
# office's own label, which only the labeled letters carry.

# %%
shown = ["person_id", "name", "phone", "address", "letter_count", "first_seen", "last_seen", "issue_types"]
top = mask_frame(persons.head(12))[shown]
top = top.assign(first_seen=top["first_seen"].dt.date, last_seen=top["last_seen"].dt.date)
top.dropna(axis=1, how="all")  # the real letters have no name, phone or address to show

# %% [markdown]
# ## How their issues and urgency evolve
#
# For the 12 most frequent writers, each letter gets an issue type and an urgency grade. Issue
# types come from the classifier trained above on the labeled letters (without cross-validation;
# notebook 02 evaluates the same model), urgency from the rule-based `UrgencyGrader`, which also
# returns the cue words and the sentence that made a letter urgent.

# %%
top_ids = persons.head(12)["person_id"]
theirs = linked[linked["person_id"].isin(top_ids)].sort_values("received_at")
theirs = classifier.classify(theirs)
theirs = UrgencyGrader().fit().transform(theirs)
rank = {p: k for k, p in enumerate(top_ids, start=1)}
theirs["writer_rank"] = theirs["person_id"].map(rank)

fig, ax = plt.subplots(figsize=(9, 4.6))
for level in ("一般", "较急", "紧急"):
    part = theirs[theirs["urgency"] == level]
    ax.scatter(part["received_at"], part["writer_rank"], s=28 if level == "一般" else 46,
               color=plots.URGENCY_COLORS[level], label=level, alpha=0.8, edgecolors="none")
ax.set_yticks(list(rank.values()), [f"第{k}位" for k in rank.values()])
ax.invert_yaxis()
ax.set_title("来信最多的 12 人: 每封来信的时间与紧急程度", loc="left", fontsize=12)
ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
ax.spines[["top", "right"]].set_visible(False)
fig.autofmt_xdate()
fig.tight_layout()

# %%
evolution = theirs.groupby("writer_rank").agg(
    letters=("letter_id", "size"),
    issue_types=("issue_type", "nunique"),
    main_issue=("issue_type", lambda s: s.mode().iloc[0]),
    first_urgency=("urgency", "first"),
    last_urgency=("urgency", "last"),
    urgent_or_pressing=("urgency", lambda s: int(s.isin(["紧急", "较急"]).sum())),
    cues=("urgency_cues", lambda s: "; ".join(sorted({c for v in s.dropna() for c in str(v).split(";") if c}))[:40]),
)
evolution

# %% [markdown]
# Escalation (一般 → 较急 → 紧急) is what a case manager should catch early. Below, for every
# person with three or more letters: those whose latest letter is graded more urgent than their
# first, with the cue words of the latest letter.

# %%
LEVEL = {"一般": 0, "较急": 1, "紧急": 2}
several = persons[persons["letter_count"] >= 3]["person_id"]
many = UrgencyGrader().fit().transform(linked[linked["person_id"].isin(several)].sort_values("received_at"))
steps = many.groupby("person_id").agg(first=("urgency", "first"), last=("urgency", "last"),
                                       letters=("letter_id", "size"), last_cues=("urgency_cues", "last"),
                                       last_title=("title", "last"))
rising = steps[steps["last"].map(LEVEL) > steps["first"].map(LEVEL)]
print(f"{len(steps)} persons with 3+ letters; {len(rising)} escalated from their first to their latest letter")
mask_frame(rising.sort_values("letters", ascending=False).reset_index().rename(columns={"last_title": "title"})).head(10)

# %% [markdown]
# ## Near-duplicates and joint letters
#
# `near_duplicate_of` points a letter to an earlier one with (almost) the same text, by MinHash over
# character 4-grams. When the copies come from different persons, they form a `joint_letter_group`:
# a campaign, a joint letter posted by several neighbours, or a template passed around.

# %%
near = linked["near_duplicate_of"].notna()
joint = linked["joint_letter_group"].notna()
print(f"{int(near.sum())} letters are near-copies of an earlier letter; "
      f"{int(joint.sum())} letters in {linked.loc[joint, 'joint_letter_group'].nunique()} joint-letter groups")
same_person = linked[near & ~joint]
print(f"copies by the same person (re-posts): {len(same_person)}")
groups = (linked[joint].groupby("joint_letter_group")
          .agg(letters=("letter_id", "size"), persons=("person_id", "nunique"),
               first=("received_at", "min"), last=("received_at", "max"), title=("title", "first"))
          .sort_values(["persons", "letters"], ascending=False))
groups["days"] = (groups["last"] - groups["first"]).dt.days
sizes = groups["persons"].clip(upper=10).value_counts().sort_index()
sizes.index = [str(k) if k < 10 else "10+" for k in sizes.index]
fig = plots.bar_chart(sizes, "联名/同文信组: 每组的来信人数 (组数)", xlabel="组数", horizontal=False)
mask_frame(groups.head(10).reset_index())[["joint_letter_group", "letters", "persons", "days", "title"]]

# %% [markdown]
# On the real board the groups are small (a handful of accounts posting one text within days or
# weeks), and about a third of the near-copies are one person re-posting. The large campaigns of
# notebook 03 (dozens of letters about one estate) are mostly written in each writer's own words,
# so they show up as hot issues, not as near-duplicates: the two views complement each other. A
# joint letter counts once as a matter but many times as a voice: the triage lists score it as a
# joint letter (联名/集体信访) rather than as many separate cases.
