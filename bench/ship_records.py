"""Merges freshly made tuning records into the shipped ones and lists the winners in the catalog (see ship-tuning-records)."""
import glob
import json
import os
import sys

MARKER = "# Tuned winners: the variants the shipped tuning records chose (written by bench/ship-tuning-records)."


def profile_key(profile):
    # What TuningProfile.sharesFamily compares: records of one such profile replace each other, a fresh record
    # replacing one an older generator made (TuningProfile serves those only while GeneratorVersion says they rank alike).
    return (profile["cpu_family"], profile["vector_bits"], profile["threads"], profile["jdk_feature"])


def main(tuning_dir, shipped_path, catalog_path):
    fresh = [json.load(open(f, encoding="utf-8")) for f in sorted(glob.glob(os.path.join(tuning_dir, "*", "*.json")))]
    if not fresh:
        sys.exit("ship_records: no records under " + tuning_dir)
    shipped = json.load(open(shipped_path, encoding="utf-8")) if os.path.exists(shipped_path) else []
    replaced = {(profile_key(r["profile"]), r["spec"]) for r in fresh}
    kept = [r for r in shipped if (profile_key(r["profile"]), r["spec"]) not in replaced]
    records = sorted(kept + fresh, key=lambda r: (profile_key(r["profile"]), r["spec"]))
    os.makedirs(os.path.dirname(shipped_path), exist_ok=True)
    tmp = shipped_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, shipped_path)

    winners = sorted({r["winner"] for r in records if r["winner"] != r["spec"]})
    with open(catalog_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if MARKER in lines:
        lines = lines[:lines.index(MARKER)]
    while lines and lines[-1] == "":
        lines.pop()
    lines += ["", MARKER] + winners + [""]
    tmp = catalog_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    os.replace(tmp, catalog_path)
    print(f"ship_records: {len(fresh)} records made, {len(records)} shipped, {len(winners)} winners in the catalog")


if __name__ == "__main__":
    main(*sys.argv[1:])
