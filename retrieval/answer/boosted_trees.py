"""Gradient-boosted trees as data: scikit-learn's fitted
`HistGradientBoostingClassifier` written out as arrays (by
`benchmarks/fit_answerability.py`) and evaluated here with numpy alone, so
answering never imports scikit-learn and the model is a reviewable JSON file.

A tree is five parallel arrays over its nodes: the feature a node splits on,
the threshold (`x <= threshold` goes left), the left and right child, and
the value a leaf adds to the log-odds. No feature is ever missing (the
answerability features are always computed), so the missing-value branch of
scikit-learn's trees is not needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tree:
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray

    def value_at(self, x: np.ndarray) -> float:
        node = 0
        while not self.leaf[node]:
            node = (
                self.left[node]
                if x[self.feature[node]] <= self.threshold[node]
                else self.right[node]
            )
        return float(self.value[node])

    @classmethod
    def from_json(cls, data: Mapping[str, Sequence[float]]) -> Tree:
        return cls(
            feature=np.asarray(data["feature"], dtype=np.int64),
            threshold=np.asarray(data["threshold"], dtype=np.float64),
            left=np.asarray(data["left"], dtype=np.int64),
            right=np.asarray(data["right"], dtype=np.int64),
            value=np.asarray(data["value"], dtype=np.float64),
            leaf=np.asarray(data["leaf"], dtype=bool),
        )


@dataclass(frozen=True)
class BoostedTrees:
    baseline: float
    trees: tuple[Tree, ...]

    def log_odds(self, x: np.ndarray) -> float:
        return self.baseline + sum(tree.value_at(x) for tree in self.trees)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> BoostedTrees:
        trees = data["trees"]
        assert isinstance(trees, list)
        return cls(
            baseline=float(data["baseline"]),  # type: ignore[arg-type]
            trees=tuple(Tree.from_json(t) for t in trees),
        )


def trees_to_json(model: object) -> dict[str, object]:
    """A fitted binary `HistGradientBoostingClassifier` as `BoostedTrees` data."""
    out = []
    for (predictor,) in model._predictors:  # type: ignore[attr-defined]
        nodes = predictor.nodes
        out.append(
            {
                "feature": nodes["feature_idx"].tolist(),
                "threshold": [float(t) for t in nodes["num_threshold"]],
                "left": nodes["left"].tolist(),
                "right": nodes["right"].tolist(),
                "value": [round(float(v), 9) for v in nodes["value"]],
                "leaf": [int(b) for b in nodes["is_leaf"]],
            }
        )
    baseline = float(np.ravel(model._baseline_prediction)[0])  # type: ignore[attr-defined]
    return {"baseline": baseline, "trees": out}
