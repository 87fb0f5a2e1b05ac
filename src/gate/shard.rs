//! Sharding a check over CI jobs (`--shard K/N`, balanced by source size) and merging the shards'
//! JSON reports.

use super::*;

/// One part of a split check: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N`, with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text.split_once('/').ok_or_else(|| format!("`{text}` is not K/N (for example 1/3)"))?;
        let index: usize = index.trim().parse().map_err(|_| format!("`{index}` in `{text}` is not a shard number"))?;
        let count: usize = count.trim().parse().map_err(|_| format!("`{count}` in `{text}` is not a shard count"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard `{text}` is out of range: K/N needs 1 ≤ K ≤ N"));
        }
        Ok(Shard { index, count })
    }
}

/// Splits packages into `shard.count` shards balanced by source size (bytes of `.rs` files):
/// the largest package first, each to the lightest shard so far, ties to the lowest index and
/// then by name. The same sources give the same split on every run and machine.
pub fn shard_packages<'w>(packages: &[&'w Package], shard: Shard) -> Vec<&'w Package> {
    let mut sized: Vec<(u64, &Package)> = packages.iter().map(|p| (source_size(&p.dir), *p)).collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut loads = vec![0u64; shard.count];
    let mut mine = Vec::new();
    for (size, package) in sized {
        let lightest = (0..shard.count).min_by_key(|&i| (loads[i], i)).unwrap_or(0);
        loads[lightest] += size.max(1);
        if lightest + 1 == shard.index {
            mine.push(package);
        }
    }
    mine.sort_by(|a, b| a.name.cmp(&b.name));
    mine
}

fn source_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && entry.file_name() != "target" => source_size(&path),
                Ok(kind) if kind.is_file() && path.extension().is_some_and(|e| e == "rs") => entry.metadata().map(|m| m.len()).unwrap_or(0),
                _ => 0,
            }
        })
        .sum()
}

/// `report merge`: one report from the shards' JSON reports. Every shard of the split must be
/// there exactly once, and no package may be in two; the merged verdict fails when any shard's
/// does, and is an error when any shard's package could not be checked.
pub fn merge_reports(reports: Vec<(PathBuf, CheckReport)>) -> Result<CheckReport> {
    let mut shards: Vec<(usize, usize, &PathBuf)> = Vec::new();
    for (path, report) in &reports {
        if report.schema != REPORT_SCHEMA {
            bail!("{} is a report of schema {}, this apicheck merges schema {}", path.display(), report.schema, REPORT_SCHEMA);
        }
        if let Some(shard) = report.shard {
            if shard.index == 0 || shard.index > shard.count {
                bail!("{} claims to be shard {}/{}, which no split has: it is not a report of `check --shard`", path.display(), shard.index, shard.count);
            }
            shards.push((shard.index, shard.count, path));
        }
    }
    if !shards.is_empty() {
        if shards.len() != reports.len() {
            bail!("some reports are shards (`check --shard`) and some are not: merge the shards of one split");
        }
        let count = shards[0].1;
        if let Some((_, other, path)) = shards.iter().find(|(_, c, _)| *c != count) {
            bail!("{} is a shard of {other}, the others of {count}: merge the shards of one split", path.display());
        }
        for index in 1..=count {
            let found: Vec<&&PathBuf> = shards.iter().filter(|(i, _, _)| *i == index).map(|(_, _, p)| p).collect();
            match found.as_slice() {
                [_] => {}
                [] => bail!("shard {index}/{count} is missing: its check did not produce a report, so the merged verdict cannot pass"),
                _ => bail!("shard {index}/{count} is given {} times", found.len()),
            }
        }
    }
    let mut merged = CheckReport {
        schema: REPORT_SCHEMA,
        passed: true,
        packages: Vec::new(),
        dependencies: Vec::new(),
        violations: Vec::new(),
        dependency_graph: None,
        affected: None,
        shard: None,
        documented: Vec::new(),
        documented_surfaces: Default::default(),
        notes: Vec::new(),
    };
    let mut seen: std::collections::BTreeMap<String, PathBuf> = std::collections::BTreeMap::new();
    for (path, report) in reports {
        for package in report.packages {
            if let Some(first) = seen.insert(package.name.clone(), path.clone()) {
                bail!("package `{}` is in both {} and {}", package.name, first.display(), path.display());
            }
            merged.packages.push(package);
        }
        merged.dependencies.extend(report.dependencies);
        merged.violations.extend(report.violations);
        merged.dependency_graph = merged.dependency_graph.or(report.dependency_graph);
        merged.affected = merged.affected.or(report.affected);
        merged.documented.extend(report.documented);
        for (surface, packages) in report.documented_surfaces {
            merged.documented_surfaces.entry(surface).or_default().extend(packages);
        }
        merged.notes.extend(report.notes);
    }
    merged.packages.sort_by(|a, b| a.name.cmp(&b.name));
    merged.documented.sort();
    merged.documented_surfaces.values_mut().for_each(|packages| packages.sort());
    merged.dependencies.sort_by(|a, b| (&a.rule, &a.from, &a.to).cmp(&(&b.rule, &b.from, &b.to)));
    merged.dependencies.dedup();
    merged.violations.sort_by(|a, b| (&a.rule, &a.file, &a.line).cmp(&(&b.rule, &b.file, &b.line)));
    merged.violations.dedup();
    merged.passed = merged.packages.iter().all(|p| matches!(p.status, Status::Pass | Status::New))
        && merged.dependencies.is_empty()
        && merged.violations.is_empty();
    Ok(merged)
}
