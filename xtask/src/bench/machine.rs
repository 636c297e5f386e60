//! What the bench ran on, and the clock fact it needs (`CLK_TCK`).

use crate::cmd::Cmd;

/// The machine, as docs/performance.md reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// Logical CPUs this process may use.
    pub cpus: usize,
    /// The first `model name` of /proc/cpuinfo.
    pub cpu_model: String,
    /// The kernel release.
    pub kernel: String,
    /// `MemTotal` in MiB.
    pub memory_mib: u64,
}

impl Machine {
    /// Reads /proc.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: field(&cpuinfo, "model name").unwrap_or_else(|| "unknown".to_owned()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_owned(), |text| text.trim().to_owned()),
            memory_mib: field(&meminfo, "MemTotal").and_then(|text| kib(&text)).unwrap_or(0) / 1024,
        }
    }
}

/// The value of `name: value` in a /proc text file.
pub fn field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

/// `1234 kB` → 1234.
pub fn kib(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, else 100).
pub fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// Whether `program` is an executable file on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The command line of this run, as a person would type it.
pub fn this_command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut all = vec!["xtask"];
    all.extend(args.iter().map(String::as_str));
    Cmd::cargo(&all).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_fields() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n";
        assert_eq!(field(cpuinfo, "model name").as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(field(cpuinfo, "missing"), None);
        let status = "Name:\tchathub-server\nVmHWM:\t   23456 kB\n";
        assert_eq!(field(status, "VmHWM").and_then(|v| kib(&v)), Some(23_456));
    }

    #[test]
    fn the_clock_and_the_path_answer() {
        assert!(clock_ticks_per_second() > 0);
        assert!(on_path("sh"));
        assert!(!on_path("chathub-xtask-no-such-program"));
    }
}
