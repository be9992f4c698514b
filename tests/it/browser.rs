//! The HTML report in a real browser: headless Chromium loads the self-contained page of every
//! bundled policy without errors and draws one SVG node per system. `.ci/run` installs Debian's
//! `chromium`; elsewhere the test says it is skipped when no browser is installed.

use std::process::Command;

use crate::support::privflow;

/// The browser to drive, or `None` (and a line saying the test is skipped) on a machine
/// without one; CI must have one.
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            Command::new("which")
                .arg(b)
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|b| b.to_string());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium: .ci/run installs it"
        );
        eprintln!("skipped: no chromium on this machine (`.ci/run` installs it)");
    }
    found
}

/// Writes the HTML report of `paths` to `page` and returns its text.
fn html_report(paths: &[&str], page: &std::path::Path) -> String {
    let mut args = vec!["report"];
    args.extend_from_slice(paths);
    args.extend(["--format", "html", "-o", page.to_str().unwrap()]);
    args.extend(["--today", "2026-11-22"]);
    let out = privflow(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::read_to_string(page).unwrap()
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
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let html = html_report(&["policies/"], &page);
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

/// Measures the page as Chromium lays it out (inside a frame of the width under test: headless
/// windows are at least 500 px wide) and writes what is wrong into a `<pre id=checks>`:
/// the page body wider than the window, diagram text outside its box (`getBBox`, the browser's
/// own glyphs), edge labels overlapping each other.
const MEASURE: &str = r#"<script>
const out = [];
const page = document.documentElement;
if (page.scrollWidth > window.innerWidth + 1) out.push(`page is ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
const inside = (b, r) => b.x >= r.x - 0.5 && b.y >= r.y - 0.5 && b.x + b.width <= r.x + r.width + 0.5 && b.y + b.height <= r.y + r.height + 0.5;
for (const svg of document.querySelectorAll('svg.diagram')) {
  for (const g of svg.querySelectorAll('g.node, g.group')) {
    const r = g.querySelector('rect').getBBox();
    for (const t of g.querySelectorAll('text')) {
      if (!inside(t.getBBox(), r)) out.push(`text "${t.textContent}" exceeds ${g.dataset.system || g.dataset.entity}`);
    }
  }
  const labels = [...svg.querySelectorAll('g.edge text')].map(t => [t.getBBox(), t.parentNode]);
  labels.forEach(([a, ga], i) => labels.slice(i + 1).forEach(([b, gb]) => {
    if (ga !== gb && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
      out.push(`labels of ${ga.dataset.flow} and ${gb.dataset.flow} overlap`);
  }));
}
parent.document.body.insertAdjacentHTML('beforeend', `<pre id="checks">${JSON.stringify(out)}</pre>`);
</script>"#;

/// Runs Chromium on `url` with `args`, returning its standard output.
fn run(browser: &str, profile: &std::path::Path, args: &[&str], url: &str) -> String {
    let out = Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the measuring script found in `page` shown in a frame `width` px wide.
fn measured(browser: &str, dir: &std::path::Path, width: u32, page: &str) -> String {
    let frame = dir.join(format!("frame-{width}.html"));
    let page = page.replace('&', "&amp;").replace('"', "&quot;");
    std::fs::write(
        &frame,
        format!("<!DOCTYPE html><html><body style=\"margin:0\"><iframe style=\"border:0\" width=\"{width}\" height=\"900\" srcdoc=\"{page}\"></iframe></body></html>"),
    )
    .unwrap();
    let url = format!("file://{}", frame.display());
    let dom = run(
        browser,
        &dir.join("profile"),
        &["--window-size=1600,900", "--dump-dom"],
        &url,
    );
    // The last one: the first is the script's own source.
    let (_, rest) = dom
        .rsplit_once("<pre id=\"checks\">")
        .expect("the measuring script ran");
    rest.split_once("</pre>").unwrap().0.to_owned()
}

#[test]
fn the_report_reads_on_a_phone_and_on_paper() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let html = html_report(&["policies/", "fixtures/valid/period-tracker.yaml"], &page);
    let measuring = html.replace("</body>", &format!("{MEASURE}</body>"));
    let profile = dir.path().join("profile");
    for width in [1400, 390] {
        assert_eq!(
            measured(&browser, dir.path(), width, &measuring),
            "[]",
            "at {width} px"
        );
    }

    let pdf = dir.path().join("report.pdf");
    run(
        &browser,
        &profile,
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
        ],
        &format!("file://{}", page.display()),
    );
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs: .ci/run installs it");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    // One page break before each policy: every policy's heading opens a page.
    let headings = html.matches("<h1>Privacy audit:").count();
    let opening: Vec<&String> = pages
        .iter()
        .filter(|p| p.starts_with("Privacy audit:"))
        .collect();
    assert_eq!(opening.len(), headings, "{pages:#?}");
    assert_eq!(
        pages
            .iter()
            .filter(|p| p.contains("Privacy audit:"))
            .count(),
        headings,
        "no policy starts mid-page"
    );
    // Every column of every table is on paper (pdftotext drops the hyphen of a word it finds
    // broken at one, "third-country" → "thirdcountry", so hyphens are not compared).
    let all = pages.join(" ").replace('-', "");
    for header in html.split("<th>").skip(1) {
        let header = header.split("</th>").next().unwrap();
        let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all.contains(&header.replace('-', "")),
            "column {header:?} is not in the PDF"
        );
    }
}
