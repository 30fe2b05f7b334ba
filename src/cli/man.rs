//! `infra-lint man`: manual pages generated from the clap definition, so they document exactly
//! the flags the parser accepts.
use super::EXIT_OK;
use clap::CommandFactory;
use clap_mangen::roff::Roff;
use clap_mangen::Man;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write the pages into DIR instead: infra-lint.1 (the one printed) and one page per
    /// command (infra-lint-check.1, …).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &ManArgs, out: &mut dyn Write) -> Result<i32, String> {
    let cmd = command();
    let date = date()?;
    let top = page(&cmd, &date).map_err(|e| e.to_string())?;
    let Some(dir) = &args.out else {
        out.write_all(&top).map_err(|e| e.to_string())?;
        return Ok(EXIT_OK);
    };
    let cannot = |e: io::Error| format!("cannot write the manual pages to {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let mut written = vec![dir.join("infra-lint.1")];
    std::fs::write(&written[0], &top).map_err(cannot)?;
    for sub in commands(&cmd) {
        let man = Man::new(sub.clone()).date(&date);
        written.push(man.generate_to(dir).map_err(cannot)?);
    }
    for p in written {
        writeln!(out, "{}", p.display()).map_err(|e| e.to_string())?;
    }
    Ok(EXIT_OK)
}

fn command() -> clap::Command {
    // `help` is the parser's way to print usage, not a command worth a page.
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

fn commands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// The whole manual on one page: the top command, then every command's synopsis, description
/// and options, so that `man infra-lint` alone documents every flag.
pub fn page(cmd: &clap::Command, date: &str) -> io::Result<Vec<u8>> {
    type Render = fn(&Man, &mut dyn Write) -> io::Result<()>;
    // Every rendering repeats the preamble that defines the apostrophe string; keep one.
    let mut preamble = Vec::new();
    Roff::new().to_writer(&mut preamble)?;
    let section = |man: &Man, render: Render| -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        render(man, &mut buf)?;
        Ok(buf
            .strip_prefix(preamble.as_slice())
            .map_or(buf.clone(), <[u8]>::to_vec))
    };
    // A command's section body goes under its own `.SS`, without the section's `.SH` line.
    let body = |man: &Man, render: Render| -> io::Result<Vec<u8>> {
        let s = section(man, render)?;
        Ok(match s.iter().position(|&b| b == b'\n') {
            Some(nl) if s.starts_with(b".SH") => s[nl + 1..].to_vec(),
            _ => s,
        })
    };

    let top = Man::new(cmd.clone()).date(date);
    let mut w = preamble.clone();
    for render in [
        Man::render_title as Render,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ] {
        w.extend(section(&top, render)?);
    }
    w.extend(Roff::new().control("SH", ["COMMANDS"]).to_roff().bytes());
    for sub in commands(cmd) {
        let man = Man::new(sub.clone());
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
        w.extend(Roff::new().control("SS", [name]).to_roff().bytes());
        w.extend(body(&man, Man::render_synopsis_section)?);
        w.extend(Roff::new().control("PP", []).to_roff().bytes());
        w.extend(body(&man, Man::render_description_section)?);
        w.extend(body(&man, Man::render_options_section)?);
    }
    w.extend(section(&top, Man::render_version_section)?);
    Ok(w)
}

/// The pages' date: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC). Never
/// empty: an empty `.TH` date is dropped from the line, and the source then shows as the date.
fn date() -> Result<String, String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={s:?} is not a number of seconds"))?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    Ok(civil(secs.div_euclid(86_400)))
}

/// Days since 1970-01-01 as YYYY-MM-DD, proleptic Gregorian (H. Hinnant's civil_from_days).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil(0), "1970-01-01");
        assert_eq!(super::civil(-1), "1969-12-31");
        // 2000-02-29 (a leap day of a century leap year) and the day after.
        assert_eq!(super::civil(11_016), "2000-02-29");
        assert_eq!(super::civil(11_017), "2000-03-01");
        assert_eq!(super::civil(1_700_000_000 / 86_400), "2023-11-14");
    }
}
