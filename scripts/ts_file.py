"""The UEA/UCR `.ts` reader shared by the scripts that train PyTorch models on a task's archive
(`make_torch_models.py`, `make_torch_fixture.py`)."""


def read_ts(text):
    """(series, label) pairs of a .ts file, time-major lists of per-step feature lists, and the
    class names in the file's order."""
    out, classes, data = [], [], False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not data:
            low = line.lower()
            if low.startswith("@classlabel"):
                classes = line.split()[2:]
            elif low.startswith("@data"):
                data = True
            continue
        *dims, label = line.split(":")
        series = [[float(v) for v in d.split(",")] for d in dims]
        steps = [[s[t] for s in series] for t in range(len(series[0]))]
        out.append((steps, classes.index(label)))
    return out, classes
