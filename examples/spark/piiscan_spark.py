"""Scan a tree with piiscan on a Spark cluster and merge the shards' inventories.

The driver asks piiscan which files a scan would read (`scan --list-files`,
so ignore rules and globs apply as in a single run), spreads them over
partitions, and each executor pipes its partition's paths to
`piiscan scan --files-from - -0 --format json`. The driver then combines the
inventories with `piiscan merge`: totals, files, columns and distinct counts
come out as one run over all files would give.

Every executor needs the piiscan binary and the files (a shared mount, or
paths the executors can read), and the same fingerprint key: set
PIISCAN_KEY on the driver (it is passed on to the executors) or
spark.executorEnv.PIISCAN_KEY.

    PIISCAN_KEY=... spark-submit examples/spark/piiscan_spark.py \\
        --piiscan /usr/local/bin/piiscan --partitions 64 -o inventory.json /data/exports
"""

import argparse
import os
import subprocess
import sys
import tempfile

from pyspark.sql import SparkSession


def scan_partition(paths, piiscan, roots, key):
    """Runs piiscan over one partition's files; yields its JSON inventory."""
    paths = [os.fsencode(p) for p in paths]
    if not paths:
        return
    env = dict(os.environ)
    if key:
        env["PIISCAN_KEY"] = key
    command = [piiscan, "scan", "--format", "json", "--exit-zero", "--progress", "never",
               "--quiet", "--files-from", "-", "-0", *roots]
    done = subprocess.run(command, input=b"\0".join(paths), capture_output=True, env=env)
    if done.returncode != 0:
        raise RuntimeError("piiscan failed: " + done.stderr.decode(errors="replace"))
    yield done.stdout.decode()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", help="directories or files to scan")
    parser.add_argument("--piiscan", default="piiscan", help="the piiscan binary on every node")
    parser.add_argument("--partitions", type=int, default=8, help="scan tasks")
    parser.add_argument("-o", "--output", required=True, help="the merged JSON inventory")
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's)")
    args = parser.parse_args(argv)

    listed = subprocess.run([args.piiscan, "scan", "--list-files", "-0", *args.roots],
                            capture_output=True, check=True).stdout
    files = [os.fsdecode(p) for p in listed.split(b"\0") if p]
    key = os.environ.get("PIISCAN_KEY")

    builder = SparkSession.builder.appName("piiscan")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        piiscan, roots = args.piiscan, args.roots
        inventories = (spark.sparkContext
                       .parallelize(files, max(1, args.partitions))
                       .mapPartitions(lambda part: scan_partition(part, piiscan, roots, key))
                       .collect())
    finally:
        spark.stop()

    with tempfile.TemporaryDirectory() as tmp:
        shard_files = []
        for i, inventory in enumerate(inventories):
            path = os.path.join(tmp, f"shard-{i:05}.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(inventory)
            shard_files.append(path)
        if not shard_files:
            # Nothing to scan: an empty scan gives the empty inventory.
            subprocess.run([args.piiscan, "scan", "--format", "json", "--exit-zero",
                            "-o", args.output, *args.roots], check=True)
            return 0
        subprocess.run([args.piiscan, "merge", *shard_files, "-o", args.output], check=True)
    print(f"piiscan: {len(files)} files in {len(shard_files)} tasks, inventory {args.output}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
