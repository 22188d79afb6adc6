"""Reference EASE fit in numpy, for bench ease-speed: the same P-TOPN split of ML-100K and the same closed form.

usage: python3 bench/ease_numpy.py <ml-100k folder> [repeats]
Prints "numpy EASE fit best X.XXXXs ..." and the Recall@20/NDCG@20 of the fitted model.
"""
import sys
import time

import numpy as np


def p_topn_split(path):
    rows = [line.split("\t") for line in open(path + "/u.data")]
    items = sorted({int(r[1]) for r in rows})
    users = sorted({int(r[0]) for r in rows})
    item_index = {it: k for k, it in enumerate(items)}
    user_index = {u: k for k, u in enumerate(users)}
    by_user = {}
    for u, i, r, t in rows:
        if int(r) >= 4:
            by_user.setdefault(int(u), []).append((int(t), int(i)))
    train, test = [], {}
    for u, pos in by_user.items():
        pos.sort()
        n = len(pos)
        n_test = max(1, int(np.floor(0.2 * n + 0.5))) if n >= 5 else 0
        for t, i in pos[: n - n_test]:
            train.append((user_index[u], item_index[i]))
        if n_test:
            test[user_index[u]] = [item_index[i] for t, i in pos[n - n_test:]]
    x = np.zeros((len(users), len(items)), dtype=np.float64)
    for u, i in train:
        x[u, i] = 1.0
    return x, test


def fit(x, lam):
    g = x.T @ x
    g[np.diag_indices_from(g)] += lam
    p = np.linalg.inv(g)
    b = p / (-np.diag(p))
    b[np.diag_indices_from(b)] = 0.0
    return b


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    x, test = p_topn_split(folder)
    fit(x, 200.0)
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        b = fit(x, 200.0)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    times.sort()
    cpu.sort()
    scores = x @ b
    scores[x > 0] = -np.inf
    recall = ndcg = 0.0
    for u, truth in test.items():
        top = np.argsort(-scores[u], kind="stable")[:20]
        hits = [1.0 / np.log2(r + 2) for r, i in enumerate(top) if i in truth]
        ideal = min(20, len(truth))
        recall += len(hits) / ideal
        ndcg += sum(hits) / sum(1.0 / np.log2(r + 2) for r in range(ideal))
    print(f"numpy EASE fit best {times[0]:.4f}s median {times[len(times) // 2]:.4f}s over {repeats} (CPU {cpu[0]:.4f}s); "
          f"recall@20={recall / len(test):.4f} ndcg@20={ndcg / len(test):.4f}; numpy {np.__version__}")


if __name__ == "__main__":
    main()
