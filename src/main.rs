#![forbid(unsafe_code)]
use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = infra_lint::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let code = infra_lint::cli::run(cli, &mut stdout);
    std::process::exit(code);
}
