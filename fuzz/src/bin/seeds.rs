//! Seeds from real inputs, for scripts/fuzz.sh.
//!
//! `seeds pack DIR`: a Terraform root directory as one `hcl_dir` input (the inverse of
//! `infra_lint::fuzzing::hcl_dir`'s split), on stdout. main.tf gets every other top-level `.tf`
//! file too; the first local module becomes `modules/child` (and calls to it are renamed);
//! the state is `terraform.tfstate` or `state.tfstate`.
//!
//! `seeds select CONTROL MAX_FILES MAX_BYTES OUT`: from a libFuzzer merge control file
//! (`-merge_control_file`), the inputs that cover the most edges within the budget, copied to
//! OUT: greedily the one adding the most new edges, the smaller on a tie.
//!
//! `seeds containers OUT FILE...`: every `container_definitions` string (state, plan) and
//! `containerDefinitions` list (an ECS task definition) in the JSON files, one file each in OUT.
use infra_lint::fuzzing::{FILE_SEPARATOR, HCL_DIR_FILES};
use std::io::Write;
use std::path::Path;

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match args.first().and_then(|a| a.to_str()) {
        Some("pack") if args.len() == 2 => pack(Path::new(&args[1])),
        Some("select") if args.len() == 5 => {
            let n = |i: usize| {
                args[i]
                    .to_str()
                    .and_then(|s| s.parse().ok())
                    .expect("a number")
            };
            select(Path::new(&args[1]), n(2), n(3), Path::new(&args[4]))
        }
        Some("containers") if args.len() >= 2 => containers(Path::new(&args[1]), &args[2..]),
        _ => {
            eprintln!("usage: seeds pack DIR | seeds select CONTROL MAX_FILES MAX_BYTES OUT | seeds containers OUT FILE...");
            std::process::exit(2);
        }
    }
}

fn select(control: &Path, max_files: usize, max_bytes: usize, out: &Path) {
    use std::collections::HashSet;
    let text = std::fs::read_to_string(control).expect("reading the control file");
    let mut lines = text.lines();
    let count: usize = lines
        .next()
        .and_then(|l| l.parse().ok())
        .expect("a file count");
    lines.next();
    let paths: Vec<&str> = lines.by_ref().take(count).collect();
    let mut edges: Vec<HashSet<u64>> = vec![HashSet::new(); count];
    for l in lines {
        let mut words = l.split_whitespace();
        if words.next() != Some("COV") {
            continue;
        }
        let Some(i) = words.next().and_then(|w| w.parse::<usize>().ok()) else {
            continue;
        };
        edges[i].extend(words.filter_map(|w| w.parse::<u64>().ok()));
    }
    let size = |i: usize| std::fs::metadata(paths[i]).map_or(usize::MAX, |m| m.len() as usize);
    let (mut covered, mut bytes, mut chosen) = (HashSet::new(), 0, Vec::new());
    while chosen.len() < max_files {
        let best = (0..count)
            .filter(|&i| !chosen.contains(&i) && bytes + size(i) <= max_bytes)
            .map(|i| {
                (
                    edges[i].difference(&covered).count(),
                    std::cmp::Reverse(size(i)),
                    i,
                )
            })
            .filter(|(new, _, _)| *new > 0)
            .max();
        let Some((_, _, i)) = best else { break };
        covered.extend(edges[i].iter().copied());
        bytes += size(i);
        chosen.push(i);
    }
    std::fs::create_dir_all(out).expect("creating the output directory");
    for &i in &chosen {
        let p = Path::new(paths[i]);
        std::fs::copy(p, out.join(p.file_name().unwrap())).expect("copying an input");
    }
    let all: HashSet<u64> = edges.iter().flatten().copied().collect();
    eprintln!(
        "seeds select: {} inputs, {bytes} bytes, {} of {} edges",
        chosen.len(),
        covered.len(),
        all.len()
    );
}

fn containers(out: &Path, files: &[std::ffi::OsString]) {
    use serde_json::Value as J;
    fn walk(j: &J, found: &mut Vec<String>) {
        match j {
            J::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("container_definitions", J::String(s)) => found.push(s.clone()),
                        ("containerDefinitions", J::Array(_)) => found.push(v.to_string()),
                        _ => walk(v, found),
                    }
                }
            }
            J::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    std::fs::create_dir_all(out).expect("creating the output directory");
    let mut found = Vec::new();
    for f in files {
        if let Ok(j) = serde_json::from_slice::<J>(&read(Path::new(f))) {
            walk(&j, &mut found);
        }
    }
    for (i, s) in found.iter().enumerate() {
        std::fs::write(out.join(format!("{i}.json")), s).expect("writing a seed");
    }
}

fn pack(dir: &Path) {
    let mut tf: Vec<_> = std::fs::read_dir(dir)
        .expect("reading the directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    tf.sort();
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let module = std::fs::read_dir(dir.join("modules")).ok().and_then(|rd| {
        let mut ds: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        ds.sort();
        ds.into_iter().find(|d| d.join("main.tf").is_file())
    });
    let mut main = read(&dir.join("main.tf"));
    for p in &tf {
        let n = name(p);
        if n.ends_with(".tf") && n != "main.tf" && n != "variables.tf" {
            main.push(b'\n');
            main.extend(read(p));
        }
    }
    if let Some(m) = &module {
        let from = format!("./modules/{}", name(m));
        let text = String::from_utf8_lossy(&main).replace(&from, "./modules/child");
        main = text.into_bytes();
    }
    let json: Vec<u8> = tf
        .iter()
        .filter(|p| name(p).ends_with(".tf.json"))
        .flat_map(|p| read(p))
        .collect();
    let state = ["terraform.tfstate", "state.tfstate"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let mut parts = vec![
        main,
        read(&dir.join("variables.tf")),
        read(&dir.join("terraform.tfvars")),
        module.map(|m| read(&m.join("main.tf"))).unwrap_or_default(),
        json,
    ];
    if let Some(s) = state {
        parts.push(read(&s));
    }
    assert!(parts.len() <= HCL_DIR_FILES.len());
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(FILE_SEPARATOR);
        }
        out.extend(p);
    }
    std::io::stdout().write_all(&out).expect("writing stdout");
}
