"""CSV aggregates iApp: count, sum, mean, min and max of one numeric column, never the rows themselves.

The protected data is a zip whose entries are files; the first entry that parses as CSV with the
requested column (IEXEC_ARGS) is used. Malformed input ends with ``error-message`` in computed.json.
"""

import csv
import io
import json
import os
import sys
import zipfile
from pathlib import Path


def aggregate(text: str, column: str) -> dict[str, object]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or column not in reader.fieldnames:
        raise LookupError(f"no column {column!r} (columns: {', '.join(reader.fieldnames or [])})")
    values = []
    for line, row in enumerate(reader, start=2):
        cell = (row.get(column) or "").strip()
        if cell:
            try:
                values.append(float(cell))
            except ValueError as e:
                raise ValueError(f"line {line}: {cell!r} is not a number") from e
    if not values:
        raise ValueError(f"column {column!r} has no values")
    return {
        "column": column,
        "count": len(values),
        "sum": sum(values),
        "mean": sum(values) / len(values),
        "min": min(values),
        "max": max(values),
    }


def main() -> None:
    out = Path(os.environ["IEXEC_OUT"])
    column = os.environ.get("IEXEC_ARGS", "").strip()
    computed = {"deterministic-output-path": str(out / "result.json")}
    try:
        if not column:
            raise ValueError("give the column to aggregate as the run's argument")
        path = Path(os.environ["IEXEC_IN"]) / os.environ["IEXEC_DATASET_FILENAME"]
        with zipfile.ZipFile(path) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
            if not entries:
                raise ValueError("the protected data holds no file")
            text = archive.read(entries[0]).decode("utf-8-sig")
        result = aggregate(text, column)
        with Path(computed["deterministic-output-path"]).open("w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    except (
        KeyError,
        LookupError,
        ValueError,
        OSError,
        UnicodeDecodeError,
        zipfile.BadZipFile,
        csv.Error,
    ) as e:
        computed = {"error-message": str(e)}
    with (out / "computed.json").open("w") as f:
        json.dump(computed, f)


if __name__ == "__main__":
    main()
    sys.exit(0)
