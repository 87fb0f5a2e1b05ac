//! SARIF 2.1.0, for code-scanning upload.

use super::*;

/// SARIF 2.1.0, for code-scanning upload: one result per finding, policy violation,
/// dependency violation and workspace violation; one rule per id, described once.
pub fn write_check_sarif(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    use serde_json::{Value, json};
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index = std::collections::BTreeMap::new();
    let mut results = Vec::new();
    let mut result = |rule: &str, description: &str, help: Option<&str>, level: &str, message: String, file: Option<&str>, line: Option<u64>, properties: Value| {
        let index = *rule_index.entry(rule.to_string()).or_insert_with(|| {
            let mut descriptor = json!({ "id": rule, "shortDescription": { "text": description } });
            if let Some(help) = help {
                descriptor["helpUri"] = json!(help);
            }
            rules.push(descriptor);
            rules.len() - 1
        });
        let mut entry = json!({ "ruleId": rule, "ruleIndex": index, "level": level, "message": { "text": message }, "properties": properties });
        if let Some(file) = file {
            let mut location = json!({ "physicalLocation": { "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" } } });
            if let Some(line) = line.filter(|l| *l > 0) {
                location["physicalLocation"]["region"] = json!({ "startLine": line });
            }
            entry["locations"] = json!([location]);
        }
        results.push(entry);
    };
    for package in &report.packages {
        for f in &package.findings {
            let level = match severity(package, f) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            // The rule's own description and link, from the catalog; an id the catalog does not
            // know (a report written by another apicheck version, merged) keeps what it carries.
            let entry = catalog::find(&f.id).ok();
            let description = entry.as_ref().map(|entry| entry.summary.trim().to_string()).unwrap_or_else(|| f.id.replace('_', " "));
            let help = entry.and_then(|entry| entry.reference).or_else(|| f.reference.clone());
            let mut properties = json!({ "package": package.name, "path": f.path, "requiredBump": f.required_bump, "source": f.source });
            if let Some(reason) = &f.acknowledged {
                properties["acknowledged"] = json!(reason);
            }
            if !f.surfaces.is_empty() {
                properties["surfaces"] = json!(f.surfaces);
            }
            result(&f.id, &description, help.as_deref(), level, format!("{}{}", f.message, surfaces_text(f)), f.file.as_deref().or(package.manifest.as_deref()), f.line.map(u64::from), properties);
        }
        for v in &package.violations {
            let properties = json!({ "package": package.name, "fix": v.fix });
            result(
                &format!("policy/{}", v.rule),
                &governance_summary(&v.rule, "release policy rule"),
                None,
                "error",
                format!("{} Fix: {}", v.message, v.fix),
                v.file.as_deref().or(package.manifest.as_deref()),
                v.line.map(u64::from),
                properties,
            );
        }
        if let Some(error) = &package.error {
            result("apicheck/error", "a package could not be checked", None, "error", error.clone(), package.manifest.as_deref(), None, json!({ "package": package.name }));
        }
    }
    for v in &report.dependencies {
        let properties = json!({ "from": v.from, "to": v.to, "kind": v.kind, "fix": v.fix });
        let message = if v.fix.is_empty() { v.message.clone() } else { format!("{} Fix: {}", v.message, v.fix) };
        result(&format!("deps/{}", v.rule), &governance_summary(&v.rule, "dependency rule"), None, "error", message, Some(&v.file), v.line.map(|l| l as u64), properties);
    }
    for v in &report.violations {
        let properties = json!({ "fix": v.fix });
        result(
            &format!("policy/{}", v.rule),
            &governance_summary(&v.rule, "workspace rule"),
            None,
            "error",
            format!("{} Fix: {}", v.message, v.fix),
            v.file.as_deref(),
            v.line.map(u64::from),
            properties,
        );
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "apicheck", "version": env!("CARGO_PKG_VERSION"), "semanticVersion": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

/// A governance rule's description, from the catalog; a rule it does not know (a report of
/// another apicheck version, merged) is described by `kind` and its id.
fn governance_summary(rule: &str, kind: &str) -> String {
    catalog::governance_rule(rule).map(|rule| rule.summary.to_string()).unwrap_or_else(|| format!("{kind} {rule}"))
}
