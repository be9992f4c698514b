//! The HTML report in a real browser: headless Chromium loads the self-contained page of every
//! bundled policy without errors and draws one SVG node per system. `.ci/run` installs Debian's
//! `chromium`; elsewhere the test says it is skipped when no browser is installed.

use std::process::Command;

use crate::support::privflow;

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            Command::new("which")
                .arg(b)
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|b| b.to_string())
}

const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium: .ci/run installs it"
        );
        eprintln!("skipped: no chromium on this machine (`.ci/run` installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = privflow(&[
        "report",
        "policies/",
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    for forbidden in ["<script", "<link", " src=", "@import", "url(http"] {
        assert!(
            !html.contains(forbidden),
            "the page is self-contained: found {forbidden}"
        );
    }
    let url = format!("file://{}", page.display());
    let profile = dir.path().join("profile");
    let dom = Command::new(&browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{log}");
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:#?}"
    );
    // One node per system of every bundled policy.
    let workspace = privflow::load(&[std::path::PathBuf::from("policies")]).unwrap();
    let systems: usize = workspace.models.iter().map(|m| m.systems.len()).sum();
    assert_eq!(dom_text.matches("<g class=\"node").count(), systems);
    assert_eq!(dom_text.matches("<svg").count(), workspace.models.len());

    let shot = dir.path().join("report.png");
    let screenshot = Command::new(&browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--window-size=1300,1800",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(screenshot.status.success());
    let png = std::fs::read(&shot).expect("a screenshot was taken");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

#[test]
fn report_escapes_markup_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, title: \"Ads & <b>more</b>\", speaker: a}\nentities: {a: {name: \"A \\\"Co\\\"\"}, b: {name: \"Bé <script>alert(1)</script>\"}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: b, name: \"x's <img>\"}\nflows:\n  - {from: app, to: x, fields: [user.name]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.name], with: [b], text: \"We <never> share & tell\"}\n",
    )
    .unwrap();
    let path = model.to_str().unwrap();
    let html = privflow(&["report", path, "--format", "html"]).stdout;
    assert!(
        !html.contains("<script>") && !html.contains("<img>") && !html.contains("<b>more"),
        "{html}"
    );
    assert!(html.contains("Bé &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("We &lt;never&gt; share &amp; tell"));
    assert!(html.contains("x&#39;s &lt;img&gt;"));
    assert_eq!(
        html,
        privflow(&["report", path, "--format", "html"]).stdout,
        "same input, same bytes"
    );
}
