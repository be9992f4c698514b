//! Issue 12's hostile-input table, the rows on what privflow reads and writes: devices and pipes,
//! caps per file and per run, outputs that fail or would replace an input, closed streams.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Output, git, privflow, privflow_command, privflow_in, run};

const MODEL: &str = "policies/whatsapp-2021.yaml";
const BROKEN: &str = "fixtures/invalid/dangling-reference.yaml";

/// `privflow ARGS` with `configure` applied to the command.
fn run_with(args: &[&str], configure: impl FnOnce(&mut Command)) -> Output {
    let mut command = privflow_command(args);
    configure(&mut command);
    run(command)
}

fn with_limits(args: &[&str], file_mib: &str, input_mib: &str) -> Output {
    run_with(args, |c| {
        c.env("PRIVFLOW_MAX_FILE_MIB", file_mib)
            .env("PRIVFLOW_MAX_INPUT_MIB", input_mib);
    })
}

/// Asserts exit 2 and that stderr carries `code` and every one of `words`.
fn refused(out: &Output, code: &str, words: &[&str]) {
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(code), "{code}: {}", out.stderr);
    for word in words {
        assert!(out.stderr.contains(word), "`{word}`: {}", out.stderr);
    }
    assert!(!out.stderr.contains("internal error"), "{}", out.stderr);
}

/// A bundled model padded with a YAML comment to `bytes`, in `dir`.
fn padded_model(dir: &Path, name: &str, bytes: usize) -> String {
    let mut text = std::fs::read_to_string(MODEL).unwrap();
    text.push('#');
    text.push_str(&"x".repeat(bytes.saturating_sub(text.len() + 1)));
    text.push('\n');
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn sparse(dir: &Path, name: &str, bytes: u64) -> String {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .set_len(bytes)
        .unwrap();
    path.to_string_lossy().into_owned()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_refused_before_a_byte_is_read() {
    // Each of these once read until memory ran out (2 GB RSS).
    let out = privflow(&["audit", "/dev/zero"]);
    refused(
        &out,
        "privflow::load::not-a-file",
        &["`/dev/zero` is a device"],
    );

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fed.yaml");
    mkfifo(&fifo);
    // A writer that would feed the FIFO from /dev/zero for ever, once privflow opened it.
    let mut writer = Command::new("sh")
        .arg("-c")
        .arg(format!("exec cat /dev/zero > '{}'", fifo.display()))
        .spawn()
        .unwrap();
    let out = privflow(&["audit", fifo.to_str().unwrap()]);
    let _ = writer.kill();
    let _ = writer.wait();
    refused(&out, "privflow::load::not-a-file", &["fed.yaml` is a FIFO"]);

    // `head -c 3G /dev/zero | privflow audit /dev/stdin`
    let mut child = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(["audit", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let zeros = vec![0u8; 1 << 16];
        // Stops when privflow exits and the pipe breaks; 3 GiB at most.
        for _ in 0..(3u64 << 30) / (1 << 16) {
            if stdin.write_all(&zeros).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`/dev/stdin` is a FIFO"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn one_file_reached_forty_times_is_read_once() {
    // 40 hard links to one model, and the model named 20 times, once took 2.6 GB and 1.3 GB:
    // every name was read. Now a run capped at 1 MiB in all reads the 600 KiB model once.
    let dir = tempfile::tempdir().unwrap();
    let links = dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    let model = padded_model(&links, "m.yaml", 600 << 10);
    for i in 0..40 {
        std::fs::hard_link(&model, links.join(format!("link-{i}.yaml"))).unwrap();
    }
    let out = with_limits(&["check", links.to_str().unwrap()], "1", "1");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("ok: 1 policy valid"), "{}", out.stdout);

    let mut args = vec!["check"];
    args.extend(std::iter::repeat_n(model.as_str(), 20));
    let out = with_limits(&args, "1", "1");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("ok: 1 policy valid"), "{}", out.stdout);
}

#[test]
fn side_files_over_the_cap_are_refused_by_name_before_they_are_read() {
    // A 1.5 GB `--levels` or `--baseline-file` was read whole; the levels message named no file.
    let dir = tempfile::tempdir().unwrap();
    let big = sparse(dir.path(), "big.yaml", 3 << 20);
    for args in [
        vec![
            "diff",
            "policies/whatsapp-2020.yaml",
            MODEL,
            "--levels",
            big.as_str(),
        ],
        vec!["audit", MODEL, "--baseline-file", big.as_str()],
        vec!["audit", MODEL, "--waivers", big.as_str()],
        vec!["audit", MODEL, "--baseline", big.as_str()],
    ] {
        let out = with_limits(&args, "1", "256");
        refused(
            &out,
            "privflow::load::too-large",
            &[
                "big.yaml` is 3.0 MiB",
                "at most 1.0 MiB",
                "PRIVFLOW_MAX_FILE_MIB=3",
            ],
        );
    }
}

#[test]
fn a_git_blob_over_the_cap_is_sized_before_it_is_read() {
    // `diff git:HEAD:big.yaml …` read a 1.2 GB blob whole before checking its size.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    padded_model(repo, "big.yaml", 2 << 20);
    git(repo, &["add", "big.yaml"]);
    git(repo, &["commit", "-q", "-m", "big"]);
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join(MODEL);
    let out = run_with(
        &["diff", "git:HEAD:big.yaml", model.to_str().unwrap()],
        |c| {
            c.current_dir(repo).env("PRIVFLOW_MAX_FILE_MIB", "1");
        },
    );
    refused(
        &out,
        "privflow::load::too-large",
        &["`git:HEAD:big.yaml` is 2.0 MiB", "PRIVFLOW_MAX_FILE_MIB=2"],
    );
}

#[test]
fn the_inputs_of_a_run_share_one_cap() {
    let dir = tempfile::tempdir().unwrap();
    let a = padded_model(dir.path(), "a.yaml", 600 << 10);
    let b = padded_model(dir.path(), "b.yaml", 600 << 10);
    let out = with_limits(&["check", &a, &b], "1", "1");
    refused(
        &out,
        "privflow::load::too-much-input",
        &[
            "b.yaml` would take this run's input to 1.2 MiB",
            "PRIVFLOW_MAX_INPUT_MIB=2",
        ],
    );
    // Each alone fits.
    assert_eq!(with_limits(&["check", &a], "1", "1").code, 0);
}

#[cfg(unix)]
#[test]
fn a_closed_or_full_stderr_is_not_a_crash() {
    // Both once ended in SIGABRT (exit 134): `eprintln!` panicked, then the panic hook did.
    let full = run_with(&["check", BROKEN], |c| {
        c.stderr(
            std::fs::File::options()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        );
    });
    assert_eq!(full.code, 2);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let closed = run_with(&["check", BROKEN], |c| {
        c.stderr(writer);
    });
    assert_eq!(closed.code, 2);
    // A full stdout is the user's to fix (exit 2, said on stderr); a closed one is quiet.
    let out = run_with(&["audit", MODEL, "--fail-on", "never"], |c| {
        c.stdout(
            std::fs::File::options()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        );
    });
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot write output"), "{}", out.stderr);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = run_with(&["audit", MODEL, "--fail-on", "never"], |c| {
        c.stdout(writer);
    });
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_write_that_fails_half_way_leaves_the_old_file() {
    // Under `ulimit -f 4` the old report was gone and 4 096 bytes of the new one remained.
    let dir = tempfile::tempdir().unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join(MODEL);
    let bin = env!("CARGO_BIN_EXE_privflow");
    for (output, command) in [
        (
            "report.html",
            "report '{model}' --format html -o report.html",
        ),
        ("out.sarif", "audit '{model}' --format sarif=out.sarif"),
    ] {
        std::fs::write(dir.path().join(output), "the old file\n").unwrap();
        let script = format!(
            "ulimit -f 4; exec '{bin}' {}",
            command.replace("{model}", &model.to_string_lossy())
        );
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(&script).current_dir(dir.path());
        let out = run(sh);
        refused(&out, "cannot write", &[output, "File too large"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(output)).unwrap(),
            "the old file\n"
        );
    }
    assert_eq!(
        names(dir.path()),
        ["out.sarif", "report.html"],
        "no temporary file"
    );
}

#[test]
fn an_output_that_names_an_input_is_refused_before_anything_is_read() {
    // Each of these once overwrote the model with the output.
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let original = std::fs::read_to_string(MODEL).unwrap();
    let model = models.join("m.yaml");
    std::fs::write(&model, &original).unwrap();
    let (m, d) = ("models/m.yaml", "models");
    for (args, output) in [
        (
            vec!["audit", m, "--format", &format!("json={m}")],
            format!("--format json={m}"),
        ),
        (vec!["report", m, "-o", m], format!("-o {m}")),
        (vec!["baseline", "create", d, "-o", m], format!("-o {m}")),
    ] {
        let out = privflow_in(dir.path(), &args);
        refused(
            &out,
            "privflow::load::input-is-output",
            &[&format!(
                "is an input of this run and also its output `{output}`"
            )],
        );
        assert_eq!(std::fs::read_to_string(&model).unwrap(), original);
    }
}

#[test]
fn an_output_path_that_cannot_be_written_is_the_users_to_fix() {
    // Each of these was exit 3, "internal error".
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let missing = dir.path().join("no/such/dir/report.html");
    let missing = missing.to_str().unwrap();
    for (args, why) in [
        (
            vec!["report", MODEL, "-o", d],
            "it is a directory; name a file".to_owned(),
        ),
        (
            vec!["report", MODEL, "-o", missing],
            format!("the directory `{d}/no/such/dir` does not exist"),
        ),
        (
            vec!["report", MODEL, "-o", "/proc/version"],
            "cannot create a file in `/proc`".to_owned(),
        ),
        (
            vec!["audit", MODEL, "--format", &format!("sarif={d}")],
            "it is a directory; name a file".to_owned(),
        ),
    ] {
        let out = privflow(&args);
        let path = args.last().unwrap().trim_start_matches("sarif=");
        refused(&out, "cannot write", &[&format!("`{path}`: {why}")]);
    }
}

#[test]
fn annotations_are_printed_whatever_happens_to_the_job_summary() {
    // A `GITHUB_STEP_SUMMARY` naming a directory was exit 3 with no annotations at all.
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&["audit", MODEL, "--format", "github"], |c| {
        c.env("GITHUB_STEP_SUMMARY", dir.path());
    });
    assert_eq!(out.code, 1, "violations found: {}", out.stderr);
    assert!(
        out.stdout
            .starts_with("::error file=policies/whatsapp-2021.yaml,line=88,col=5,"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("cannot write the job summary"),
        "{}",
        out.stderr
    );
}
