//! Running one command for a benchmark row: wall time and peak memory from the kernel (`wait4`),
//! with a watchdog that kills a run past its time or memory budget and says which.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// What one run cost.
pub struct Cost {
    pub code: i32,
    pub wall: Duration,
    pub peak_mib: f64,
    /// Set when the watchdog ended the run: "over 60 s" or "over 2048 MiB".
    pub killed: Option<String>,
}

/// How much a run may take before the watchdog kills it.
#[derive(Clone, Copy)]
pub struct Budget {
    pub seconds: u64,
    pub mib: u64,
}

pub const DEFAULT_BUDGET: Budget = Budget {
    seconds: 60,
    mib: 2048,
};

/// Resets this process's peak memory to what it holds now. Linux gives a child started from a
/// process the parent's peak as its own starting peak, so without this every row would report
/// the benchmark's own high-water mark.
fn forget_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn resident_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Runs `command` to its end (or the budget's), feeding `feed` bytes of zeros to its stdin.
pub fn measure(command: &mut Command, feed: Option<u64>, budget: Budget) -> Cost {
    use std::io::Write;
    if feed.is_some() {
        command.stdin(Stdio::piped());
    }
    forget_peak_memory();
    let started = Instant::now();
    let mut child = command.spawn().expect("the row's command starts");
    let feeder = feed.zip(child.stdin.take()).map(|(bytes, mut stdin)| {
        std::thread::spawn(move || {
            let zeros = vec![0u8; 1 << 16];
            for _ in 0..bytes / (1 << 16) {
                if stdin.write_all(&zeros).is_err() {
                    break;
                }
            }
        })
    });
    let pid = child.id();
    // 0: running, 1: ended, 2: killed for time, 3: killed for memory.
    let state = Arc::new(AtomicU8::new(0));
    let watchdog = {
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            while state.load(Ordering::SeqCst) == 0 {
                let over_time = started.elapsed() > Duration::from_secs(budget.seconds);
                let over_memory = resident_mib(pid).is_some_and(|m| m > budget.mib);
                if over_time || over_memory {
                    let why = if over_time { 2 } else { 3 };
                    if state
                        .compare_exchange(0, why, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                    {
                        // SAFETY: signalling our own child, which has not been reaped yet
                        // (the state is still "running" when we get here).
                        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unwaited child; both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    let why = state.swap(1, Ordering::SeqCst);
    let _ = watchdog.join();
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    std::mem::forget(child);
    let code = if waited > 0 && libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        -1
    };
    Cost {
        code,
        wall,
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        killed: match why {
            2 => Some(format!("over {} s", budget.seconds)),
            3 => Some(format!("over {} MiB", budget.mib)),
            _ => None,
        },
    }
}

/// `privflow ARGS` from the release build, quiet, with no limits from the caller's environment.
pub fn privflow(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privflow"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("PRIVFLOW_MAX_FILE_MIB")
        .env_remove("PRIVFLOW_MAX_INPUT_MIB")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// One printed row: what was run, its exit code (or why it was killed), time and peak memory.
pub fn row(what: &str, cost: &Cost) {
    let ended = match &cost.killed {
        Some(why) => format!("killed {why}"),
        None => format!("exit {:>3}", cost.code),
    };
    println!(
        "  {what:<58} {ended:<18} {:>9.2?}  {:>7.1} MiB",
        cost.wall, cost.peak_mib
    );
}
