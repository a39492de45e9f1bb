use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = piiscan::cli::Cli::parse();
    match piiscan::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if piiscan::cli::output_closed(&err) => {
            ExitCode::from(piiscan::cli::EXIT_OUTPUT_CLOSED)
        }
        Err(err) => {
            // The library's messages already include their cause, so the
            // top-level message is printed without anyhow's chain.
            let err = anyhow::Error::new(err);
            eprintln!("piiscan: {err}");
            ExitCode::from(piiscan::cli::EXIT_ERROR)
        }
    }
}
