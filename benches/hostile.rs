//! Benchmark of issue 12's hostile-input table: runs the release `privflow` on each row's input
//! and prints its exit code, wall time and peak memory (run on Linux: `cargo bench --bench hostile`).

mod measure;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use measure::{DEFAULT_BUDGET, privflow, row};

fn measure(command: &mut Command, feed: Option<u64>) -> measure::Cost {
    measure::measure(command, feed, DEFAULT_BUDGET)
}

const MIB: u64 = 1 << 20;

/// A bundled policy padded with one YAML comment to `bytes`: a valid model of that size, written
/// in pieces so the benchmark itself stays small.
fn padded_model(path: &Path, bytes: u64) {
    use std::io::Write;
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/whatsapp-2021.yaml");
    let text = std::fs::read_to_string(model).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(text.as_bytes()).unwrap();
    out.write_all(b"#").unwrap();
    let mut left = bytes.saturating_sub(text.len() as u64 + 2);
    let chunk = [b'x'; 1 << 16];
    while left > 0 {
        let n = left.min(chunk.len() as u64);
        out.write_all(&chunk[..n as usize]).unwrap();
        left -= n;
    }
    out.write_all(b"\n").unwrap();
    out.flush().unwrap();
}

fn sparse(path: &Path, bytes: u64) {
    std::fs::File::create(path).unwrap().set_len(bytes).unwrap();
}

fn sh(dir: &Path, script: &str) {
    let ok = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "{script}");
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = |name: &str| -> PathBuf { d.join(name) };
    let s = |path: &PathBuf| path.to_string_lossy().into_owned();
    println!(
        "privflow hostile inputs (issue 12): exit code, wall time, peak RSS of the release binary"
    );

    row(
        "audit /dev/zero",
        &measure(&mut privflow(&["audit", "/dev/zero"]), None),
    );
    sh(d, "mkfifo fed.yaml; mkfifo idle.yaml");
    let mut writer = Command::new("sh")
        .arg("-c")
        .arg("exec cat /dev/zero > fed.yaml")
        .current_dir(d)
        .spawn()
        .unwrap();
    row(
        "audit FIFO fed from /dev/zero",
        &measure(&mut privflow(&["audit", &s(&p("fed.yaml"))]), None),
    );
    let _ = writer.kill();
    let _ = writer.wait();
    row(
        "head -c 3G /dev/zero | audit /dev/stdin",
        &measure(&mut privflow(&["audit", "/dev/stdin"]), Some(3 << 30)),
    );
    row(
        "audit FIFO with no writer",
        &measure(&mut privflow(&["audit", &s(&p("idle.yaml"))]), None),
    );
    row(
        "audit DIR holding a FIFO with no writer",
        &measure(&mut privflow(&["audit", &s(&d.to_path_buf())]), None),
    );
    std::fs::remove_file(p("fed.yaml")).unwrap();
    std::fs::remove_file(p("idle.yaml")).unwrap();

    let links = p("links");
    std::fs::create_dir(&links).unwrap();
    let big = links.join("m.yaml");
    padded_model(&big, 63 * MIB);
    for i in 0..40 {
        std::fs::hard_link(&big, links.join(format!("link-{i}.yaml"))).unwrap();
    }
    row(
        "check DIR of 40 hard links to one 63 MiB model",
        &measure(&mut privflow(&["check", &s(&links)]), None),
    );
    let mut args = vec!["check".to_owned()];
    args.extend(std::iter::repeat_n(s(&big), 20));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    row(
        "check of one 63 MiB model named 20 times",
        &measure(&mut privflow(&args), None),
    );

    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/whatsapp-2021.yaml");
    let model = s(&model);
    sparse(&p("huge.yaml"), 1536 * MIB);
    let huge = s(&p("huge.yaml"));
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/whatsapp-2020.yaml");
    row(
        "diff --levels of 1.5 GiB",
        &measure(
            &mut privflow(&["diff", &s(&base), &model, "--levels", &huge]),
            None,
        ),
    );
    row(
        "audit --baseline-file of 1.5 GiB",
        &measure(
            &mut privflow(&["audit", &model, "--baseline-file", &huge]),
            None,
        ),
    );

    let repo = p("repo");
    std::fs::create_dir(&repo).unwrap();
    sh(
        &repo,
        "git init -q && truncate -s 1200M big.yaml && git add big.yaml && \
         git -c user.name=b -c user.email=b@example.com commit -qm big && rm big.yaml",
    );
    row(
        "diff git:HEAD:big.yaml (a 1.2 GiB blob)",
        &measure(
            privflow(&["diff", "git:HEAD:big.yaml", &model]).current_dir(&repo),
            None,
        ),
    );

    let broken =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid/dangling-reference.yaml");
    let broken = s(&broken);
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    row(
        "check BROKEN 2>/dev/full",
        &measure(privflow(&["check", &broken]).stderr(full), None),
    );
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    row(
        "check BROKEN 2>&1 | (a closed pipe)",
        &measure(privflow(&["check", &broken]).stderr(writer), None),
    );

    let mut many = String::from(
        "privflow: 1\npolicy: {id: p, speaker: acme}\nentities:\n  acme: {}\nsystems:\n  app: {operated_by: acme}\nflows:\n",
    );
    for i in 0..20_000 {
        many.push_str(&format!(
            "  - {{from: app, to: nowhere{i}, fields: [user.contact.phone_number]}}\n"
        ));
    }
    std::fs::write(p("errors.yaml"), many).unwrap();
    row(
        "check of 20 000 dangling references (was 152 s)",
        &measure(&mut privflow(&["check", &s(&p("errors.yaml"))]), None),
    );

    std::fs::write(p("report.html"), "old\n").unwrap();
    let script = format!(
        "ulimit -f 4; exec '{}' report '{model}' --format html -o report.html",
        env!("CARGO_BIN_EXE_privflow")
    );
    row(
        "ulimit -f 4; report -o report.html",
        &measure(
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .current_dir(d)
                .stderr(Stdio::null()),
            None,
        ),
    );
    assert_eq!(std::fs::read_to_string(p("report.html")).unwrap(), "old\n");

    let m = p("m.yaml");
    padded_model(&m, 4096);
    let m = s(&m);
    row(
        "audit m.yaml --format json=m.yaml",
        &measure(
            &mut privflow(&["audit", &m, "--format", &format!("json={m}")]),
            None,
        ),
    );
    row(
        "report m.yaml -o m.yaml",
        &measure(&mut privflow(&["report", &m, "-o", &m]), None),
    );
    row(
        "report -o DIR",
        &measure(
            &mut privflow(&["report", &model, "-o", &s(&d.to_path_buf())]),
            None,
        ),
    );
    row(
        "GITHUB_STEP_SUMMARY=DIR audit --format github",
        &measure(
            privflow(&["audit", &model, "--format", "github"]).env("GITHUB_STEP_SUMMARY", d),
            None,
        ),
    );
    let base = "privflow: 1\npolicy: {id: p, speaker: acme}\nentities:\n  acme: {name: Acme}\n";
    for (what, text, args) in [
        (
            "audit, names with ESC/BEL/CR (table)",
            base.replace("Acme}", "\"Acme\\e]0;pwned\\a\\e[2J\\r\"}"),
            vec!["audit"],
        ),
        (
            "check, `speaker: !!binary YWNtZQ==`",
            base.replace("speaker: acme", "speaker: !!binary YWNtZQ=="),
            vec!["check"],
        ),
        (
            "report --format html, one entity and nothing else",
            base.to_owned(),
            vec!["report", "--format", "html"],
        ),
        (
            "check, two YAML documents in one file",
            format!("{base}---\n{base}"),
            vec!["check"],
        ),
    ] {
        std::fs::write(p("text.yaml"), text).unwrap();
        let path = s(&p("text.yaml"));
        let mut args = args;
        args.push(&path);
        row(what, &measure(&mut privflow(&args), None));
    }
    println!("  (a valid model is read whole: the 63 MiB rows are what that size costs)");
}
