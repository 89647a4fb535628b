"""Tuned XGBoost reference for the public-dataset benchmark (tests/bench/train/public.bench.ts).

Usage: /usr/bin/python3 xgboost_reference.py <dir-with-exported-csvs> [dataset ...]
Needs Debian's python3-xgboost, python3-sklearn and python3-pandas. For each dataset: one-hot
categoricals (missing kept as NaN for numbers, as its own level for categories), a small grid
searched by 5-fold stratified CV on ROC-AUC over the `train` rows only, the best refitted on all
train rows, and its ROC-AUC on the `test` rows. Also a tuned logistic regression (scikit-learn:
numbers median-imputed with a missing indicator and standardized, categories one-hot with missing as
a level; C chosen by the same 5-fold CV), the other half of the target "within 0.01 ROC-AUC of the
better of gradient-boosted trees and logistic regression". Prints one JSON line per dataset.
"""
import json
import sys
from pathlib import Path

import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

GRID = {
    "max_depth": [2, 3, 4, 6],
    "learning_rate": [0.03, 0.1],
    "n_estimators": [100, 300],
    "min_child_weight": [1, 5],
    "subsample": [0.8, 1.0],
}


def run(directory: Path, name: str) -> dict:
    df = pd.read_csv(directory / f"{name}.csv")
    schema = json.loads((directory / f"{name}.schema.json").read_text())
    categorical = [a["name"] for a in schema["attributes"] if a["type"] == "categorical"]
    features = [a["name"] for a in schema["attributes"]]
    X = pd.get_dummies(df[features], columns=categorical, dummy_na=True, dtype=float)
    y = df["label"].to_numpy()
    train = (df["part"] == "train").to_numpy()
    search = GridSearchCV(
        xgb.XGBClassifier(colsample_bytree=0.8, reg_lambda=1.0, tree_method="hist", random_state=1, n_jobs=1, verbosity=0),
        GRID,
        scoring="roc_auc",
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=1),
        # The grid's fits run two at a time (one per core), each single-threaded.
        n_jobs=2,
    )
    search.fit(X[train], y[train])
    scores = search.best_estimator_.predict_proba(X[~train])[:, 1]
    numeric = [f for f in features if f not in categorical]
    raw = df[features].copy()
    raw[categorical] = raw[categorical].astype("string").fillna("(missing)").astype(object)
    logistic = make_pipeline(
        ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
                ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        ),
        LogisticRegressionCV(Cs=10, cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=1), scoring="roc_auc", max_iter=5000),
    )
    logistic.fit(raw[train], y[train])
    logistic_scores = logistic.predict_proba(raw[~train])[:, 1]
    return {
        "dataset": name,
        "n": int(len(df)),
        "nTest": int((~train).sum()),
        "xgboost": float(roc_auc_score(y[~train], scores)),
        "cvAucRoc": float(search.best_score_),
        "logistic": float(roc_auc_score(y[~train], logistic_scores)),
        "best": search.best_params_,
        "xgboostVersion": xgb.__version__,
    }


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    names = sys.argv[2:] or sorted(p.name[: -len(".schema.json")] for p in directory.glob("*.schema.json"))
    for name in names:
        print(json.dumps(run(directory, name)), flush=True)
