//! The Spark example (examples/spark/) in Spark local mode: it distributes
//! the fixtures' files to piiscan tasks and merges their inventories, which
//! must equal a single run. Skipped, saying why, where pyspark or Java is
//! missing, unless PIISCAN_REQUIRE_SPARK=1 (as .ci/run sets) makes that a
//! failure.

mod common;

use common::{TEST_KEY, run, stderr};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn available(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn without_timings(mut doc: Value) -> Value {
    let scan = doc["scan"].as_object_mut().unwrap();
    scan.remove("started_at");
    scan.remove("duration_secs");
    doc
}

#[test]
fn the_spark_job_merges_to_the_single_run() {
    let python = "python3";
    let have_spark = available(python, &["-c", "import pyspark"]);
    let have_java = available("java", &["-version"]);
    if !(have_spark && have_java) {
        let missing = if have_spark { "java" } else { "pyspark" };
        assert!(
            std::env::var_os("PIISCAN_REQUIRE_SPARK").is_none(),
            "{missing} is missing but PIISCAN_REQUIRE_SPARK is set"
        );
        eprintln!("skipped: {missing} is not installed (pip install pyspark; a Java runtime)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let merged = out_dir.path().join("merged.json");
    let job = Command::new(python)
        .current_dir(root)
        .env("PIISCAN_KEY", TEST_KEY)
        .env("NO_COLOR", "1")
        .arg("examples/spark/piiscan_spark.py")
        .args(["--master", "local[2]", "--partitions", "3"])
        .arg("--piiscan")
        .arg(env!("CARGO_BIN_EXE_piiscan"))
        .arg("-o")
        .arg(&merged)
        .arg("fixtures")
        .output()
        .expect("python3 runs");
    assert!(
        job.status.success(),
        "the Spark job failed:\n{}",
        String::from_utf8_lossy(&job.stderr)
    );
    let from_spark: Value = serde_json::from_slice(&std::fs::read(&merged).unwrap()).unwrap();
    let single = run(&["scan", "--format", "json", "--exit-zero", "fixtures"]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    assert_eq!(without_timings(from_spark), without_timings(single));
}
