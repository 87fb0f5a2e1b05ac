//! The model diff: removed, added and changed items, each classified by Cargo's SemVer rules.
//!
//! Items are matched by key. Before matching, the current model's canonical paths are mapped
//! back to the baseline's where an item is still reachable at its old path, so that moving an
//! item and re-exporting it where it was is not a change. Every rule that decides a bump is in
//! this file, with the cargo-semver-checks lints that report the same break
//! ([`equivalent_lints`]), so that a break both engines see is reported once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::bump::Bump;
use crate::findings::{Change, Finding, Level, Source};
use crate::model::macro_rules;
use crate::model::ty::{Bound, JoinBounds, ParamKind, Predicate, Ty, TyPath};
use crate::model::{ApiItem, ApiModel, Detail, Generics, ItemKind, Qualifiers, VariantField};

/// The findings of `baseline` → `current`, sorted, before any lint results are merged in.
pub fn diff_models(baseline: &ApiModel, current: &ApiModel) -> Vec<Finding> {
    let current = map_moved_paths(baseline, current);
    let old = baseline.by_key();
    let new = current.by_key();
    let mut differ = Differ { old: &old, new: &new, findings: Vec::new() };

    let removed_owners: BTreeSet<&str> = old
        .values()
        .filter(|item| is_owner(item.kind) && !new.contains_key(item.key.as_str()))
        .map(|item| item.path.as_str())
        .collect();
    let added_owners: BTreeSet<&str> = new
        .values()
        .filter(|item| is_owner(item.kind) && !old.contains_key(item.key.as_str()))
        .map(|item| item.path.as_str())
        .collect();

    // A method of an impl for one instantiation (`impl W<String>`) that is now in an impl for
    // every instantiation that covers it (`impl<T: AsRef<str>> W<T>`): the same method,
    // generalized.
    let generalized: BTreeMap<&str, &ApiItem> = old
        .iter()
        .filter(|(key, _)| !new.contains_key(*key))
        .filter_map(|(key, item)| Some((*key, generalizing_method(item, &new)?)))
        .collect();
    for (key, item) in &old {
        match (new.get(key), generalized.get(key)) {
            (Some(now), _) => differ.changed(item, now),
            (None, Some(now)) => differ.generalized(item, now),
            (None, None) if item.hidden || is_blanket(item) || member_of(item, &removed_owners) || into_through_from(item, &new) => {}
            (None, None) => differ.removed(item),
        }
    }
    let generalizing: BTreeSet<&str> = generalized.values().map(|item| item.key.as_str()).collect();
    for (key, item) in &new {
        if !old.contains_key(key)
            && !generalizing.contains(key)
            && !item.hidden
            && !is_blanket(item)
            && !member_of(item, &added_owners)
        {
            differ.added(item);
        }
    }
    let mut findings = differ.findings;
    findings.sort_by(|a, b| (a.change, &a.path, &a.id).cmp(&(b.change, &b.path, &b.id)));
    findings
}

/// For each model rule, the cargo-semver-checks lints that report the same break, so that a break
/// both engines find is reported once. A test checks that every lint named here exists in
/// cargo-semver-checks' catalog.
pub const EQUIVALENT_LINTS: &[(&str, &[&str])] = &[
    ("module_removed", &["module_missing"]),
    ("function_removed", &["function_missing"]),
    ("method_removed", &["inherent_method_missing"]),
    ("trait_method_removed", &["trait_method_missing"]),
    ("struct_removed", &["struct_missing"]),
    ("struct_field_removed", &["struct_pub_field_missing"]),
    ("enum_removed", &["enum_missing", "enum_changed_kind"]),
    ("enum_variant_removed", &["enum_variant_missing"]),
    ("union_removed", &["union_missing"]),
    ("union_field_removed", &["union_field_missing"]),
    ("trait_removed", &["trait_missing"]),
    ("trait_associated_type_removed", &["trait_removed_associated_type"]),
    (
        "associated_const_removed",
        &[
            "trait_removed_associated_constant",
            "inherent_associated_pub_const_missing",
        ],
    ),
    ("const_removed", &["pub_module_level_const_missing"]),
    ("static_removed", &["pub_static_missing"]),
    (
        "macro_removed",
        &[
            "declarative_macro_missing",
            "function_like_proc_macro_missing",
            "attribute_proc_macro_missing",
            "derive_proc_macro_missing",
            "macro_no_longer_exported",
        ],
    ),
    ("trait_impl_removed", &["derive_trait_impl_removed", "sized_impl_removed"]),
    ("auto_trait_impl_removed", &["auto_trait_impl_removed"]),
    ("auto_trait_impl_added", &["auto_trait_impl_added"]),
    ("struct_field_added", &["constructible_struct_adds_field"]),
    (
        "union_field_added",
        &[
            "union_field_added_with_all_pub_fields",
            "union_field_added_with_non_pub_fields",
        ],
    ),
    ("enum_variant_added", &["enum_variant_added"]),
    ("trait_method_added", &["trait_method_added"]),
    ("trait_associated_type_added", &["trait_associated_type_added"]),
    (
        "associated_const_added",
        &[
            "trait_associated_const_added",
            "inherent_associated_pub_const_added",
        ],
    ),
    (
        "function_parameter_count_changed",
        &[
            "function_parameter_count_changed",
            "exported_function_parameter_count_changed",
        ],
    ),
    ("method_parameter_count_changed", &["method_parameter_count_changed"]),
    ("trait_method_parameter_count_changed", &["trait_method_parameter_count_changed"]),
    (
        "function_return_type_changed",
        &[
            "function_now_returns_unit",
            "exported_function_now_returns_unit",
        ],
    ),
    ("method_return_type_changed", &["inherent_method_now_returns_unit"]),
    (
        "trait_method_return_type_changed",
        &[
            "trait_method_now_returns_unit",
            "trait_method_return_value_added",
        ],
    ),
    (
        "method_receiver_changed",
        &[
            "method_receiver_mut_ref_became_owned",
            "method_receiver_ref_became_mut",
            "method_receiver_ref_became_owned",
            "method_receiver_type_changed",
            "method_no_longer_has_receiver",
        ],
    ),
    (
        "trait_method_receiver_changed",
        &[
            "trait_method_receiver_added",
            "trait_method_receiver_mut_ref_became_owned",
            "trait_method_receiver_mut_ref_became_ref",
            "trait_method_receiver_owned_became_mut_ref",
            "trait_method_receiver_owned_became_ref",
            "trait_method_receiver_ref_became_mut",
            "trait_method_receiver_ref_became_owned",
            "trait_method_receiver_type_changed",
            "trait_method_no_longer_has_receiver",
        ],
    ),
    (
        "function_generic_params_changed",
        &[
            "function_requires_different_generic_type_params",
            "function_requires_different_const_generic_params",
            "function_generic_type_reordered",
            "function_const_generic_reordered",
        ],
    ),
    (
        "method_generic_params_changed",
        &[
            "method_requires_different_generic_type_params",
            "method_requires_different_const_generic_params",
            "inherent_method_generic_type_reordered",
            "inherent_method_const_generic_reordered",
        ],
    ),
    (
        "trait_method_generic_params_changed",
        &[
            "trait_method_requires_different_generic_type_params",
            "trait_method_requires_different_const_generic_params",
            "trait_method_generic_type_reordered",
            "trait_method_const_generic_reordered",
        ],
    ),
    ("function_const_removed", &["function_const_removed"]),
    ("method_const_removed", &["inherent_method_const_removed"]),
    ("function_now_const", &["function_now_const"]),
    ("method_now_const", &["inherent_method_now_const"]),
    ("function_unsafe_added", &["function_unsafe_added"]),
    ("method_unsafe_added", &["inherent_method_unsafe_added"]),
    ("trait_method_unsafe_added", &["trait_method_unsafe_added"]),
    ("function_unsafe_removed", &["function_no_longer_unsafe"]),
    ("method_unsafe_removed", &["inherent_method_no_longer_unsafe"]),
    ("trait_method_unsafe_removed", &["trait_method_unsafe_removed"]),
    ("function_abi_changed", &["function_changed_abi", "exported_function_changed_abi"]),
    ("method_abi_changed", &["inherent_method_changed_abi"]),
    ("trait_method_abi_changed", &["trait_method_changed_abi"]),
    ("trait_method_default_removed", &["trait_method_default_impl_removed"]),
    ("struct_marked_non_exhaustive", &["struct_marked_non_exhaustive"]),
    ("struct_no_longer_non_exhaustive", &["struct_no_longer_non_exhaustive"]),
    ("struct_now_has_private_fields", &["constructible_struct_adds_private_field"]),
    ("struct_no_longer_has_private_fields", &["struct_no_longer_has_non_pub_fields"]),
    (
        "struct_kind_changed",
        &[
            "unit_struct_changed_kind",
            "tuple_struct_to_plain_struct",
            "constructible_struct_changed_type",
        ],
    ),
    (
        "struct_generic_params_changed",
        &[
            "type_requires_more_generic_type_params",
            "type_allows_fewer_generic_type_params",
            "type_requires_more_const_generic_params",
            "type_allows_fewer_const_generic_params",
            "type_generic_type_reordered",
            "type_const_generic_reordered",
            "type_mismatched_generic_lifetimes",
        ],
    ),
    (
        "enum_generic_params_changed",
        &[
            "type_requires_more_generic_type_params",
            "type_allows_fewer_generic_type_params",
            "type_requires_more_const_generic_params",
            "type_allows_fewer_const_generic_params",
            "type_generic_type_reordered",
            "type_const_generic_reordered",
            "type_mismatched_generic_lifetimes",
        ],
    ),
    (
        "union_generic_params_changed",
        &[
            "type_requires_more_generic_type_params",
            "type_allows_fewer_generic_type_params",
            "type_requires_more_const_generic_params",
            "type_allows_fewer_const_generic_params",
            "type_generic_type_reordered",
            "type_const_generic_reordered",
            "type_mismatched_generic_lifetimes",
        ],
    ),
    (
        "type_alias_generic_params_changed",
        &[
            "type_requires_more_generic_type_params",
            "type_allows_fewer_generic_type_params",
            "type_requires_more_const_generic_params",
            "type_allows_fewer_const_generic_params",
            "type_generic_type_reordered",
            "type_const_generic_reordered",
            "type_mismatched_generic_lifetimes",
        ],
    ),
    ("enum_marked_non_exhaustive", &["enum_marked_non_exhaustive"]),
    ("enum_no_longer_non_exhaustive", &["enum_no_longer_non_exhaustive"]),
    (
        "enum_variant_changed_kind",
        &[
            "enum_tuple_variant_changed_kind",
            "enum_struct_variant_changed_kind",
            "enum_unit_variant_changed_kind",
        ],
    ),
    (
        "enum_variant_fields_changed",
        &[
            "enum_struct_variant_field_added",
            "enum_tuple_variant_field_added",
            "enum_struct_variant_field_missing",
            "enum_tuple_variant_field_missing",
            "enum_non_exhaustive_struct_variant_field_added",
            "enum_non_exhaustive_tuple_variant_field_added",
        ],
    ),
    ("enum_variant_marked_non_exhaustive", &["enum_variant_marked_non_exhaustive"]),
    ("enum_variant_no_longer_non_exhaustive", &["enum_variant_no_longer_non_exhaustive"]),
    ("trait_supertrait_added", &["trait_added_supertrait"]),
    ("trait_supertrait_removed", &["trait_removed_supertrait"]),
    ("trait_unsafe_added", &["trait_unsafe_added"]),
    ("trait_unsafe_removed", &["trait_unsafe_removed"]),
    ("trait_newly_sealed", &["trait_newly_sealed"]),
    ("trait_no_longer_sealed", &["unconditionally_sealed_trait_became_unsealed"]),
    ("trait_no_longer_dyn_compatible", &["trait_no_longer_dyn_compatible"]),
    (
        "trait_generic_params_changed",
        &[
            "trait_requires_more_generic_type_params",
            "trait_allows_fewer_generic_type_params",
            "trait_requires_more_const_generic_params",
            "trait_allows_fewer_const_generic_params",
            "trait_generic_type_reordered",
            "trait_const_generic_reordered",
            "trait_mismatched_generic_lifetimes",
        ],
    ),
    ("trait_associated_type_default_removed", &["trait_associated_type_default_removed"]),
    ("trait_associated_const_default_removed", &["trait_associated_const_default_removed"]),
    ("static_now_mutable", &["pub_static_now_mutable"]),
    ("static_mut_now_immutable", &["pub_static_mut_now_immutable"]),
    ("static_became_unsafe", &["static_became_unsafe"]),
    ("derive_helper_attr_removed", &["derive_helper_attr_removed"]),
    ("function_now_doc_hidden", &["function_now_doc_hidden"]),
    ("method_now_doc_hidden", &["inherent_method_now_doc_hidden"]),
    ("trait_method_now_doc_hidden", &["trait_method_now_doc_hidden"]),
    ("struct_now_doc_hidden", &["struct_now_doc_hidden"]),
    ("struct_field_now_doc_hidden", &["struct_pub_field_now_doc_hidden"]),
    ("union_field_now_doc_hidden", &["union_pub_field_now_doc_hidden"]),
    ("enum_now_doc_hidden", &["enum_now_doc_hidden"]),
    ("union_now_doc_hidden", &["union_now_doc_hidden"]),
    ("trait_now_doc_hidden", &["trait_now_doc_hidden"]),
    ("trait_associated_type_now_doc_hidden", &["trait_associated_type_now_doc_hidden"]),
    (
        "associated_const_now_doc_hidden",
        &[
            "trait_associated_const_now_doc_hidden",
            "inherent_associated_const_now_doc_hidden",
        ],
    ),
    ("const_now_doc_hidden", &["pub_module_level_const_now_doc_hidden"]),
    ("static_now_doc_hidden", &["pub_static_now_doc_hidden"]),
    ("macro_now_doc_hidden", &["macro_now_doc_hidden", "proc_macro_now_doc_hidden"]),
];

/// The cargo-semver-checks lints that report the same break as the model rule `id`.
pub fn equivalent_lints(id: &str) -> &'static [&'static str] {
    EQUIVALENT_LINTS.iter().find(|(rule, _)| *rule == id).map(|(_, lints)| *lints).unwrap_or(&[])
}

/// Bounds the standard library's blanket impls derive from others: every type that meets the
/// first meets the second (`impl<I: Iterator> IntoIterator for I`), with the associated types
/// named here equal.
const IMPLIED_BOUNDS: &[(&str, &str, &[&str])] = &[(
    "core::iter::traits::iterator::Iterator",
    "core::iter::traits::collect::IntoIterator",
    &["Item"],
)];

/// Every trait a predicate names, anywhere in it (bounds, projections, nested arguments).
fn traits_in(predicate: &Predicate) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(path) = map.get("trait_").and_then(|t| t.get("path")).and_then(|p| p.as_str()) {
                    out.push(path.to_string());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(values) => values.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::to_value(predicate) {
        walk(&value, &mut out);
    }
    out
}

/// Whether `predicate` holds wherever one of `old` holds: `X: Trait` where the baseline had
/// `X: Trait<Assoc = Y>` (the same trait with more constraints), or through [`IMPLIED_BOUNDS`].
fn implied_by(predicate: &Predicate, old: &[Predicate]) -> bool {
    let Predicate::Bound { ty, bound: Bound::Trait { trait_, modifier, .. }, .. } = predicate else { return false };
    let without_constraints = |path: &TyPath| match path.args.as_deref() {
        Some(crate::model::ty::GenericArgs::Angle { args, .. }) if args.is_empty() => TyPath { path: path.path.clone(), args: None },
        Some(crate::model::ty::GenericArgs::Angle { args, .. }) => TyPath {
            path: path.path.clone(),
            args: Some(Box::new(crate::model::ty::GenericArgs::Angle { args: args.clone(), constraints: Vec::new() })),
        },
        _ => path.clone(),
    };
    let weaker_than_old = old.iter().any(|p| {
        matches!(p, Predicate::Bound { ty: old_ty, bound: Bound::Trait { trait_: old_trait, modifier: old_modifier, .. }, .. }
            if old_ty == ty && old_modifier == modifier && old_trait != trait_ && without_constraints(old_trait) == *trait_)
    });
    if weaker_than_old {
        return true;
    }
    if trait_.args.is_some() {
        return false;
    }
    IMPLIED_BOUNDS.iter().any(|(from, to, _)| {
        trait_.path == *to
            && old.iter().any(|p| matches!(p, Predicate::Bound { ty: old_ty, bound: Bound::Trait { trait_: old_trait, .. }, .. } if old_ty == ty && old_trait.path == *from))
    })
}

/// `new` with each `<X as IntoIterator>::Item` read as `<X as Iterator>::Item` where `old`'s
/// predicates make `X` an iterator ([`IMPLIED_BOUNDS`]): the same type to every old caller.
fn as_old_projections(new: &Ty, old: &Generics) -> Ty {
    new.map_projections(&|self_ty, trait_, name| {
        IMPLIED_BOUNDS.iter().find_map(|(from, to, same)| {
            if !same.contains(&name) {
                return None;
            }
            let bounded = old.predicates.iter().any(|p| matches!(p, Predicate::Bound { ty, bound: Bound::Trait { trait_: t, .. }, .. } if ty == self_ty && t.path == *from));
            (trait_.path == *to && bounded).then(|| TyPath { path: from.to_string(), args: trait_.args.clone() })
        })
    })
}

/// Whether a bound names something users of `model` can name: a trait of another crate, or a
/// public trait of this crate (not one reached only as an unnameable type's).
fn nameable(model: &BTreeMap<&str, &ApiItem>, bound: &Bound) -> bool {
    let Some(path) = bound.trait_path() else { return true };
    let crate_name = model.values().next().map(|item| item.path.split("::").next().unwrap_or_default()).unwrap_or_default();
    let local = path.split("::").next() == Some(crate_name);
    !local || model.get(format!("trait {path}").as_str()).is_some_and(|item| !item.unnameable)
}

/// Whether a removed `impl Into<X> for T` still holds through the standard library's blanket
/// `impl<T, U: From<T>> Into<U> for T`, because `new` has `impl From<T> for X`.
fn into_through_from(item: &ApiItem, new: &BTreeMap<&str, &ApiItem>) -> bool {
    let Detail::Impl { trait_path, self_ty, negative: false, .. } = &item.detail else { return false };
    if trait_path.path != "core::convert::Into" {
        return false;
    }
    let Some(crate::model::ty::GenericArgs::Angle { args, .. }) = trait_path.args.as_deref() else { return false };
    let [crate::model::ty::GenericArg::Type(target)] = args.as_slice() else { return false };
    new.values().any(|candidate| match &candidate.detail {
        Detail::Impl { trait_path: from, self_ty: from_self, negative: false, .. } if from.path == "core::convert::From" && from_self == target => {
            matches!(from.args.as_deref(), Some(crate::model::ty::GenericArgs::Angle { args, .. })
                if matches!(args.as_slice(), [crate::model::ty::GenericArg::Type(source)] if source == self_ty))
        }
        _ => false,
    })
}

/// The method of `new` that generalizes `old`, a method of an impl for one instantiation of its
/// type: same path, in an impl whose self type covers `old`'s. The new impl's bounds are not
/// checked against the old instantiation (that needs the trait solver).
fn generalizing_method<'a>(old: &ApiItem, new: &BTreeMap<&str, &'a ApiItem>) -> Option<&'a ApiItem> {
    let Detail::Function { impl_self: Some(old_self), .. } = &old.detail else { return None };
    let candidate = new.get(format!("{} {}", old.kind.id_part(), old.path).as_str())?;
    match &candidate.detail {
        Detail::Function { impl_self: Some(new_self), .. } if new_self != old_self && new_self.covers(old_self) => Some(candidate),
        _ => None,
    }
}

/// Blanket impls follow from a type's other impls, which are diffed themselves.
fn is_blanket(item: &ApiItem) -> bool {
    matches!(item.detail, Detail::Impl { blanket: true, .. })
}

/// Struct-like items whose members are listed under their path.
fn is_owner(kind: ItemKind) -> bool {
    matches!(kind, ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Trait)
}

/// The path of the item that owns a member (the struct of a field, the type of an impl).
fn owner_path(item: &ApiItem) -> Option<&str> {
    match item.kind {
        ItemKind::Impl => Some(item.path.as_str()),
        ItemKind::Field | ItemKind::Variant | ItemKind::Method | ItemKind::TraitMethod | ItemKind::AssocType | ItemKind::AssocConst => {
            item.path.rsplit_once("::").map(|(owner, _)| owner)
        }
        _ => None,
    }
}

/// Whether the item is a member of one of `owners` (reported with its owner, not alone).
fn member_of(item: &ApiItem, owners: &BTreeSet<&str>) -> bool {
    owner_path(item).is_some_and(|owner| owners.contains(owner))
}

struct Differ<'a> {
    old: &'a BTreeMap<&'a str, &'a ApiItem>,
    new: &'a BTreeMap<&'a str, &'a ApiItem>,
    findings: Vec<Finding>,
}

impl Differ<'_> {
    fn finding(&mut self, id: String, change: Change, bump: Bump, item: &ApiItem, message: String) -> &mut Finding {
        // Synthesised impls have no location of their own: point at the type.
        let span = item.span.as_ref().or_else(|| {
            let owner = owner_path(item)?;
            let in_baseline = change == Change::Removed;
            let owner = if in_baseline { self.old_owner(owner) } else { self.new_owner(owner) };
            owner?.span.as_ref()
        });
        let (file, line) = (span.map(|s| s.file.clone()), span.map(|s| s.line));
        self.findings.push(Finding {
            id,
            change,
            required_bump: bump,
            level: Level::Deny,
            path: item.path.clone(),
            message,
            file,
            line,
            source: Source::Apicheck,
            lint: None,
            reference: None,
            old: None,
            new: None,
            acknowledged: None,
            subject: match &item.detail {
                Detail::Impl { trait_path, .. } => Some(trait_name(&trait_path.path)),
                _ => None,
            },
        });
        self.findings.last_mut().expect("a finding was just pushed")
    }

    fn removed(&mut self, item: &ApiItem) {
        let id = format!("{}_removed", self.rule_prefix(item, true));
        let what = describe(item);
        let message = match &item.alias_of {
            Some(canonical) => format!("{what} is no longer reachable at this path (it was a re-export of `{canonical}`)"),
            None => format!("{what} was removed"),
        };
        self.finding(id, Change::Removed, Bump::Major, item, message).old = Some(item.signature.clone());
    }

    fn generalized(&mut self, old: &ApiItem, new: &ApiItem) {
        let (Detail::Function { impl_self: Some(from), .. }, Detail::Function { impl_self: Some(to), .. }) = (&old.detail, &new.detail) else { return };
        let message = format!("{} moved from `impl {from}` to the more general `impl {to}`, which covers it", describe(new));
        self.change(new, old, format!("{}_impl_generalized", self.rule_prefix(new, false)), Bump::Minor, message);
    }

    fn added(&mut self, item: &ApiItem) {
        let (bump, why) = self.addition_bump(item);
        let id = format!("{}_added", self.rule_prefix(item, false));
        let message = match &item.alias_of {
            Some(canonical) => format!("{} is now also reachable at this path (a re-export of `{canonical}`){why}", describe(item)),
            None => format!("{} was added{why}", describe(item)),
        };
        self.finding(id, Change::Added, bump, item, message).new = Some(item.signature.clone());
    }

    /// Additions are minor, except those that break existing code.
    fn addition_bump(&self, item: &ApiItem) -> (Bump, &'static str) {
        let owner = owner_path(item).and_then(|owner| self.old_owner(owner));
        match (&item.detail, owner.map(|o| &o.detail)) {
            (Detail::Field { .. }, Some(Detail::Struct { private_fields: false, non_exhaustive: false, .. })) => {
                (Bump::Major, ": the struct could be built with a literal, which must now name this field")
            }
            (Detail::Field { .. }, Some(Detail::Union { private_fields: false, .. })) => {
                (Bump::Major, ": the union had only public fields, so code could match it exhaustively")
            }
            (Detail::Variant { .. }, Some(Detail::Enum { non_exhaustive: false, .. })) => {
                (Bump::Major, ": the enum is exhaustive, so matches on it no longer compile")
            }
            (Detail::Function { has_default: Some(false), .. }, Some(Detail::Trait { sealed: false, .. })) => {
                (Bump::Major, " without a default body: every implementation must now provide it")
            }
            (Detail::AssocType { .. }, Some(Detail::Trait { sealed: false, .. })) => {
                (Bump::Major, ": every implementation must now define it")
            }
            (Detail::AssocConst { has_default: false, .. }, Some(Detail::Trait { sealed: false, .. })) => {
                (Bump::Major, " without a default: every implementation must now define it")
            }
            _ => (Bump::Minor, ""),
        }
    }

    fn old_owner(&self, owner: &str) -> Option<&ApiItem> {
        ["struct", "enum", "union", "trait"]
            .iter()
            .find_map(|kind| self.old.get(format!("{kind} {owner}").as_str()).copied())
    }

    fn new_owner(&self, owner: &str) -> Option<&ApiItem> {
        ["struct", "enum", "union", "trait"]
            .iter()
            .find_map(|kind| self.new.get(format!("{kind} {owner}").as_str()).copied())
    }

    /// `function`, `method`, `struct_field`, `auto_trait_impl`...: the first part of rule ids.
    fn rule_prefix(&self, item: &ApiItem, in_baseline: bool) -> String {
        match (&item.detail, item.kind) {
            (Detail::Impl { auto: true, .. }, _) => "auto_trait_impl".to_string(),
            (Detail::Field { .. }, _) => {
                let owner = owner_path(item).and_then(|o| if in_baseline { self.old_owner(o) } else { self.new_owner(o) });
                match owner.map(|o| o.kind) {
                    Some(ItemKind::Union) => "union_field".to_string(),
                    _ => "struct_field".to_string(),
                }
            }
            (Detail::Macro { .. }, _) => "macro".to_string(),
            _ => item.kind.id_part().to_string(),
        }
    }

    fn sealed_owner(&self, item: &ApiItem) -> bool {
        owner_path(item)
            .and_then(|owner| self.old_owner(owner))
            .is_some_and(|owner| matches!(owner.detail, Detail::Trait { sealed: true, .. }))
    }

    fn changed(&mut self, old: &ApiItem, new: &ApiItem) {
        let before = self.findings.len();
        let prefix = self.rule_prefix(new, false);
        if !old.hidden && new.hidden {
            self.change(new, old, format!("{prefix}_now_doc_hidden"), Bump::Major, format!("{} is now #[doc(hidden)]: it is no longer public API", describe(new)));
        }
        if old.hidden || new.hidden {
            return;
        }
        match (&old.detail, &new.detail) {
            (
                Detail::Function { qualifiers: oq, generics: og, inputs: oi, has_receiver: or, output: oo, variadic: ov, has_default: od, .. },
                Detail::Function { qualifiers: nq, generics: ng, inputs: ni, has_receiver: nr, output: no, variadic: nv, has_default: nd, .. },
            ) => {
                self.qualifiers(old, new, &prefix, oq, nq);
                if ov != nv {
                    self.change(new, old, format!("{prefix}_variadic_changed"), Bump::Major, format!("{} changed whether it is variadic", describe(new)));
                }
                let ni: Vec<Ty> = ni.iter().map(|t| as_old_projections(t, og)).collect();
                let no = &as_old_projections(no, og);
                self.inputs(old, new, &prefix, (oi, *or), (&ni, *nr));
                if oo != no {
                    self.change(new, old, format!("{prefix}_return_type_changed"), Bump::Major, format!("{} now returns `{no}` instead of `{oo}`", describe(new)));
                }
                let trait_sealed = self.sealed_owner(new);
                self.generics(old, new, &prefix, og, ng, new.kind == ItemKind::TraitMethod && !trait_sealed);
                match (od, nd) {
                    (Some(true), Some(false)) if !trait_sealed => {
                        self.change(new, old, "trait_method_default_removed".into(), Bump::Major, format!("{} lost its default body: every implementation must now provide it", describe(new)));
                    }
                    (Some(false), Some(true)) => {
                        self.change(new, old, "trait_method_default_added".into(), Bump::Minor, format!("{} now has a default body", describe(new)));
                    }
                    _ => {}
                }
            }
            (Detail::Struct { shape: os, generics: og, private_fields: op, non_exhaustive: on }, Detail::Struct { shape: ns, generics: ng, private_fields: np, non_exhaustive: nn }) => {
                let was_constructible = !op && !on;
                // Private fields already keep other crates from building or exhaustively
                // matching the struct: `#[non_exhaustive]` takes nothing more away.
                if !(*op && *np) {
                    self.non_exhaustive(old, new, &prefix, *on, *nn);
                }
                if os != ns {
                    let bump = if *op && *np && *os != crate::model::StructShape::Tuple { Bump::Minor } else { Bump::Major };
                    self.change(new, old, "struct_kind_changed".into(), bump, format!("{} changed from a {} struct to a {} struct", describe(new), shape_name(*os), shape_name(*ns)));
                }
                if !op && *np {
                    let bump = if was_constructible { Bump::Major } else { Bump::Minor };
                    self.change(new, old, "struct_now_has_private_fields".into(), bump, format!("{} now has private fields, so it can no longer be built with a literal", describe(new)));
                } else if *op && !np {
                    self.change(new, old, "struct_no_longer_has_private_fields".into(), Bump::Minor, format!("{} no longer has private fields", describe(new)));
                }
                self.generics(old, new, &prefix, og, ng, false);
            }
            (Detail::Field { ty: ot }, Detail::Field { ty: nt }) if ot != nt => {
                // `pub u8` → `pub T` where the struct gained `T = u8`: the same type to every
                // existing use (the Cargo book's generalizing with a default).
                let defaulted = self.new_defaulted_params(new);
                let as_before = nt.substitute(&|name| defaulted.get(name).cloned());
                if as_before != *ot {
                    self.change(new, old, format!("{prefix}_type_changed"), Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
            }
            (Detail::Enum { generics: og, non_exhaustive: on }, Detail::Enum { generics: ng, non_exhaustive: nn }) => {
                self.non_exhaustive(old, new, &prefix, *on, *nn);
                self.generics(old, new, &prefix, og, ng, false);
            }
            (Detail::Variant { shape: os, fields: of, non_exhaustive: on }, Detail::Variant { shape: ns, fields: nf, non_exhaustive: nn }) => {
                self.non_exhaustive(old, new, &prefix, *on, *nn);
                if os != ns {
                    self.change(new, old, "enum_variant_changed_kind".into(), Bump::Major, format!("{} changed from a {} variant to a {} variant", describe(new), shape_name(*os), shape_name(*ns)));
                } else if of != nf {
                    let only_additions = of.iter().all(|f| nf.contains(f));
                    let bump = if only_additions && *on && *nn { Bump::Minor } else { Bump::Major };
                    self.change(new, old, "enum_variant_fields_changed".into(), bump, format!("{} changed its fields from ({}) to ({})", describe(new), show_fields(of), show_fields(nf)));
                }
            }
            (Detail::Union { generics: og, private_fields: op }, Detail::Union { generics: ng, private_fields: np }) => {
                if !op && *np {
                    self.change(new, old, "union_now_has_private_fields".into(), Bump::Major, format!("{} now has private fields", describe(new)));
                }
                self.generics(old, new, &prefix, og, ng, false);
            }
            (
                Detail::Trait { generics: og, supertraits: osup, is_unsafe: ou, sealed: os, dyn_compatible: od },
                Detail::Trait { generics: ng, supertraits: nsup, is_unsafe: nu, sealed: ns, dyn_compatible: nd },
            ) => {
                let added: Vec<&Bound> = nsup.iter().filter(|s| !osup.contains(s)).collect();
                // A supertrait users cannot name (a seal) is nothing they could rely on.
                let removed: Vec<&Bound> = osup.iter().filter(|s| !nsup.contains(s) && self.nameable_in_old(s)).collect();
                if !added.is_empty() {
                    let bump = if *os { Bump::Minor } else { Bump::Major };
                    self.change(new, old, "trait_supertrait_added".into(), bump, format!("{} now requires `{}`: existing implementations may not satisfy it", describe(new), join_ticks(&added)));
                }
                if !removed.is_empty() {
                    self.change(new, old, "trait_supertrait_removed".into(), Bump::Major, format!("{} no longer implies `{}`, which users may rely on", describe(new), join_ticks(&removed)));
                }
                if ou != nu {
                    let id = if *nu { "trait_unsafe_added" } else { "trait_unsafe_removed" };
                    self.change(new, old, id.into(), Bump::Major, format!("{} {} an unsafe trait", describe(new), if *nu { "became" } else { "is no longer" }));
                }
                if !os && *ns {
                    self.change(new, old, "trait_newly_sealed".into(), Bump::Major, format!("{} is now sealed: downstream crates can no longer implement it", describe(new)));
                } else if *os && !ns {
                    self.change(new, old, "trait_no_longer_sealed".into(), Bump::Minor, format!("{} is no longer sealed: downstream crates can now implement it", describe(new)));
                }
                if *od && !nd {
                    self.change(new, old, "trait_no_longer_dyn_compatible".into(), Bump::Major, format!("{} is no longer dyn compatible: `dyn` uses of it break", describe(new)));
                }
                self.generics(old, new, &prefix, og, ng, !os);
            }
            (Detail::AssocType { bounds: ob, default: od }, Detail::AssocType { bounds: nb, default: nd }) => {
                if ob != nb {
                    let bump = if self.sealed_owner(new) && ob.iter().all(|b| nb.contains(b)) { Bump::Minor } else { Bump::Major };
                    self.change(new, old, "trait_associated_type_bounds_changed".into(), bump, format!("{} changed its bounds from `{}` to `{}`", describe(new), JoinBounds(ob), JoinBounds(nb)));
                }
                if od.is_some() && nd.is_none() {
                    self.change(new, old, "trait_associated_type_default_removed".into(), Bump::Major, format!("{} lost its default", describe(new)));
                }
            }
            (Detail::AssocConst { ty: ot, has_default: od }, Detail::AssocConst { ty: nt, has_default: nd }) => {
                if ot != nt {
                    self.change(new, old, "associated_const_type_changed".into(), Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
                if *od && !nd && !self.sealed_owner(new) {
                    self.change(new, old, "trait_associated_const_default_removed".into(), Bump::Major, format!("{} lost its default: every implementation must now define it", describe(new)));
                }
            }
            (Detail::Impl { blanket: true, .. }, _) | (_, Detail::Impl { blanket: true, .. }) => {}
            (Detail::Impl { generics: og, negative: on, auto, .. }, Detail::Impl { generics: ng, negative: nn, .. }) => {
                let prefix = if *auto { "auto_trait_impl" } else { "trait_impl" };
                if !on && *nn {
                    self.change(new, old, format!("{prefix}_removed"), Bump::Major, format!("{} no longer holds", describe(old)));
                } else if *on && !nn {
                    self.change(new, old, format!("{prefix}_added"), Bump::Minor, format!("{} now holds", describe(new)));
                }
                if !on && !nn {
                    self.generics(old, new, prefix, og, ng, false);
                }
            }
            (Detail::Const { ty: ot }, Detail::Const { ty: nt }) if ot != nt => {
                self.change(new, old, "const_type_changed".into(), Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
            }
            (Detail::Static { ty: ot, mutable: om, is_unsafe: ou }, Detail::Static { ty: nt, mutable: nm, is_unsafe: nu }) => {
                if ot != nt {
                    self.change(new, old, "static_type_changed".into(), Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
                if !om && *nm {
                    self.change(new, old, "static_now_mutable".into(), Bump::Major, format!("{} is now `static mut`: reading it needs `unsafe`", describe(new)));
                } else if *om && !nm {
                    self.change(new, old, "static_mut_now_immutable".into(), Bump::Major, format!("{} is no longer mutable: writes to it break", describe(new)));
                }
                if !ou && *nu {
                    self.change(new, old, "static_became_unsafe".into(), Bump::Major, format!("{} now needs `unsafe` to use", describe(new)));
                }
            }
            (Detail::TypeAlias { generics: og, target: ot, opaque_target: oo }, Detail::TypeAlias { generics: ng, target: nt, opaque_target: no }) => {
                // The public name of a type users cannot name: what they can do with it is
                // compared at the type's own items; its hidden arguments are not theirs to see.
                let same_opaque_type = *oo && *no && matches!((ot, nt), (Ty::Path(a), Ty::Path(b)) if a.path == b.path);
                if ot != nt && !same_opaque_type {
                    self.change(new, old, "type_alias_target_changed".into(), Bump::Major, format!("{} now stands for `{nt}` instead of `{ot}`", describe(new)));
                }
                self.generics(old, new, &prefix, og, ng, false);
            }
            (Detail::Macro { macro_kind: ok, helpers: oh, arms: oa }, Detail::Macro { macro_kind: nk, helpers: nh, arms: na }) => {
                if ok != nk {
                    self.change(new, old, "macro_kind_changed".into(), Bump::Major, format!("{} changed kind", describe(new)));
                }
                // An arm is lost when some input it accepted no arm accepts now; arms that
                // start with an `@marker` are the macro's internal helpers.
                let lost: Vec<&String> = oa
                    .iter()
                    .filter(|arm| !na.contains(arm) && !macro_rules::is_internal(arm) && !macro_rules::covered(arm, na))
                    .collect();
                let gained: Vec<&String> = na
                    .iter()
                    .filter(|arm| !oa.contains(arm) && !macro_rules::is_internal(arm) && !macro_rules::covered(arm, oa))
                    .collect();
                let shown = |arms: &[&String]| arms.iter().map(|arm| macro_rules::display(arm)).collect::<Vec<_>>();
                if !lost.is_empty() {
                    self.change(new, old, "macro_arm_removed".into(), Bump::Major, format!("{} no longer accepts `{}`: invocations that matched it break", describe(new), join_ticks(&shown(&lost))));
                } else if !gained.is_empty() {
                    self.change(new, old, "macro_arm_added".into(), Bump::Minor, format!("{} now also accepts `{}`", describe(new), join_ticks(&shown(&gained))));
                }
                let removed: Vec<&String> = oh.iter().filter(|h| !nh.contains(h)).collect();
                if !removed.is_empty() {
                    self.change(new, old, "derive_helper_attr_removed".into(), Bump::Major, format!("{} no longer accepts the helper attribute `{}`", describe(new), join_ticks(&removed)));
                } else if oh != nh {
                    self.change(new, old, "derive_helper_attr_added".into(), Bump::Minor, format!("{} accepts new helper attributes", describe(new)));
                }
            }
            (Detail::ExternReexport { target: ot }, Detail::ExternReexport { target: nt }) if ot != nt => {
                self.change(new, old, "reexport_target_changed".into(), Bump::Major, format!("{} now re-exports `{nt}` instead of `{ot}`", describe(new)));
            }
            _ => {}
        }
        if old.hidden && !new.hidden && self.findings.len() == before {
            self.change(new, old, format!("{prefix}_no_longer_doc_hidden"), Bump::Minor, format!("{} is no longer #[doc(hidden)]", describe(new)));
        }
    }

    fn change(&mut self, new: &ApiItem, old: &ApiItem, id: String, bump: Bump, message: String) {
        let finding = self.finding(id, Change::Changed, bump, new, message);
        finding.old = Some(old.signature.clone());
        finding.new = Some(new.signature.clone());
    }

    fn qualifiers(&mut self, old: &ApiItem, new: &ApiItem, prefix: &str, o: &Qualifiers, n: &Qualifiers) {
        let what = describe(new);
        if o.is_const && !n.is_const {
            self.change(new, old, format!("{prefix}_const_removed"), Bump::Major, format!("{what} is no longer `const`: const contexts that call it break"));
        } else if !o.is_const && n.is_const {
            self.change(new, old, format!("{prefix}_now_const"), Bump::Minor, format!("{what} is now `const`"));
        }
        if !o.is_unsafe && n.is_unsafe {
            self.change(new, old, format!("{prefix}_unsafe_added"), Bump::Major, format!("{what} is now `unsafe`: callers need an unsafe block"));
        } else if o.is_unsafe && !n.is_unsafe {
            let bump = if new.kind == ItemKind::TraitMethod { Bump::Major } else { Bump::Minor };
            self.change(new, old, format!("{prefix}_unsafe_removed"), bump, format!("{what} is no longer `unsafe`"));
        }
        if o.is_async != n.is_async {
            let now = if n.is_async { "is now `async`" } else { "is no longer `async`" };
            self.change(new, old, format!("{prefix}_async_changed"), Bump::Major, format!("{what} {now}: its return type changed"));
        }
        if o.abi != n.abi {
            let abi = |a: &Option<String>| a.clone().unwrap_or_else(|| "Rust".to_string());
            self.change(new, old, format!("{prefix}_abi_changed"), Bump::Major, format!("{what} changed ABI from \"{}\" to \"{}\"", abi(&o.abi), abi(&n.abi)));
        }
    }

    fn inputs(&mut self, old: &ApiItem, new: &ApiItem, prefix: &str, (o, o_receiver): (&[Ty], bool), (n, n_receiver): (&[Ty], bool)) {
        let what = describe(new);
        if o.len() != n.len() {
            self.change(new, old, format!("{prefix}_parameter_count_changed"), Bump::Major, format!("{what} now takes {} parameters instead of {}", n.len(), o.len()));
            return;
        }
        let mut changed = Vec::new();
        let mut loosened = Vec::new();
        for (position, (before, after)) in o.iter().zip(n).enumerate() {
            if before == after {
                continue;
            }
            let is_receiver = position == 0 && (o_receiver || n_receiver);
            match (before, after) {
                _ if is_receiver => {
                    let (before, after) = (receiver_text(before, old), receiver_text(after, new));
                    self.change(new, old, format!("{prefix}_receiver_changed"), Bump::Major, format!("{what} now takes `{after}` instead of `{before}`"));
                }
                // `impl A + B` → `impl A`: every argument that satisfied the old bounds still does.
                (Ty::Impl(old_bounds), Ty::Impl(new_bounds)) if new_bounds.iter().all(|b| old_bounds.contains(b)) => {
                    loosened.push(format!("parameter {} from `{before}` to `{after}`", position + 1));
                }
                _ => changed.push(format!("parameter {} from `{before}` to `{after}`", position + 1)),
            }
        }
        if !changed.is_empty() {
            self.change(new, old, format!("{prefix}_parameter_type_changed"), Bump::Major, format!("{what} changed {}", changed.join(", ")));
        }
        if !loosened.is_empty() {
            let bump = if new.kind == ItemKind::TraitMethod && !self.sealed_owner(new) { Bump::Major } else { Bump::Minor };
            self.change(new, old, format!("{prefix}_parameter_bounds_loosened"), bump, format!("{what} loosened {}", loosened.join(", ")));
        }
    }

    /// Generic parameters and bounds. Callers see added bounds as a break and removed ones as
    /// compatible; when `implementors_see_it` (an unsealed trait's items), any change of bounds
    /// breaks implementations.
    fn generics(&mut self, old: &ApiItem, new: &ApiItem, prefix: &str, o: &Generics, n: &Generics, implementors_see_it: bool) {
        let what = describe(new);
        // A type users cannot name: they never write its parameters, and the bounds that only
        // traits they cannot name impose are the crate's own business.
        if new.unnameable && old.unnameable {
            if is_owner(new.kind) {
                return;
            }
            let nameable_bound = |bound: &Bound| self.nameable_in_old(bound) && self.nameable_in_new(bound);
            let visible = |g: &Generics| Generics {
                params: g.params.clone(),
                predicates: g
                    .predicates
                    .iter()
                    .filter(|p| traits_in(p).iter().all(|path| {
                        nameable_bound(&Bound::Trait { binder: Vec::new(), modifier: Default::default(), trait_: TyPath { path: path.clone(), args: None } })
                    }))
                    .cloned()
                    .collect(),
            };
            let (o, n) = (visible(o), visible(n));
            if o != n {
                self.generics_of_visible(old, new, prefix, &o, &n, implementors_see_it, &what);
            }
            return;
        }
        self.generics_of_visible(old, new, prefix, o, n, implementors_see_it, &what);
    }

    #[allow(clippy::too_many_arguments)]
    fn generics_of_visible(&mut self, old: &ApiItem, new: &ApiItem, prefix: &str, o: &Generics, n: &Generics, implementors_see_it: bool, what: &str) {
        let what = what.to_string();
        // An impl's own parameters are not API: they follow the implementing type's.
        let params_are_api = new.kind != ItemKind::Impl;
        if params_are_api && o.params != n.params {
            // A defaulted parameter added at the end means the same type or trait as before to
            // existing code (the Cargo book's "adding a defaulted type parameter").
            let only_defaulted_additions = n.params.len() > o.params.len()
                && n.params.starts_with(&o.params)
                && n.params[o.params.len()..].iter().all(|p| match &p.kind {
                    ParamKind::Type { default } => default.is_some(),
                    ParamKind::Const { default, .. } => default.is_some(),
                    ParamKind::Lifetime => false,
                });
            let bump = if only_defaulted_additions { Bump::Minor } else { Bump::Major };
            let show = |params: &[crate::model::ty::GenericParam]| params.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
            self.change(new, old, format!("{prefix}_generic_params_changed"), bump, format!("{what} changed its generic parameters from <{}> to <{}>", show(&o.params), show(&n.params)));
            if !only_defaulted_additions {
                return;
            }
        }
        // Bounds on a parameter that did not exist before constrain only code that names it
        // (existing code gets its default).
        let old_names: BTreeSet<&str> = o.params.iter().map(|p| p.name.as_str()).collect();
        let on_new_param = |p: &&crate::model::ty::Predicate| {
            p.subject_param().is_some_and(|subject| n.params.iter().any(|param| param.name == subject) && !old_names.contains(subject))
        };
        let added: Vec<_> = n
            .predicates
            .iter()
            .filter(|p| !o.predicates.contains(p))
            .filter(|p| !on_new_param(p))
            .filter(|p| !implied_by(p, &o.predicates))
            .collect();
        let removed: Vec<_> = o.predicates.iter().filter(|p| !n.predicates.contains(p)).collect();
        // `T: ?Sized` relaxes: adding it loosens, removing it tightens.
        let tightened: Vec<String> = added.iter().filter(|p| !p.relaxes()).chain(removed.iter().filter(|p| p.relaxes())).map(|p| p.to_string()).collect();
        let loosened: Vec<String> = removed.iter().filter(|p| !p.relaxes()).chain(added.iter().filter(|p| p.relaxes())).map(|p| p.to_string()).collect();
        if !tightened.is_empty() {
            self.change(new, old, format!("{prefix}_bounds_tightened"), Bump::Major, format!("{what} now requires `{}`", tightened.join("`, `")));
        }
        if !loosened.is_empty() {
            let bump = if implementors_see_it { Bump::Major } else { Bump::Minor };
            self.change(new, old, format!("{prefix}_bounds_loosened"), bump, format!("{what} no longer requires `{}`", loosened.join("`, `")));
        }
    }

    /// The parameters with a default that the owner of `item` (a field's struct) gained since
    /// the baseline, by name, with their defaults.
    fn new_defaulted_params(&self, item: &ApiItem) -> BTreeMap<String, Ty> {
        let owner_generics = |owner: Option<&ApiItem>| match owner.map(|o| &o.detail) {
            Some(Detail::Struct { generics, .. } | Detail::Enum { generics, .. } | Detail::Union { generics, .. }) => Some(generics.clone()),
            _ => None,
        };
        let Some(owner) = owner_path(item) else { return BTreeMap::new() };
        let (Some(old), Some(new)) = (owner_generics(self.old_owner(owner)), owner_generics(self.new_owner(owner))) else { return BTreeMap::new() };
        new.params
            .iter()
            .skip(old.params.len())
            .filter_map(|p| match &p.kind {
                ParamKind::Type { default: Some(default) } => Some((p.name.clone(), default.clone())),
                _ => None,
            })
            .collect()
    }

    /// Whether a bound names something users of the baseline could name: a trait of another
    /// crate, or one of this crate's public traits.
    fn nameable_in_old(&self, bound: &Bound) -> bool {
        nameable(self.old, bound)
    }

    fn nameable_in_new(&self, bound: &Bound) -> bool {
        nameable(self.new, bound)
    }

    fn non_exhaustive(&mut self, old: &ApiItem, new: &ApiItem, prefix: &str, o: bool, n: bool) {
        if !o && n {
            self.change(new, old, format!("{prefix}_marked_non_exhaustive"), Bump::Major, format!("{} is now #[non_exhaustive]", describe(new)));
        } else if o && !n {
            self.change(new, old, format!("{prefix}_no_longer_non_exhaustive"), Bump::Minor, format!("{} is no longer #[non_exhaustive]", describe(new)));
        }
    }
}

/// A receiver as written: `self`, `&self`, `&mut self` or `self: T`.
fn receiver_text(ty: &Ty, method: &ApiItem) -> String {
    let self_ty = match &method.detail {
        Detail::Function { impl_self: Some(self_ty), .. } => self_ty.clone(),
        _ => Ty::Param("Self".to_string()),
    };
    match ty {
        ty if *ty == self_ty => "self".to_string(),
        Ty::Ref { mutable, inner, .. } if **inner == self_ty => format!("&{}self", if *mutable { "mut " } else { "" }),
        other => format!("self: {other}"),
    }
}

fn show_fields(fields: &[VariantField]) -> String {
    fields.iter().map(|f| format!("{}: {}", f.name, f.ty)).collect::<Vec<_>>().join(", ")
}

fn shape_name(shape: crate::model::StructShape) -> &'static str {
    match shape {
        crate::model::StructShape::Unit => "unit",
        crate::model::StructShape::Tuple => "tuple",
        crate::model::StructShape::Plain => "plain",
    }
}

fn join_ticks<T: std::fmt::Display>(parts: &[T]) -> String {
    parts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("`, `")
}

/// The last path segment of a trait path, without generic arguments (`Send`).
fn trait_name(trait_path: &str) -> String {
    let base = trait_path.split('<').next().unwrap_or(trait_path);
    base.rsplit("::").next().unwrap_or(base).to_string()
}

/// "function `core_utils::slug::slugify`", "impl `Clone for Config`".
fn describe(item: &ApiItem) -> String {
    match &item.detail {
        Detail::Impl { trait_path, auto, .. } => {
            let kind = if *auto { "auto trait impl" } else { "trait impl" };
            let for_type = item.key.rsplit_once(" for ").map(|(_, ty)| ty).unwrap_or(&item.path);
            format!("{kind} `{} for {for_type}`", trait_name(&trait_path.path))
        }
        // A member of an impl for one instantiation: which one is part of what it is.
        Detail::Function { impl_self: Some(self_ty), .. } if item.key.ends_with(&format!(" for {self_ty}")) => {
            format!("{} `{}` of `impl {self_ty}`", item.kind.noun(), item.path)
        }
        _ => format!("{} `{}`", item.kind.noun(), item.path),
    }
}

/// The current model, with the canonical paths of moved items mapped back to the baseline's
/// where the item is still reachable at its baseline path.
fn map_moved_paths(baseline: &ApiModel, current: &ApiModel) -> ApiModel {
    let old_paths = path_sets(baseline);
    let new_paths = path_sets(current);
    let mut old_canonical_of: HashMap<&str, &str> = HashMap::new();
    for (canonical, paths) in &old_paths {
        for path in paths {
            old_canonical_of.insert(path, canonical);
        }
    }
    let mut renames: Vec<(String, String)> = Vec::new();
    for (canonical, paths) in &new_paths {
        if old_paths.contains_key(canonical) {
            continue;
        }
        if let Some(old_canonical) = paths.iter().find_map(|p| old_canonical_of.get(p)) {
            renames.push((canonical.to_string(), old_canonical.to_string()));
        }
    }
    if renames.is_empty() {
        return current.clone();
    }
    // Longest first, so that `a::b::C` is not half-rewritten by a rename of `a::b`.
    renames.sort_by(|a, b| b.0.len().cmp(&a.0.len()));
    // The new canonical path stays a path of the item: an alias of the old one.
    let new_paths: Vec<ApiItem> = current
        .items
        .iter()
        .filter(|item| item.alias_of.is_none() && (is_owner(item.kind) || item.kind == ItemKind::TypeAlias))
        .filter_map(|item| {
            let (_, to) = renames.iter().find(|(from, _)| *from == item.path)?;
            let mut alias = item.clone();
            alias.alias_of = Some(to.clone());
            Some(alias)
        })
        .collect();
    let mut mapped = current.clone();
    for item in &mut mapped.items {
        // Most items mention no moved path: a text search over their serialized form is much
        // cheaper than rewriting them as JSON values.
        let text = serde_json::to_string(&*item).expect("a model item always serializes");
        if !renames.iter().any(|(from, _)| text.contains(from.as_str())) {
            continue;
        }
        let mut value: serde_json::Value = serde_json::from_str(&text).expect("a model item's JSON parses back");
        rewrite_strings(&mut value, &renames);
        *item = serde_json::from_value(value).expect("rewriting paths keeps a model item's shape");
        if item.alias_of.as_deref() == Some(item.path.as_str()) {
            item.alias_of = None;
        }
    }
    mapped.items.retain(|item| item.alias_of.is_none() || !renames.iter().any(|(_, to)| Some(to) == item.alias_of.as_ref() && *to == item.path));
    mapped.items.extend(new_paths);
    mapped.items.sort_by(|a, b| a.key.cmp(&b.key));
    mapped.items.dedup_by(|later, earlier| later.key == earlier.key);
    mapped
}

/// For each item with members: its canonical path and every path it is reachable at.
fn path_sets(model: &ApiModel) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut sets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for item in model.items.iter().filter(|item| is_owner(item.kind) || item.kind == ItemKind::TypeAlias) {
        let canonical = item.alias_of.as_deref().unwrap_or(&item.path);
        let set = sets.entry(canonical).or_default();
        set.insert(canonical);
        set.insert(&item.path);
    }
    sets
}

fn rewrite_strings(value: &mut serde_json::Value, renames: &[(String, String)]) {
    match value {
        serde_json::Value::String(text) => {
            for (from, to) in renames {
                *text = replace_path(text, from, to);
            }
        }
        serde_json::Value::Array(values) => values.iter_mut().for_each(|v| rewrite_strings(v, renames)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| rewrite_strings(v, renames)),
        _ => {}
    }
}

/// Replaces `from` where it stands as a whole path (not inside a longer identifier or path).
fn replace_path(text: &str, from: &str, to: &str) -> String {
    let is_path_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(position) = rest.find(from) {
        let before = rest[..position].chars().next_back();
        let after = rest[position + from.len()..].chars().next();
        let starts_path = before.is_none_or(|c| !is_path_char(c) && c != ':');
        let ends_path = after.is_none_or(|c| !is_path_char(c));
        out.push_str(&rest[..position]);
        out.push_str(if starts_path && ends_path { to } else { from });
        rest = &rest[position + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_equivalent_lint_exists_in_the_catalog() {
        let catalog = crate::lints::all_lint_ids();
        for (rule, lints) in EQUIVALENT_LINTS {
            for lint in *lints {
                assert!(catalog.iter().any(|id| id == lint), "rule `{rule}` names `{lint}`, which cargo-semver-checks does not have");
            }
        }
    }

    #[test]
    fn paths_are_replaced_only_whole() {
        assert_eq!(replace_path("fn k::b::S(x: k::b::S) -> k::b::Sx", "k::b::S", "k::a::S"), "fn k::a::S(x: k::a::S) -> k::b::Sx");
        assert_eq!(replace_path("impl Send for k::b::S<T>", "k::b::S", "k::S"), "impl Send for k::S<T>");
        assert_eq!(replace_path("field k::b::S::name", "k::b::S", "k::S"), "field k::S::name");
        assert_eq!(replace_path("x::k::b::S", "k::b::S", "k::S"), "x::k::b::S");
    }
}
