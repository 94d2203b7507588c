import pickle
import pickle as pkl
from pickle import loads

import dill
import joblib
import pandas as pd
import torch


def positives(request, path, blob):
    # ruleid: python-pickle-load
    obj = pickle.loads(request.data)
    with open(path, "rb") as fh:
        # ruleid: python-pickle-load
        state = pkl.load(fh)
    # ruleid: python-pickle-load
    other = loads(blob)
    # ruleid: python-pickle-load
    fn = dill.loads(blob)
    # ruleid: python-pickle-load
    model = joblib.load(path)
    # ruleid: python-pickle-load
    df = pd.read_pickle(path)
    # ruleid: python-pickle-load
    weights = torch.load(path)
    # ruleid: python-pickle-load
    weights2 = torch.load(path, map_location="cpu", weights_only=False)
    return obj, state, other, fn, model, df, weights, weights2


def negatives(obj, path, blob):
    # ok: python-pickle-load
    data = pickle.dumps(obj)
    # ok: python-pickle-load
    weights = torch.load(path, weights_only=True)
    # ok: python-pickle-load
    df = pd.read_parquet(path)
    import json

    # ok: python-pickle-load
    parsed = json.loads(blob)
    # ok: python-pickle-load
    again = pickle.loads(pickle.dumps(obj))
    return data, weights, df, parsed, again


def red130_numpy(path):
    import numpy as np
    # ruleid: python-pickle-load
    features = np.load(path, allow_pickle=True)
    # ok: python-pickle-load
    weights = np.load(path)
    return features, weights
