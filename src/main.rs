use std::io::IsTerminal;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!(
            "slsx::internal\n\n  × internal error{location}: {payload}\n\nThis is a bug in slsx, not in your configuration. Please report it with the input that caused it.\nslsx {}",
            env!("CARGO_PKG_VERSION")
        );
        std::process::exit(slsx::cli::exit::BUG);
    }));
    // the YAML loader turns libyaml-safer's one known panic into a syntax error
    slsx::yaml::quiet_library_panics();
    // the whole job on one thread with a big stack (see `slsx::on_big_stack`)
    let code = slsx::on_big_stack(|| {
        let stdin = std::io::stdin();
        let mut stdin = stdin.lock();
        let stdout = std::io::stdout();
        let stdout_is_terminal = stdout.is_terminal();
        let mut stdout = stdout.lock();
        let stderr = std::io::stderr();
        let stderr_is_terminal = stderr.is_terminal();
        let mut stderr = stderr.lock();
        let mut io = slsx::cli::Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            env: std::env::vars().collect(),
            stderr_is_terminal,
            stdout_is_terminal,
        };
        slsx::cli::run(std::env::args_os(), &mut io)
    });
    std::process::exit(code);
}
