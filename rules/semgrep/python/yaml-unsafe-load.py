import yaml
from yaml import CSafeLoader, SafeLoader


def positives(body, fh):
    # ruleid: python-yaml-unsafe-load
    cfg = yaml.load(body)
    # ruleid: python-yaml-unsafe-load
    cfg2 = yaml.load(body, Loader=yaml.Loader)
    # ruleid: python-yaml-unsafe-load
    cfg3 = yaml.load(fh, Loader=yaml.FullLoader)
    # ruleid: python-yaml-unsafe-load
    cfg4 = yaml.unsafe_load(body)
    # ruleid: python-yaml-unsafe-load
    docs = list(yaml.load_all(fh, Loader=yaml.UnsafeLoader))
    return cfg, cfg2, cfg3, cfg4, docs


def negatives(body, fh):
    # ok: python-yaml-unsafe-load
    cfg = yaml.safe_load(body)
    # ok: python-yaml-unsafe-load
    cfg2 = yaml.load(body, Loader=yaml.SafeLoader)
    # ok: python-yaml-unsafe-load
    cfg3 = yaml.load(fh, Loader=SafeLoader)
    # ok: python-yaml-unsafe-load
    cfg4 = yaml.load(fh, Loader=CSafeLoader)
    # ok: python-yaml-unsafe-load
    docs = list(yaml.safe_load_all(fh))
    # ok: python-yaml-unsafe-load
    text = yaml.safe_dump(cfg)
    return cfg, cfg2, cfg3, cfg4, docs, text


def ruamel_loads(text):
    import ruamel.yaml
    from ruamel.yaml import YAML
    # ruleid: python-yaml-unsafe-load
    data = YAML(typ="unsafe").load(text)
    # ruleid: python-yaml-unsafe-load
    loader = ruamel.yaml.YAML(typ='unsafe', pure=True)
    # ruleid: python-yaml-unsafe-load
    old = ruamel.yaml.load(text, Loader=ruamel.yaml.Loader)
    # ok: python-yaml-unsafe-load
    safe = YAML(typ="safe").load(text)
    # ok: python-yaml-unsafe-load
    default = YAML().load(text)
    return data, loader, old, safe, default


def red130_full_load(path):
    with open(path) as f:
        # ruleid: python-yaml-unsafe-load
        return yaml.full_load(f)
