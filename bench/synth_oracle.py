#!/usr/bin/python3
"""How much gen_synth data leaves to learn: Recall@20 of ranking each member's unseen titles by the generator's own
mixture probabilities (rebuilt from its code and seed), beside popularity, on a P-TOPN-R-like split (members with >= 5
plays send max(1, round(0.2 n)) of them, drawn at random, to test; another shuffle than Encore's, so the figures compare
with each other, not with `encore eval`). A ceiling for any model on that data (docs/RESULTS.md, iALS defaults).

With --holdout-every N (the ials-scale bench's protocol): one interaction of every N-th member with at least two is
held out, and HR@20 / NDCG@20 of it among the member's unplayed titles are given for popularity, for the generator's
own probabilities, and for "known topics": the generator's 64 topic distributions (popularity included) taken as
known and only the member's mixture inferred from the member's other plays (EM, Dirichlet(0.05) prior), the most a
model that has learnt the titles perfectly can get from a member's history. With the standard error of each figure.

Usage (from the repository root; numpy: apt-get install -y python3-numpy):
  /usr/bin/python3 bench/synth_oracle.py USERS ITEMS TARGET SEED [--holdout-every N]   # gen_synth.py's options
  e.g. the P-SCALE file: /usr/bin/python3 bench/synth_oracle.py 500000 50000 10000000 20240501 --holdout-every 100
"""
import importlib.util
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
tool = os.path.join(os.environ.get("ENCORE_SHARED_TOOLS", os.path.join(here, "..", "..", "shared", "tools")), "gen_synth.py")
spec = importlib.util.spec_from_file_location("gen_synth", tool)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

if len(sys.argv) not in (5, 7) or (len(sys.argv) == 7 and sys.argv[5] != "--holdout-every"):
    sys.exit("usage: synth_oracle.py USERS ITEMS TARGET SEED [--holdout-every N]")
n_users, n_items, target, seed = (int(a) for a in sys.argv[1:5])
holdout_every = int(sys.argv[6]) if len(sys.argv) == 7 else 0
# The generator's draws, in its order, up to the members' topic mixtures (gen_synth.generate's defaults).
n_topics, dim, topics_per_user, zipf_a, temp = 64, 16, 3, 1.0, 0.35
rng = np.random.default_rng(seed)
ranks = rng.permutation(n_items)
pop = 1.0 / (ranks + 10.0) ** zipf_a
V = rng.standard_normal((n_items, dim)) / np.sqrt(dim)
C = rng.standard_normal((n_topics, dim))
C /= np.linalg.norm(C, axis=1, keepdims=True)
logits = (C @ V.T) / temp + np.log(pop)[None, :]
logits -= logits.max(axis=1, keepdims=True)
P = np.exp(logits)
P /= P.sum(axis=1, keepdims=True)
rng.lognormal(mean=0.0, sigma=1.0, size=n_users)  # activity (not needed here)
user_topics = rng.integers(0, n_topics, size=(n_users, topics_per_user))
weights = rng.dirichlet(np.full(topics_per_user, 0.5), size=n_users)
users, items = gen.generate(n_users, n_items, target, seed)
starts = np.searchsorted(users, np.arange(n_users + 1))


def rank_of(scores, played, held):
    """0-based rank of the held-out title among the unplayed ones (ties counted against it)."""
    scores = scores.copy()
    scores[played] = -np.inf
    return int((scores > scores[held]).sum())


if holdout_every:
    draw = np.random.default_rng(1)
    counts = np.bincount(items, minlength=n_items).astype(float)
    names = ("popularity", "generator", "known topics")
    hits = {name: [] for name in names}
    gains = {name: [] for name in names}
    for u in range(0, n_users, holdout_every):
        row = items[starts[u]:starts[u + 1]]
        if len(row) < 2:
            continue
        held = row[draw.integers(len(row))]
        played = row[row != held]
        popularity = counts.copy()
        popularity[row] -= 1  # the member's own plays are not evidence of popularity
        mixture = np.zeros(n_topics)
        np.add.at(mixture, user_topics[u], weights[u])
        theta = np.full(n_topics, 1.0 / n_topics)
        likelihood = P[:, played]
        for _ in range(50):
            resp = theta[:, None] * likelihood
            resp /= resp.sum(axis=0, keepdims=True)
            theta = resp.sum(axis=1) + 0.05
            theta /= theta.sum()
        for name, scores in zip(names, (popularity, mixture @ P, theta @ P)):
            rank = rank_of(scores, played, held)
            hits[name].append(rank < 20)
            gains[name].append(1 / np.log2(rank + 2) if rank < 20 else 0.0)
    base = np.mean(hits["popularity"]), np.mean(gains["popularity"])
    for name in names:
        h, g = np.array(hits[name], float), np.array(gains[name])
        print(f"{name:12s} HR@20 {h.mean():.4f} +- {h.std() / np.sqrt(len(h)):.4f}, NDCG@20 {g.mean():.4f} +- {g.std() / np.sqrt(len(g)):.4f}"
              f" ({h.mean() / base[0]:.3f}x, {g.mean() / base[1]:.3f}x popularity) over {len(h)} members")
    sys.exit(0)

split = np.random.default_rng(1)
test = np.zeros(len(users), bool)
for u in range(n_users):
    a, b = starts[u], starts[u + 1]
    if b - a >= 5:
        test[a + split.permutation(b - a)[:max(1, int(np.floor(0.2 * (b - a) + 0.5)))]] = True
popularity = np.bincount(items[~test], minlength=n_items).astype(float)

recall = {"popularity": [], "generator": []}
for u0 in range(0, n_users, 2000):
    block = np.arange(u0, min(n_users, u0 + 2000))
    own = np.einsum("ut,utj->uj", weights[block], P[user_topics[block]])
    for j, u in enumerate(block):
        a, b = starts[u], starts[u + 1]
        train, truth = items[a:b][~test[a:b]], items[a:b][test[a:b]]
        if len(truth) == 0:
            continue
        for name, scores in (("popularity", popularity.copy()), ("generator", own[j].copy())):
            scores[train] = -np.inf
            top = np.argpartition(-scores, 20)[:20]
            recall[name].append(len(np.intersect1d(top, truth)) / min(20, len(truth)))
for name, values in recall.items():
    print(f"{name:10s} Recall@20 {np.mean(values):.4f} over {len(values)} members")
