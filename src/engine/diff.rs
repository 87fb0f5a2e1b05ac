//! The model diff: removed, added and changed items, each classified by Cargo's SemVer rules.
//!
//! Items are matched by key. Before matching, the current model's canonical paths are mapped
//! back to the baseline's where an item is still reachable at its old path, so that moving an
//! item and re-exporting it where it was is not a change. Every rule that decides a bump is in
//! this file; the rules it emits are the catalog's ([`crate::engine::catalog`]), named by [`RuleId`], with
//! the cargo-semver-checks lints that report the same break ([`equivalent_lints`]), so that a break
//! both engines see is reported once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::engine::bump::Bump;
use crate::engine::catalog::{self, Callable, FieldOwner, Generic, NonExhaustive, RuleId, Subject};
use crate::engine::findings::{Change, Finding, Level, Source};
use crate::engine::model::macro_rules;
use crate::engine::model::ty::{Bound, JoinBounds, ParamKind, Predicate, Ty, TyPath};
use crate::engine::model::{ApiItem, ApiModel, Detail, Generics, ItemKind, Qualifiers, VariantField};

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

/// The cargo-semver-checks lints that report the same break as the model rule `id` (the rule
/// catalog's equivalences), so that a break both engines find is reported once.
pub fn equivalent_lints(id: &str) -> &'static [&'static str] {
    catalog::equivalent_lints(id)
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
        Some(crate::engine::model::ty::GenericArgs::Angle { args, .. }) if args.is_empty() => TyPath { path: path.path.clone(), args: None },
        Some(crate::engine::model::ty::GenericArgs::Angle { args, .. }) => TyPath {
            path: path.path.clone(),
            args: Some(Box::new(crate::engine::model::ty::GenericArgs::Angle { args: args.clone(), constraints: Vec::new() })),
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
    let Some(crate::engine::model::ty::GenericArgs::Angle { args, .. }) = trait_path.args.as_deref() else { return false };
    let [crate::engine::model::ty::GenericArg::Type(target)] = args.as_slice() else { return false };
    new.values().any(|candidate| match &candidate.detail {
        Detail::Impl { trait_path: from, self_ty: from_self, negative: false, .. } if from.path == "core::convert::From" && from_self == target => {
            matches!(from.args.as_deref(), Some(crate::engine::model::ty::GenericArgs::Angle { args, .. })
                if matches!(args.as_slice(), [crate::engine::model::ty::GenericArg::Type(source)] if source == self_ty))
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
    fn finding(&mut self, rule: RuleId, change: Change, bump: Bump, item: &ApiItem, message: String) -> &mut Finding {
        let rule = rule.rule();
        // Synthesised impls have no location of their own: point at the type.
        let span = item.span.as_ref().or_else(|| {
            let owner = owner_path(item)?;
            let in_baseline = change == Change::Removed;
            let owner = if in_baseline { self.old_owner(owner) } else { self.new_owner(owner) };
            owner?.span.as_ref()
        });
        let (file, line) = (span.map(|s| s.file.clone()), span.map(|s| s.line));
        self.findings.push(Finding {
            id: rule.id.to_string(),
            change,
            required_bump: bump,
            level: Level::Deny,
            path: item.path.clone(),
            message,
            file,
            line,
            source: Source::Apicheck,
            lint: None,
            reference: Some(rule.reference()),
            old: None,
            new: None,
            acknowledged: None,
            surfaces: Vec::new(),
            subject: match &item.detail {
                Detail::Impl { trait_path, .. } => Some(trait_name(&trait_path.path)),
                _ => None,
            },
        });
        self.findings.last_mut().expect("a finding was just pushed")
    }

    fn removed(&mut self, item: &ApiItem) {
        let rule = self.subject(item, true).removed();
        let what = describe(item);
        let message = match &item.alias_of {
            Some(canonical) => format!("{what} is no longer reachable at this path (it was a re-export of `{canonical}`)"),
            None => format!("{what} was removed"),
        };
        self.finding(rule, Change::Removed, Bump::Major, item, message).old = Some(item.signature.clone());
    }

    fn generalized(&mut self, old: &ApiItem, new: &ApiItem) {
        let (Detail::Function { impl_self: Some(from), .. }, Detail::Function { impl_self: Some(to), .. }) = (&old.detail, &new.detail) else { return };
        let message = format!("{} moved from `impl {from}` to the more general `impl {to}`, which covers it", describe(new));
        self.change(new, old, RuleId::MethodImplGeneralized, Bump::Minor, message);
    }

    fn added(&mut self, item: &ApiItem) {
        let (bump, why) = self.addition_bump(item);
        let rule = self.subject(item, false).added();
        let message = match &item.alias_of {
            Some(canonical) => format!("{} is now also reachable at this path (a re-export of `{canonical}`){why}", describe(item)),
            None => format!("{} was added{why}", describe(item)),
        };
        self.finding(rule, Change::Added, bump, item, message).new = Some(item.signature.clone());
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

    /// What kind of item the rules see: `struct_field` and `union_field` rules differ, auto trait
    /// impls have rules of their own.
    fn subject(&self, item: &ApiItem, in_baseline: bool) -> Subject {
        match (&item.detail, item.kind) {
            (Detail::Impl { auto: true, .. }, _) => Subject::AutoTraitImpl,
            (Detail::Field { .. }, _) => {
                let owner = owner_path(item).and_then(|o| if in_baseline { self.old_owner(o) } else { self.new_owner(o) });
                match owner.map(|o| o.kind) {
                    Some(ItemKind::Union) => Subject::UnionField,
                    _ => Subject::StructField,
                }
            }
            (Detail::Macro { .. }, _) => Subject::Macro,
            (_, kind) => kind_subject(kind),
        }
    }

    fn sealed_owner(&self, item: &ApiItem) -> bool {
        owner_path(item)
            .and_then(|owner| self.old_owner(owner))
            .is_some_and(|owner| matches!(owner.detail, Detail::Trait { sealed: true, .. }))
    }

    fn changed(&mut self, old: &ApiItem, new: &ApiItem) {
        let subject = self.subject(new, false);
        if !old.hidden && new.hidden {
            self.change(new, old, subject.now_doc_hidden(), Bump::Major, format!("{} is now #[doc(hidden)]: it is no longer public API", describe(new)));
        }
        if old.hidden || new.hidden {
            return;
        }
        match (&old.detail, &new.detail) {
            (
                Detail::Function { qualifiers: oq, generics: og, inputs: oi, has_receiver: or, output: oo, variadic: ov, has_default: od, .. },
                Detail::Function { qualifiers: nq, generics: ng, inputs: ni, has_receiver: nr, output: no, variadic: nv, has_default: nd, .. },
            ) => {
                let callable = callable(new.kind);
                self.qualifiers(old, new, callable, oq, nq);
                if ov != nv {
                    self.change(new, old, callable.variadic_changed(), Bump::Major, format!("{} changed whether it is variadic", describe(new)));
                }
                let ni: Vec<Ty> = ni.iter().map(|t| as_old_projections(t, og)).collect();
                let no = &as_old_projections(no, og);
                self.inputs(old, new, callable, (oi, *or), (&ni, *nr));
                if oo != no {
                    self.change(new, old, callable.return_type_changed(), Bump::Major, format!("{} now returns `{no}` instead of `{oo}`", describe(new)));
                }
                let trait_sealed = self.sealed_owner(new);
                self.generics(old, new, callable.into(), og, ng, new.kind == ItemKind::TraitMethod && !trait_sealed);
                match (od, nd) {
                    (Some(true), Some(false)) if !trait_sealed => {
                        self.change(new, old, RuleId::TraitMethodDefaultRemoved, Bump::Major, format!("{} lost its default body: every implementation must now provide it", describe(new)));
                    }
                    (Some(false), Some(true)) => {
                        self.change(new, old, RuleId::TraitMethodDefaultAdded, Bump::Minor, format!("{} now has a default body", describe(new)));
                    }
                    _ => {}
                }
            }
            (Detail::Struct { shape: os, generics: og, private_fields: op, non_exhaustive: on }, Detail::Struct { shape: ns, generics: ng, private_fields: np, non_exhaustive: nn }) => {
                let was_constructible = !op && !on;
                // Private fields already keep other crates from building or exhaustively
                // matching the struct: `#[non_exhaustive]` takes nothing more away.
                if !(*op && *np) {
                    self.non_exhaustive(old, new, NonExhaustive::Struct, *on, *nn);
                }
                if os != ns {
                    let bump = if *op && *np && *os != crate::engine::model::StructShape::Tuple { Bump::Minor } else { Bump::Major };
                    self.change(new, old, RuleId::StructKindChanged, bump, format!("{} changed from a {} struct to a {} struct", describe(new), shape_name(*os), shape_name(*ns)));
                }
                if !op && *np {
                    let bump = if was_constructible { Bump::Major } else { Bump::Minor };
                    self.change(new, old, RuleId::StructNowHasPrivateFields, bump, format!("{} now has private fields, so it can no longer be built with a literal", describe(new)));
                } else if *op && !np {
                    self.change(new, old, RuleId::StructNoLongerHasPrivateFields, Bump::Minor, format!("{} no longer has private fields", describe(new)));
                }
                self.generics(old, new, Generic::Struct, og, ng, false);
            }
            (Detail::Field { ty: ot }, Detail::Field { ty: nt }) if ot != nt => {
                // `pub u8` → `pub T` where the struct gained `T = u8`: the same type to every
                // existing use (the Cargo book's generalizing with a default).
                let defaulted = self.new_defaulted_params(new);
                let as_before = nt.substitute(&|name| defaulted.get(name).cloned());
                if as_before != *ot {
                    self.change(new, old, field_owner(subject).field_type_changed(), Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
            }
            (Detail::Enum { generics: og, non_exhaustive: on }, Detail::Enum { generics: ng, non_exhaustive: nn }) => {
                self.non_exhaustive(old, new, NonExhaustive::Enum, *on, *nn);
                self.generics(old, new, Generic::Enum, og, ng, false);
            }
            (Detail::Variant { shape: os, fields: of, non_exhaustive: on }, Detail::Variant { shape: ns, fields: nf, non_exhaustive: nn }) => {
                self.non_exhaustive(old, new, NonExhaustive::EnumVariant, *on, *nn);
                if os != ns {
                    self.change(new, old, RuleId::EnumVariantChangedKind, Bump::Major, format!("{} changed from a {} variant to a {} variant", describe(new), shape_name(*os), shape_name(*ns)));
                } else if of != nf {
                    let only_additions = of.iter().all(|f| nf.contains(f));
                    let bump = if only_additions && *on && *nn { Bump::Minor } else { Bump::Major };
                    self.change(new, old, RuleId::EnumVariantFieldsChanged, bump, format!("{} changed its fields from ({}) to ({})", describe(new), show_fields(of), show_fields(nf)));
                }
            }
            (Detail::Union { generics: og, private_fields: op }, Detail::Union { generics: ng, private_fields: np }) => {
                if !op && *np {
                    self.change(new, old, RuleId::UnionNowHasPrivateFields, Bump::Major, format!("{} now has private fields", describe(new)));
                }
                self.generics(old, new, Generic::Union, og, ng, false);
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
                    self.change(new, old, RuleId::TraitSupertraitAdded, bump, format!("{} now requires `{}`: existing implementations may not satisfy it", describe(new), join_ticks(&added)));
                }
                if !removed.is_empty() {
                    self.change(new, old, RuleId::TraitSupertraitRemoved, Bump::Major, format!("{} no longer implies `{}`, which users may rely on", describe(new), join_ticks(&removed)));
                }
                if ou != nu {
                    let rule = if *nu { RuleId::TraitUnsafeAdded } else { RuleId::TraitUnsafeRemoved };
                    self.change(new, old, rule, Bump::Major, format!("{} {} an unsafe trait", describe(new), if *nu { "became" } else { "is no longer" }));
                }
                if !os && *ns {
                    self.change(new, old, RuleId::TraitNewlySealed, Bump::Major, format!("{} is now sealed: downstream crates can no longer implement it", describe(new)));
                } else if *os && !ns {
                    self.change(new, old, RuleId::TraitNoLongerSealed, Bump::Minor, format!("{} is no longer sealed: downstream crates can now implement it", describe(new)));
                }
                if *od && !nd {
                    self.change(new, old, RuleId::TraitNoLongerDynCompatible, Bump::Major, format!("{} is no longer dyn compatible: `dyn` uses of it break", describe(new)));
                }
                self.generics(old, new, Generic::Trait, og, ng, !os);
            }
            (Detail::AssocType { bounds: ob, default: od }, Detail::AssocType { bounds: nb, default: nd }) => {
                if ob != nb {
                    let bump = if self.sealed_owner(new) && ob.iter().all(|b| nb.contains(b)) { Bump::Minor } else { Bump::Major };
                    self.change(new, old, RuleId::TraitAssociatedTypeBoundsChanged, bump, format!("{} changed its bounds from `{}` to `{}`", describe(new), JoinBounds(ob), JoinBounds(nb)));
                }
                if od.is_some() && nd.is_none() {
                    self.change(new, old, RuleId::TraitAssociatedTypeDefaultRemoved, Bump::Major, format!("{} lost its default", describe(new)));
                }
            }
            (Detail::AssocConst { ty: ot, has_default: od }, Detail::AssocConst { ty: nt, has_default: nd }) => {
                if ot != nt {
                    self.change(new, old, RuleId::AssociatedConstTypeChanged, Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
                if *od && !nd && !self.sealed_owner(new) {
                    self.change(new, old, RuleId::TraitAssociatedConstDefaultRemoved, Bump::Major, format!("{} lost its default: every implementation must now define it", describe(new)));
                }
            }
            (Detail::Impl { blanket: true, .. }, _) | (_, Detail::Impl { blanket: true, .. }) => {}
            (Detail::Impl { generics: og, negative: on, auto, .. }, Detail::Impl { generics: ng, negative: nn, .. }) => {
                let (subject, generic) = if *auto { (Subject::AutoTraitImpl, Generic::AutoTraitImpl) } else { (Subject::TraitImpl, Generic::TraitImpl) };
                if !on && *nn {
                    self.change(new, old, subject.removed(), Bump::Major, format!("{} no longer holds", describe(old)));
                } else if *on && !nn {
                    self.change(new, old, subject.added(), Bump::Minor, format!("{} now holds", describe(new)));
                }
                if !on && !nn {
                    self.generics(old, new, generic, og, ng, false);
                }
            }
            (Detail::Const { ty: ot }, Detail::Const { ty: nt }) if ot != nt => {
                self.change(new, old, RuleId::ConstTypeChanged, Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
            }
            (Detail::Static { ty: ot, mutable: om, is_unsafe: ou }, Detail::Static { ty: nt, mutable: nm, is_unsafe: nu }) => {
                if ot != nt {
                    self.change(new, old, RuleId::StaticTypeChanged, Bump::Major, format!("{} changed type from `{ot}` to `{nt}`", describe(new)));
                }
                if !om && *nm {
                    self.change(new, old, RuleId::StaticNowMutable, Bump::Major, format!("{} is now `static mut`: reading it needs `unsafe`", describe(new)));
                } else if *om && !nm {
                    self.change(new, old, RuleId::StaticMutNowImmutable, Bump::Major, format!("{} is no longer mutable: writes to it break", describe(new)));
                }
                if !ou && *nu {
                    self.change(new, old, RuleId::StaticBecameUnsafe, Bump::Major, format!("{} now needs `unsafe` to use", describe(new)));
                }
            }
            (Detail::TypeAlias { generics: og, target: ot, opaque_target: oo }, Detail::TypeAlias { generics: ng, target: nt, opaque_target: no }) => {
                // The public name of a type users cannot name: what they can do with it is
                // compared at the type's own items; its hidden arguments are not theirs to see.
                let same_opaque_type = *oo && *no && matches!((ot, nt), (Ty::Path(a), Ty::Path(b)) if a.path == b.path);
                if ot != nt && !same_opaque_type {
                    self.change(new, old, RuleId::TypeAliasTargetChanged, Bump::Major, format!("{} now stands for `{nt}` instead of `{ot}`", describe(new)));
                }
                self.generics(old, new, Generic::TypeAlias, og, ng, false);
            }
            (Detail::Macro { macro_kind: ok, helpers: oh, arms: oa }, Detail::Macro { macro_kind: nk, helpers: nh, arms: na }) => {
                if ok != nk {
                    self.change(new, old, RuleId::MacroKindChanged, Bump::Major, format!("{} changed kind", describe(new)));
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
                    self.change(new, old, RuleId::MacroArmRemoved, Bump::Major, format!("{} no longer accepts `{}`: invocations that matched it break", describe(new), join_ticks(&shown(&lost))));
                } else if !gained.is_empty() {
                    self.change(new, old, RuleId::MacroArmAdded, Bump::Minor, format!("{} now also accepts `{}`", describe(new), join_ticks(&shown(&gained))));
                }
                let removed: Vec<&String> = oh.iter().filter(|h| !nh.contains(h)).collect();
                if !removed.is_empty() {
                    self.change(new, old, RuleId::DeriveHelperAttrRemoved, Bump::Major, format!("{} no longer accepts the helper attribute `{}`", describe(new), join_ticks(&removed)));
                } else if oh != nh {
                    self.change(new, old, RuleId::DeriveHelperAttrAdded, Bump::Minor, format!("{} accepts new helper attributes", describe(new)));
                }
            }
            (Detail::ExternReexport { target: ot }, Detail::ExternReexport { target: nt }) if ot != nt => {
                self.change(new, old, RuleId::ReexportTargetChanged, Bump::Major, format!("{} now re-exports `{nt}` instead of `{ot}`", describe(new)));
            }
            _ => {}
        }
    }

    fn change(&mut self, new: &ApiItem, old: &ApiItem, rule: RuleId, bump: Bump, message: String) {
        let finding = self.finding(rule, Change::Changed, bump, new, message);
        finding.old = Some(old.signature.clone());
        finding.new = Some(new.signature.clone());
    }

    fn qualifiers(&mut self, old: &ApiItem, new: &ApiItem, callable: Callable, o: &Qualifiers, n: &Qualifiers) {
        let what = describe(new);
        if o.is_const && !n.is_const {
            self.change(new, old, callable.const_removed(), Bump::Major, format!("{what} is no longer `const`: const contexts that call it break"));
        } else if !o.is_const && n.is_const {
            self.change(new, old, callable.now_const(), Bump::Minor, format!("{what} is now `const`"));
        }
        if !o.is_unsafe && n.is_unsafe {
            self.change(new, old, callable.unsafe_added(), Bump::Major, format!("{what} is now `unsafe`: callers need an unsafe block"));
        } else if o.is_unsafe && !n.is_unsafe {
            let bump = if new.kind == ItemKind::TraitMethod { Bump::Major } else { Bump::Minor };
            self.change(new, old, callable.unsafe_removed(), bump, format!("{what} is no longer `unsafe`"));
        }
        if o.is_async != n.is_async {
            let now = if n.is_async { "is now `async`" } else { "is no longer `async`" };
            self.change(new, old, callable.async_changed(), Bump::Major, format!("{what} {now}: its return type changed"));
        }
        if o.abi != n.abi {
            let abi = |a: &Option<String>| a.clone().unwrap_or_else(|| "Rust".to_string());
            self.change(new, old, callable.abi_changed(), Bump::Major, format!("{what} changed ABI from \"{}\" to \"{}\"", abi(&o.abi), abi(&n.abi)));
        }
    }

    fn inputs(&mut self, old: &ApiItem, new: &ApiItem, callable: Callable, (o, o_receiver): (&[Ty], bool), (n, n_receiver): (&[Ty], bool)) {
        let what = describe(new);
        if o.len() != n.len() {
            self.change(new, old, callable.parameter_count_changed(), Bump::Major, format!("{what} now takes {} parameters instead of {}", n.len(), o.len()));
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
                    self.change(new, old, callable.receiver_changed(), Bump::Major, format!("{what} now takes `{after}` instead of `{before}`"));
                }
                // `impl A + B` → `impl A`: every argument that satisfied the old bounds still does.
                (Ty::Impl(old_bounds), Ty::Impl(new_bounds)) if new_bounds.iter().all(|b| old_bounds.contains(b)) => {
                    loosened.push(format!("parameter {} from `{before}` to `{after}`", position + 1));
                }
                _ => changed.push(format!("parameter {} from `{before}` to `{after}`", position + 1)),
            }
        }
        if !changed.is_empty() {
            self.change(new, old, callable.parameter_type_changed(), Bump::Major, format!("{what} changed {}", changed.join(", ")));
        }
        if !loosened.is_empty() {
            let bump = if new.kind == ItemKind::TraitMethod && !self.sealed_owner(new) { Bump::Major } else { Bump::Minor };
            self.change(new, old, callable.parameter_bounds_loosened(), bump, format!("{what} loosened {}", loosened.join(", ")));
        }
    }

    /// Generic parameters and bounds. Callers see added bounds as a break and removed ones as
    /// compatible; when `implementors_see_it` (an unsealed trait's items), any change of bounds
    /// breaks implementations.
    fn generics(&mut self, old: &ApiItem, new: &ApiItem, generic: Generic, o: &Generics, n: &Generics, implementors_see_it: bool) {
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
                self.generics_of_visible(old, new, generic, &o, &n, implementors_see_it, &what);
            }
            return;
        }
        self.generics_of_visible(old, new, generic, o, n, implementors_see_it, &what);
    }

    #[allow(clippy::too_many_arguments)]
    fn generics_of_visible(&mut self, old: &ApiItem, new: &ApiItem, generic: Generic, o: &Generics, n: &Generics, implementors_see_it: bool, what: &str) {
        let what = what.to_string();
        // An impl's own parameters are not API (no rule for them): they follow the implementing
        // type's.
        if let Some(rule) = generic.generic_params_changed()
            && o.params != n.params
        {
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
            let show = |params: &[crate::engine::model::ty::GenericParam]| params.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
            self.change(new, old, rule, bump, format!("{what} changed its generic parameters from <{}> to <{}>", show(&o.params), show(&n.params)));
            if !only_defaulted_additions {
                return;
            }
        }
        // Bounds on a parameter that did not exist before constrain only code that names it
        // (existing code gets its default).
        let old_names: BTreeSet<&str> = o.params.iter().map(|p| p.name.as_str()).collect();
        let on_new_param = |p: &&crate::engine::model::ty::Predicate| {
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
            self.change(new, old, generic.bounds_tightened(), Bump::Major, format!("{what} now requires `{}`", tightened.join("`, `")));
        }
        if !loosened.is_empty() {
            let bump = if implementors_see_it { Bump::Major } else { Bump::Minor };
            self.change(new, old, generic.bounds_loosened(), bump, format!("{what} no longer requires `{}`", loosened.join("`, `")));
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

    fn non_exhaustive(&mut self, old: &ApiItem, new: &ApiItem, subject: NonExhaustive, o: bool, n: bool) {
        if !o && n {
            self.change(new, old, subject.marked_non_exhaustive(), Bump::Major, format!("{} is now #[non_exhaustive]", describe(new)));
        } else if o && !n {
            self.change(new, old, subject.no_longer_non_exhaustive(), Bump::Minor, format!("{} is no longer #[non_exhaustive]", describe(new)));
        }
    }
}

/// The rule subject of an item of `kind`, by its kind alone.
fn kind_subject(kind: ItemKind) -> Subject {
    match kind {
        ItemKind::Module => Subject::Module,
        ItemKind::Function => Subject::Function,
        ItemKind::Method => Subject::Method,
        ItemKind::TraitMethod => Subject::TraitMethod,
        ItemKind::Struct => Subject::Struct,
        ItemKind::Field => Subject::StructField,
        ItemKind::Enum => Subject::Enum,
        ItemKind::Variant => Subject::EnumVariant,
        ItemKind::Union => Subject::Union,
        ItemKind::Trait => Subject::Trait,
        ItemKind::AssocType => Subject::TraitAssociatedType,
        ItemKind::AssocConst => Subject::AssociatedConst,
        ItemKind::Impl => Subject::TraitImpl,
        ItemKind::Const => Subject::Const,
        ItemKind::Static => Subject::Static,
        ItemKind::TypeAlias => Subject::TypeAlias,
        ItemKind::Macro => Subject::Macro,
        ItemKind::ExternReexport => Subject::Reexport,
    }
}

/// The rules of a function-like item; only methods and trait methods have rules of their own.
fn callable(kind: ItemKind) -> Callable {
    match kind {
        ItemKind::Method => Callable::Method,
        ItemKind::TraitMethod => Callable::TraitMethod,
        _ => Callable::Function,
    }
}

/// The field rules of a field's subject (a union's fields, or a struct's).
fn field_owner(subject: Subject) -> FieldOwner {
    if subject == Subject::UnionField { FieldOwner::UnionField } else { FieldOwner::StructField }
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

fn shape_name(shape: crate::engine::model::StructShape) -> &'static str {
    match shape {
        crate::engine::model::StructShape::Unit => "unit",
        crate::engine::model::StructShape::Tuple => "tuple",
        crate::engine::model::StructShape::Plain => "plain",
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
    fn paths_are_replaced_only_whole() {
        assert_eq!(replace_path("fn k::b::S(x: k::b::S) -> k::b::Sx", "k::b::S", "k::a::S"), "fn k::a::S(x: k::a::S) -> k::b::Sx");
        assert_eq!(replace_path("impl Send for k::b::S<T>", "k::b::S", "k::S"), "impl Send for k::S<T>");
        assert_eq!(replace_path("field k::b::S::name", "k::b::S", "k::S"), "field k::S::name");
        assert_eq!(replace_path("x::k::b::S", "k::b::S", "k::S"), "x::k::b::S");
    }
}
