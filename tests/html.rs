//! The HTML data map: one self-contained page with the totals, the charts,
//! files and columns, overdue locations and skipped files, values masked.
//! Rendered in a real headless browser when one is installed
//! (scripts/install-browser.sh; .ci/run installs it and sets
//! PIISCAN_REQUIRE_BROWSER=1 so a missing browser fails there).

mod common;

use common::{run, stderr};
use std::process::Command;

fn report(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        "[retention]\n[retention.categories]\ncontact = \"2y\"\n",
    )
    .unwrap();
    let html = dir.join("report.html");
    let out = run(&[
        "scan",
        "--format",
        "html",
        "--config",
        policy.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
        "fixtures",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = std::fs::read_to_string(&html).unwrap();
    (html, text)
}

fn browser() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(String::from)
}

#[test]
fn the_page_is_self_contained_and_masks_values() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = report(dir.path());
    assert!(text.starts_with("<!DOCTYPE html>"));
    // No network: nothing loaded from elsewhere (the SVG namespace is a name, not a fetch).
    for needle in ["<link", "src=\"http", "src='http", "url(http", "@import"] {
        assert!(!text.contains(needle), "external reference {needle}");
    }
    for section in [
        "id=\"totals\"",
        "id=\"charts\"",
        "id=\"locations\"",
        "id=\"skipped\"",
    ] {
        assert!(text.contains(section), "{section} missing");
    }
    assert!(
        text.contains("class=\"overdue\""),
        "no overdue row highlighted"
    );
    assert!(
        text.contains("photo.png"),
        "the skipped binary is not listed"
    );
    for value in [
        "jeroen.bakker@ziggo.nl",
        "06-41827365",
        "NL82ABNA0363008004",
        "Bakker",
    ] {
        assert!(!text.contains(value), "{value} in the HTML report");
    }
}

#[test]
fn the_page_loads_in_a_headless_browser_and_shows_the_totals() {
    let Some(browser) = browser() else {
        assert!(
            std::env::var_os("PIISCAN_REQUIRE_BROWSER").is_none(),
            "no browser, but PIISCAN_REQUIRE_BROWSER is set (run scripts/install-browser.sh)"
        );
        eprintln!("skipped: no chromium (scripts/install-browser.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (html, text) = report(dir.path());
    let out = Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("the browser runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    // The page's script ran to its end without an error.
    assert!(
        dom.contains("data-ready=\"yes\""),
        "script did not finish:\n{dom}"
    );
    // The totals as the JSON inventory counts them.
    let json = run(&["scan", "--format", "json", "fixtures"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = doc["totals"]["findings"].as_u64().unwrap();
    assert!(
        dom.contains(&format!(
            "<div class=\"n\">{findings}</div><div class=\"l\">findings</div>"
        )),
        "totals not shown"
    );
    assert!(text.contains("locations past their retention policy"));
}
