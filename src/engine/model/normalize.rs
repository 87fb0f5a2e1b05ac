//! Turns rustdoc's types, bounds and generics into the normalized structure of [`super::ty`],
//! so that equivalent spellings of one API give equal values:
//!
//! - `Self` is resolved to the self type in impls and in struct, enum and union definitions
//!   (inside a trait it stays `Self`);
//! - generic parameters get canonical names: by declaration position for items whose
//!   parameters callers name (functions, types, traits), by first appearance for impls, whose
//!   parameters nobody names;
//! - lifetimes get canonical names by first appearance, after elision is made explicit: an
//!   elided input lifetime is a fresh one, an elided output lifetime is the receiver's or the
//!   only input lifetime, an elided lifetime in a `const` or `static` is `'static`, a `dyn`
//!   type's omitted lifetime is its default (the enclosing reference's, else `'static`), and
//!   elided lifetimes in `Fn(&T)` sugar and `fn(&T)` pointers are bound by their binder;
//!   functions' own lifetimes are not positional parameters (they are late-bound);
//! - bounds are sorted sets, wherever they appear (`impl A + B`, `dyn A + B`, predicates);
//! - type aliases are expanded: the crate's own (public and private), from their definitions in
//!   the same rustdoc JSON, and the standard library's listed in [`STD_ALIASES`].

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use rustdoc_types::{
    Abi, AssocItemConstraint, AssocItemConstraintKind, Crate, FunctionHeader, GenericArg as RArg,
    GenericArgs as RArgs, GenericBound, GenericParamDef, GenericParamDefKind, Id, ItemEnum, ItemKind as RKind,
    Path, PreciseCapturingArg, Term as RTerm, TraitBoundModifier, Type, WherePredicate,
};

use super::Qualifiers;
use super::ty::{
    Bound, Constraint, ConstraintKind, FnPtr, GenericArg, GenericArgs, GenericParam, Modifier, ParamKind, Predicate,
    Term, Ty, TyPath,
};

/// Crates that ship with the toolchain: not dependencies a package chooses.
const TOOLCHAIN_CRATES: [&str; 5] = ["std", "core", "alloc", "proc_macro", "test"];

/// Type aliases of the standard library that are seen through, by the path rustdoc records for
/// them, with the number of type parameters they take and their expansion. rustdoc JSON does
/// not carry the definitions of other crates' aliases, so they are listed here; an alias of
/// another crate is compared by its own path.
const STD_ALIASES: &[(&str, StdAlias)] = &[
    ("std::io::Result", StdAlias::ResultWith("std::io::error::Error")),
    ("std::io::error::Result", StdAlias::ResultWith("std::io::error::Error")),
    ("core::fmt::Result", StdAlias::UnitResultWith("core::fmt::Error")),
    ("std::fmt::Result", StdAlias::UnitResultWith("core::fmt::Error")),
    ("std::thread::Result", StdAlias::ThreadResult),
    ("alloc::string::ParseError", StdAlias::Infallible),
    ("std::string::ParseError", StdAlias::Infallible),
];

#[derive(Clone, Copy)]
enum StdAlias {
    /// `Result<T, E>` with this `E`.
    ResultWith(&'static str),
    /// `Result<(), E>` with this `E`.
    UnitResultWith(&'static str),
    /// `Result<T, Box<dyn Any + Send + 'static>>`.
    ThreadResult,
    /// `core::convert::Infallible`.
    Infallible,
}

/// How far type aliases are followed, against alias cycles in malformed input.
const MAX_ALIAS_DEPTH: usize = 32;

/// What an elided lifetime stands for where a type is converted.
#[derive(Clone, Debug)]
pub(super) enum Elision {
    /// A fresh lifetime each time (function inputs, impl headers).
    Fresh,
    /// `'static` (consts and statics).
    Static,
    /// The lifetime elision rules give a function's output, when there is one.
    Output(Option<String>),
}

/// The names in scope while converting one item's types.
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    /// What `Self` stands for; `None` inside a trait, where `Self` stays a parameter.
    pub(super) self_ty: Option<Ty>,
    /// Type and const parameters: written name → canonical name.
    types: HashMap<String, String>,
    /// Parameters named on first appearance (an impl's).
    lazy_types: BTreeSet<String>,
    next_type: usize,
    /// Named lifetimes: written name → canonical name.
    lifetimes: HashMap<String, String>,
    next_lifetime: usize,
    /// Lifetimes bound by an enclosing `for<...>` binder, innermost last.
    binders: Vec<(String, String)>,
    /// Lifetimes created by elision inside a binder (`Fn(&T)`), collected for it, innermost last.
    captures: Vec<Vec<String>>,
    /// The default object lifetime of a `dyn` type: the innermost enclosing reference's.
    object_defaults: Vec<String>,
    /// While expanding a type alias: its parameters' values (only these are in scope then).
    frames: Vec<AliasFrame>,
    /// The canonical lifetimes created in the current function's signature (not its impl's).
    pub(super) fn_lifetimes: Vec<String>,
    collecting_fn_lifetimes: bool,
}

#[derive(Clone, Debug, Default)]
struct AliasFrame {
    types: HashMap<String, Ty>,
    lifetimes: HashMap<String, String>,
}

fn type_param_name(index: usize) -> String {
    const NAMES: [&str; 7] = ["T", "U", "V", "W", "X", "Y", "Z"];
    NAMES.get(index).map(|n| n.to_string()).unwrap_or_else(|| format!("T{index}"))
}

fn lifetime_name(index: usize) -> String {
    match u8::try_from(index) {
        Ok(n) if n < 26 => format!("'{}", char::from(b'a' + n)),
        _ => format!("'l{index}"),
    }
}

impl Scope {
    fn new_lifetime(&mut self) -> String {
        let name = lifetime_name(self.next_lifetime);
        self.next_lifetime += 1;
        if self.collecting_fn_lifetimes {
            self.fn_lifetimes.push(name.clone());
        }
        name
    }

    fn new_type_name(&mut self) -> String {
        let name = type_param_name(self.next_type);
        self.next_type += 1;
        name
    }

    /// Declares parameters by position: a type's, a trait's or a function's own.
    fn declare_positional(&mut self, params: &[GenericParamDef], with_lifetimes: bool) {
        for param in params {
            match &param.kind {
                GenericParamDefKind::Lifetime { .. } if with_lifetimes => {
                    let name = self.new_lifetime();
                    self.lifetimes.insert(param.name.clone(), name);
                }
                GenericParamDefKind::Lifetime { .. } => {}
                GenericParamDefKind::Type { is_synthetic: true, .. } => {}
                GenericParamDefKind::Type { .. } | GenericParamDefKind::Const { .. } => {
                    let name = self.new_type_name();
                    self.types.insert(param.name.clone(), name);
                }
            }
        }
    }

    /// Declares parameters to be named on first appearance: an impl's.
    fn declare_lazy(&mut self, params: &[GenericParamDef]) {
        for param in params {
            if !matches!(param.kind, GenericParamDefKind::Lifetime { .. }) {
                self.lazy_types.insert(param.name.clone());
            }
        }
    }

    fn type_param(&mut self, written: &str) -> Ty {
        if let Some(frame) = self.frames.last() {
            return frame.types.get(written).cloned().unwrap_or_else(|| Ty::Param(written.to_string()));
        }
        if written == "Self"
            && let Some(self_ty) = &self.self_ty
        {
            return self_ty.clone();
        }
        if let Some(name) = self.types.get(written) {
            return Ty::Param(name.clone());
        }
        if self.lazy_types.remove(written) {
            let name = self.new_type_name();
            self.types.insert(written.to_string(), name.clone());
            return Ty::Param(name);
        }
        Ty::Param(written.to_string())
    }

    fn const_param(&mut self, written: &str) -> String {
        match self.type_param(written) {
            Ty::Param(name) => name,
            other => other.to_string(),
        }
    }

    /// The canonical name of a lifetime as written (`None` when elided).
    fn lifetime(&mut self, written: Option<&str>, elision: &Elision) -> String {
        match written {
            Some("'static") => "'static".to_string(),
            Some(name) if name != "'_" => {
                if let Some((_, canonical)) = self.binders.iter().rev().find(|(w, _)| w == name) {
                    return canonical.clone();
                }
                if let Some(frame) = self.frames.last() {
                    return frame.lifetimes.get(name).cloned().unwrap_or_else(|| name.to_string());
                }
                if let Some(canonical) = self.lifetimes.get(name) {
                    return canonical.clone();
                }
                let canonical = self.new_lifetime();
                self.lifetimes.insert(name.to_string(), canonical.clone());
                canonical
            }
            _ => self.elided(elision),
        }
    }

    fn elided(&mut self, elision: &Elision) -> String {
        match elision {
            Elision::Static => "'static".to_string(),
            Elision::Output(Some(target)) => target.clone(),
            Elision::Fresh | Elision::Output(None) => {
                let name = self.new_lifetime();
                if let Some(capture) = self.captures.last_mut() {
                    capture.push(name.clone());
                }
                name
            }
        }
    }

    /// Starts a function's own signature: lifetimes created from here on are the function's.
    pub(super) fn begin_function(&mut self) {
        self.collecting_fn_lifetimes = true;
        self.fn_lifetimes.clear();
    }
}

/// Converts with the crate's path tables: local items by their canonical public path, foreign
/// items by the path rustdoc records for them.
pub(super) struct Normalizer<'a> {
    krate: &'a Crate,
    public_paths: &'a HashMap<Id, String>,
    /// The other crates (besides the toolchain's) whose items were met: the crate's public
    /// dependencies, as everything converted is public API.
    external_crates: RefCell<BTreeSet<String>>,
}

impl<'a> Normalizer<'a> {
    pub(super) fn new(krate: &'a Crate, public_paths: &'a HashMap<Id, String>) -> Self {
        Normalizer { krate, public_paths, external_crates: RefCell::new(BTreeSet::new()) }
    }

    /// The fully qualified path of the item `id`, falling back to the path as written.
    pub(super) fn item_path(&self, id: &Id, written: &str) -> String {
        if let Some(path) = self.public_paths.get(id) {
            return path.clone();
        }
        match self.krate.paths.get(id) {
            Some(summary) if !summary.path.is_empty() => {
                self.note_crate(summary.crate_id);
                summary.path.join("::")
            }
            _ => written.to_string(),
        }
    }

    /// Records that an item of crate `crate_id` is part of the API.
    pub(super) fn note_crate(&self, crate_id: u32) {
        if crate_id == 0 {
            return;
        }
        if let Some(external) = self.krate.external_crates.get(&crate_id)
            && !TOOLCHAIN_CRATES.contains(&external.name.as_str())
        {
            self.external_crates.borrow_mut().insert(external.name.clone());
        }
    }

    /// The public dependencies seen so far.
    pub(super) fn external_crates(&self) -> Vec<String> {
        self.external_crates.borrow().iter().cloned().collect()
    }

    pub(super) fn path(&self, path: &Path, s: &mut Scope, el: &Elision) -> TyPath {
        TyPath { path: self.item_path(&path.id, &path.path), args: self.args(path.args.as_deref(), s, el) }
    }

    fn args(&self, args: Option<&RArgs>, s: &mut Scope, el: &Elision) -> Option<Box<GenericArgs>> {
        let converted = match args? {
            RArgs::AngleBracketed { args, constraints } => {
                if args.is_empty() && constraints.is_empty() {
                    return None;
                }
                let args = args.iter().map(|arg| self.arg(arg, s, el)).collect();
                let mut constraints: Vec<Constraint> = constraints.iter().map(|c| self.constraint(c, s, el)).collect();
                constraints.sort();
                GenericArgs::Angle { args, constraints }
            }
            // `Fn(&T) -> &U`: elided lifetimes are bound here, like a function's.
            RArgs::Parenthesized { inputs, output } => {
                let (inputs, output) = self.fn_like(inputs.iter(), output.as_ref(), s);
                GenericArgs::Fn { inputs, output }
            }
            RArgs::ReturnTypeNotation => GenericArgs::ReturnType,
        };
        Some(Box::new(converted))
    }

    /// Inputs and output of `Fn` sugar or a function pointer, with elision applied.
    fn fn_like<'t>(&self, inputs: impl Iterator<Item = &'t Type>, output: Option<&Type>, s: &mut Scope) -> (Vec<Ty>, Ty) {
        let inputs: Vec<Ty> = inputs.map(|t| self.ty(t, s, &Elision::Fresh)).collect();
        let mut input_lifetimes = Vec::new();
        inputs.iter().for_each(|t| elision_positions(t, &mut input_lifetimes));
        let target = if input_lifetimes.len() == 1 { input_lifetimes.pop() } else { None };
        let output = output.map(|t| self.ty(t, s, &Elision::Output(target))).unwrap_or_else(Ty::unit);
        (inputs, output)
    }

    fn arg(&self, arg: &RArg, s: &mut Scope, el: &Elision) -> GenericArg {
        match arg {
            RArg::Lifetime(lifetime) => GenericArg::Lifetime(s.lifetime(Some(lifetime), el)),
            RArg::Type(ty) => GenericArg::Type(self.ty(ty, s, el)),
            RArg::Const(constant) => GenericArg::Const(const_expr(&constant.expr, s)),
            RArg::Infer => GenericArg::Infer,
        }
    }

    fn constraint(&self, constraint: &AssocItemConstraint, s: &mut Scope, el: &Elision) -> Constraint {
        let args = self.args(constraint.args.as_deref(), s, el);
        let kind = match &constraint.binding {
            AssocItemConstraintKind::Equality(term) => ConstraintKind::Equals(self.term(term, s, el)),
            AssocItemConstraintKind::Constraint(bounds) => ConstraintKind::Bounds(self.bounds(bounds, s, el)),
        };
        Constraint { name: constraint.name.clone(), args, kind }
    }

    fn term(&self, term: &RTerm, s: &mut Scope, el: &Elision) -> Term {
        match term {
            RTerm::Type(ty) => Term::Type(self.ty(ty, s, el)),
            RTerm::Constant(constant) => Term::Const(const_expr(&constant.expr, s)),
        }
    }

    pub(super) fn ty(&self, ty: &Type, s: &mut Scope, el: &Elision) -> Ty {
        self.ty_at_depth(ty, s, el, 0)
    }

    fn ty_at_depth(&self, ty: &Type, s: &mut Scope, el: &Elision, depth: usize) -> Ty {
        match ty {
            Type::ResolvedPath(path) => {
                if depth < MAX_ALIAS_DEPTH
                    && let Some(expanded) = self.expand_alias(path, s, el, depth)
                {
                    return expanded;
                }
                Ty::Path(self.path(path, s, el))
            }
            Type::DynTrait(dyn_trait) => {
                let mut bounds: Vec<Bound> = dyn_trait
                    .traits
                    .iter()
                    .map(|poly| self.trait_bound(&poly.generic_params, TraitBoundModifier::None, &poly.trait_, s, el))
                    .collect();
                bounds.sort();
                bounds.dedup();
                let lifetime = match &dyn_trait.lifetime {
                    Some(lifetime) => s.lifetime(Some(lifetime), el),
                    None => s.object_defaults.last().cloned().unwrap_or_else(|| "'static".to_string()),
                };
                Ty::Dyn { bounds, lifetime }
            }
            Type::Generic(name) => s.type_param(name),
            Type::Primitive(name) => Ty::Primitive(name.clone()),
            Type::FunctionPointer(pointer) => {
                let (binder, (inputs, output)) = self.with_binder(&pointer.generic_params, s, |n, s| {
                    n.fn_like(pointer.sig.inputs.iter().map(|(_, t)| t), pointer.sig.output.as_ref(), s)
                });
                Ty::FnPtr(Box::new(FnPtr {
                    binder,
                    qualifiers: qualifiers(&pointer.header),
                    inputs,
                    output,
                    variadic: pointer.sig.is_c_variadic,
                }))
            }
            Type::Tuple(types) => Ty::Tuple(types.iter().map(|t| self.ty_at_depth(t, s, el, depth)).collect()),
            Type::Slice(inner) => Ty::Slice(Box::new(self.ty_at_depth(inner, s, el, depth))),
            Type::Array { type_, len } => {
                Ty::Array { inner: Box::new(self.ty_at_depth(type_, s, el, depth)), len: const_expr(len, s) }
            }
            Type::Pat { type_, .. } => self.ty_at_depth(type_, s, el, depth),
            Type::ImplTrait(bounds) => Ty::Impl(self.bounds(bounds, s, el)),
            Type::Infer => Ty::Infer,
            Type::RawPointer { is_mutable, type_ } => {
                Ty::Ptr { mutable: *is_mutable, inner: Box::new(self.ty_at_depth(type_, s, el, depth)) }
            }
            Type::BorrowedRef { lifetime, is_mutable, type_ } => {
                let lifetime = s.lifetime(lifetime.as_deref(), el);
                s.object_defaults.push(lifetime.clone());
                let inner = self.ty_at_depth(type_, s, el, depth);
                s.object_defaults.pop();
                Ty::Ref { lifetime, mutable: *is_mutable, inner: Box::new(inner) }
            }
            Type::QualifiedPath { name, args, self_type, trait_ } => Ty::Assoc {
                self_ty: Box::new(self.ty_at_depth(self_type, s, el, depth)),
                trait_: trait_.as_ref().map(|t| self.path(t, s, el)),
                name: name.clone(),
                args: self.args(args.as_deref(), s, el),
            },
        }
    }

    /// Whether `ty` is a type of this crate that users cannot name: a public alias of it is
    /// that type's public name.
    pub(super) fn names_unnameable_type(&self, ty: &Type) -> bool {
        let Type::ResolvedPath(path) = ty else { return false };
        self.krate.index.get(&path.id).is_some_and(|item| item.crate_id == 0)
            && self.krate.paths.get(&path.id).is_some_and(|summary| summary.kind != RKind::TypeAlias)
            && self.public_paths.get(&path.id).is_none_or(|p| self.krate.paths.get(&path.id).is_some_and(|s| s.path.join("::") == *p))
    }

    /// The expansion of a type alias: the crate's own from its definition, the standard
    /// library's from [`STD_ALIASES`]; `None` for anything else.
    fn expand_alias(&self, path: &Path, s: &mut Scope, el: &Elision, depth: usize) -> Option<Ty> {
        let item = self.krate.index.get(&path.id);
        if let Some(ItemEnum::TypeAlias(alias)) = item.map(|item| &item.inner) {
            // A public alias of a type users cannot name is that type's name: kept as written.
            if self.public_paths.contains_key(&path.id) && self.names_unnameable_type(&alias.type_) {
                return None;
            }
            let (args, _) = self.plain_args(path, s, el);
            let mut frame = AliasFrame::default();
            let mut given = args.into_iter();
            for param in &alias.generics.params {
                let value = given.next();
                match (&param.kind, value) {
                    (GenericParamDefKind::Lifetime { .. }, Some(GenericArg::Lifetime(lifetime))) => {
                        frame.lifetimes.insert(param.name.clone(), lifetime);
                    }
                    (GenericParamDefKind::Lifetime { .. }, _) => {
                        let lifetime = s.elided(el);
                        frame.lifetimes.insert(param.name.clone(), lifetime);
                    }
                    (GenericParamDefKind::Type { .. }, Some(GenericArg::Type(ty))) => {
                        frame.types.insert(param.name.clone(), ty);
                    }
                    (GenericParamDefKind::Type { default: Some(default), .. }, _) => {
                        s.frames.push(frame.clone());
                        let ty = self.ty_at_depth(default, s, el, depth + 1);
                        s.frames.pop();
                        frame.types.insert(param.name.clone(), ty);
                    }
                    (GenericParamDefKind::Const { .. }, Some(GenericArg::Const(expr))) => {
                        frame.types.insert(param.name.clone(), Ty::Param(expr));
                    }
                    // Arguments that do not fit the definition: compare the alias by its path.
                    _ => return None,
                }
            }
            s.frames.push(frame);
            let expanded = self.ty_at_depth(&alias.type_, s, el, depth + 1);
            s.frames.pop();
            return Some(expanded);
        }
        let summary = self.krate.paths.get(&path.id)?;
        if summary.kind != RKind::TypeAlias {
            return None;
        }
        let written = summary.path.join("::");
        let (_, alias) = STD_ALIASES.iter().find(|(p, _)| *p == written)?;
        let (args, _) = self.plain_args(path, s, el);
        let result = |ok: Ty, err: Ty| {
            Ty::Path(TyPath {
                path: "core::result::Result".to_string(),
                args: Some(Box::new(GenericArgs::Angle {
                    args: vec![GenericArg::Type(ok), GenericArg::Type(err)],
                    constraints: Vec::new(),
                })),
            })
        };
        let plain = |path: &str| Ty::Path(TyPath { path: path.to_string(), args: None });
        let first_type = || match args.first() {
            Some(GenericArg::Type(ty)) => Some(ty.clone()),
            _ => None,
        };
        Some(match alias {
            StdAlias::ResultWith(error) => result(first_type()?, plain(error)),
            StdAlias::UnitResultWith(error) => result(Ty::unit(), plain(error)),
            StdAlias::ThreadResult => {
                let any = Ty::Dyn {
                    bounds: vec![
                        Bound::Trait { binder: Vec::new(), modifier: Modifier::None, trait_: TyPath { path: "core::any::Any".into(), args: None } },
                        Bound::Trait { binder: Vec::new(), modifier: Modifier::None, trait_: TyPath { path: "core::marker::Send".into(), args: None } },
                    ],
                    lifetime: "'static".to_string(),
                };
                let boxed = Ty::Path(TyPath {
                    path: "alloc::boxed::Box".to_string(),
                    args: Some(Box::new(GenericArgs::Angle { args: vec![GenericArg::Type(any)], constraints: Vec::new() })),
                });
                result(first_type()?, boxed)
            }
            StdAlias::Infallible => plain("core::convert::Infallible"),
        })
    }

    /// A path's angle-bracketed arguments, converted.
    fn plain_args(&self, path: &Path, s: &mut Scope, el: &Elision) -> (Vec<GenericArg>, Vec<Constraint>) {
        match self.args(path.args.as_deref(), s, el).map(|args| *args) {
            Some(GenericArgs::Angle { args, constraints }) => (args, constraints),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// Runs `f` with the `for<...>` lifetimes of `params` bound, and returns them (and those
    /// elision created inside), canonical and sorted.
    fn with_binder<R>(&self, params: &[GenericParamDef], s: &mut Scope, f: impl FnOnce(&Self, &mut Scope) -> R) -> (Vec<String>, R) {
        let depth = s.binders.len();
        let mut binder = Vec::new();
        for param in params {
            if matches!(param.kind, GenericParamDefKind::Lifetime { .. }) {
                let canonical = s.new_lifetime();
                s.binders.push((param.name.clone(), canonical.clone()));
                binder.push(canonical);
            }
        }
        s.captures.push(Vec::new());
        let result = f(self, s);
        binder.extend(s.captures.pop().unwrap_or_default());
        s.binders.truncate(depth);
        binder.sort();
        binder.dedup();
        (binder, result)
    }

    fn trait_bound(&self, params: &[GenericParamDef], modifier: TraitBoundModifier, trait_: &Path, s: &mut Scope, el: &Elision) -> Bound {
        let (binder, trait_) = self.with_binder(params, s, |n, s| n.path(trait_, s, el));
        let modifier = match modifier {
            TraitBoundModifier::None => Modifier::None,
            TraitBoundModifier::Maybe => Modifier::Maybe,
            TraitBoundModifier::MaybeConst => Modifier::MaybeConst,
        };
        Bound::Trait { binder, modifier, trait_ }
    }

    pub(super) fn bound(&self, bound: &GenericBound, s: &mut Scope, el: &Elision) -> Bound {
        match bound {
            GenericBound::TraitBound { trait_, generic_params, modifier } => {
                self.trait_bound(generic_params, *modifier, trait_, s, el)
            }
            GenericBound::Outlives(lifetime) => Bound::Outlives(s.lifetime(Some(lifetime), el)),
            GenericBound::Use(args) => Bound::Use(
                args.iter()
                    .map(|arg| match arg {
                        PreciseCapturingArg::Lifetime(name) => s.lifetime(Some(name), el),
                        PreciseCapturingArg::Param(name) => s.const_param(name),
                    })
                    .collect(),
            ),
        }
    }

    /// A set of bounds, sorted, each once (derives repeat the bounds they add).
    pub(super) fn bounds(&self, bounds: &[GenericBound], s: &mut Scope, el: &Elision) -> Vec<Bound> {
        let mut converted: Vec<Bound> = bounds.iter().map(|b| self.bound(b, s, el)).collect();
        converted.sort();
        converted.dedup();
        converted
    }

    /// Declares a type's, trait's or alias's parameters by position (lifetimes included).
    pub(super) fn declare_item_params(&self, generics: &rustdoc_types::Generics, s: &mut Scope) {
        s.declare_positional(&generics.params, true);
    }

    /// Declares a function's parameters by position (its lifetimes are named where they appear).
    pub(super) fn declare_fn_params(&self, generics: &rustdoc_types::Generics, s: &mut Scope) {
        s.declare_positional(&generics.params, false);
    }

    /// Declares an impl's parameters, named where they first appear.
    pub(super) fn declare_impl_params(&self, generics: &rustdoc_types::Generics, s: &mut Scope) {
        s.declare_lazy(&generics.params);
    }

    /// The normalized parameters and predicates of `generics`, already declared in `s`.
    /// `positional_lifetimes`: whether lifetime parameters are part of the parameter list
    /// (types and traits: yes; functions: no, they are late-bound). `skip_self_bounds`: leave
    /// out `where Self: ...` predicates (a trait's, which are its supertraits).
    pub(super) fn generics(&self, generics: &rustdoc_types::Generics, s: &mut Scope, positional_lifetimes: bool, skip_self_bounds: bool) -> super::Generics {
        let el = Elision::Fresh;
        let mut params = Vec::new();
        let mut predicates = Vec::new();
        for param in &generics.params {
            match &param.kind {
                GenericParamDefKind::Lifetime { outlives } => {
                    let name = s.lifetime(Some(&param.name), &el);
                    for bound in outlives {
                        predicates.push(Predicate::Outlives { lifetime: name.clone(), outlives: s.lifetime(Some(bound), &el) });
                    }
                    if positional_lifetimes {
                        params.push(GenericParam { name, kind: ParamKind::Lifetime });
                    }
                }
                // An `impl Trait` argument: its type carries its bounds.
                GenericParamDefKind::Type { is_synthetic: true, .. } => {}
                GenericParamDefKind::Type { bounds, default, .. } => {
                    let Ty::Param(name) = s.type_param(&param.name) else { continue };
                    let default = default.as_ref().map(|d| self.ty(d, s, &el));
                    for bound in bounds {
                        predicates.push(Predicate::Bound { binder: Vec::new(), ty: Ty::Param(name.clone()), bound: self.bound(bound, s, &el) });
                    }
                    params.push(GenericParam { name, kind: ParamKind::Type { default } });
                }
                GenericParamDefKind::Const { type_, default } => {
                    let name = s.const_param(&param.name);
                    let ty = self.ty(type_, s, &el);
                    params.push(GenericParam { name, kind: ParamKind::Const { ty, default: default.clone() } });
                }
            }
        }
        for predicate in &generics.where_predicates {
            match predicate {
                WherePredicate::BoundPredicate { type_, bounds, generic_params } => {
                    if matches!(type_, Type::Generic(name) if is_synthetic_name(generics, name)) {
                        continue;
                    }
                    if skip_self_bounds && generic_params.is_empty() && matches!(type_, Type::Generic(name) if name == "Self") {
                        continue;
                    }
                    for bound in bounds {
                        let (binder, (ty, bound)) = self.with_binder(generic_params, s, |n, s| {
                            (n.ty(type_, s, &el), n.bound(bound, s, &el))
                        });
                        predicates.push(Predicate::Bound { binder, ty, bound });
                    }
                }
                WherePredicate::LifetimePredicate { lifetime, outlives } => {
                    let lifetime = s.lifetime(Some(lifetime), &el);
                    for bound in outlives {
                        predicates.push(Predicate::Outlives { lifetime: lifetime.clone(), outlives: s.lifetime(Some(bound), &el) });
                    }
                }
                WherePredicate::EqPredicate { lhs, rhs } => {
                    predicates.push(Predicate::Equals { lhs: self.ty(lhs, s, &el), rhs: self.term(rhs, s, &el) });
                }
            }
        }
        predicates.sort();
        predicates.dedup();
        super::Generics { params, predicates }
    }

    /// A trait's supertraits: its bounds and its `where Self: ...` predicates, as one set.
    pub(super) fn supertraits(&self, trait_: &rustdoc_types::Trait, s: &mut Scope) -> Vec<Bound> {
        let el = Elision::Fresh;
        let mut bounds = self.bounds(&trait_.bounds, s, &el);
        for predicate in &trait_.generics.where_predicates {
            if let WherePredicate::BoundPredicate { type_: Type::Generic(name), bounds: more, generic_params } = predicate
                && name == "Self"
                && generic_params.is_empty()
            {
                bounds.extend(more.iter().map(|b| self.bound(b, s, &el)));
            }
        }
        bounds.sort();
        bounds.dedup();
        bounds
    }

    /// The ids of the traits a trait requires of `Self`: its bounds and `where Self:` predicates.
    pub(super) fn supertrait_ids(trait_: &rustdoc_types::Trait) -> Vec<Id> {
        let mut ids: Vec<Id> = trait_
            .bounds
            .iter()
            .filter_map(|b| match b {
                GenericBound::TraitBound { trait_, .. } => Some(trait_.id),
                _ => None,
            })
            .collect();
        for predicate in &trait_.generics.where_predicates {
            if let WherePredicate::BoundPredicate { type_: Type::Generic(name), bounds, .. } = predicate
                && name == "Self"
            {
                ids.extend(bounds.iter().filter_map(|b| match b {
                    GenericBound::TraitBound { trait_, .. } => Some(trait_.id),
                    _ => None,
                }));
            }
        }
        ids
    }
}

/// The lifetimes in a function's input types that elision counts (not those bound inside `Fn`
/// sugar or function pointers).
pub(super) fn elision_positions(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Ref { lifetime, inner, .. } => {
            out.push(lifetime.clone());
            elision_positions(inner, out);
        }
        Ty::Path(path) => path_positions(path, out),
        Ty::Ptr { inner, .. } | Ty::Slice(inner) | Ty::Array { inner, .. } => elision_positions(inner, out),
        Ty::Tuple(elements) => elements.iter().for_each(|t| elision_positions(t, out)),
        Ty::Assoc { self_ty, .. } => elision_positions(self_ty, out),
        Ty::Dyn { bounds, .. } | Ty::Impl(bounds) => {
            for bound in bounds {
                if let Bound::Trait { trait_, .. } = bound {
                    path_positions(trait_, out);
                }
            }
        }
        Ty::Param(_) | Ty::Primitive(_) | Ty::FnPtr(_) | Ty::Infer => {}
    }
}

fn path_positions(path: &TyPath, out: &mut Vec<String>) {
    if let Some(args) = path.args.as_deref()
        && let GenericArgs::Angle { args, .. } = args
    {
        for arg in args {
            match arg {
                GenericArg::Lifetime(lifetime) => out.push(lifetime.clone()),
                GenericArg::Type(ty) => elision_positions(ty, out),
                _ => {}
            }
        }
    }
}

/// A const expression; a lone const parameter by its canonical name.
fn const_expr(expr: &str, s: &mut Scope) -> String {
    if s.types.contains_key(expr) || s.lazy_types.contains(expr) || s.frames.last().is_some_and(|f| f.types.contains_key(expr)) {
        s.const_param(expr)
    } else {
        expr.to_string()
    }
}

fn is_synthetic_name(generics: &rustdoc_types::Generics, name: &str) -> bool {
    generics
        .params
        .iter()
        .any(|p| p.name == name && matches!(p.kind, GenericParamDefKind::Type { is_synthetic: true, .. }))
}

pub(super) fn qualifiers(header: &FunctionHeader) -> Qualifiers {
    Qualifiers {
        is_const: header.is_const,
        is_async: header.is_async,
        is_unsafe: header.is_unsafe,
        abi: abi_name(&header.abi),
    }
}

fn abi_name(abi: &Abi) -> Option<String> {
    let (name, unwind) = match abi {
        Abi::Rust => return None,
        Abi::C { unwind } => ("C", unwind),
        Abi::Cdecl { unwind } => ("cdecl", unwind),
        Abi::Stdcall { unwind } => ("stdcall", unwind),
        Abi::Fastcall { unwind } => ("fastcall", unwind),
        Abi::Aapcs { unwind } => ("aapcs", unwind),
        Abi::Win64 { unwind } => ("win64", unwind),
        Abi::SysV64 { unwind } => ("sysv64", unwind),
        Abi::System { unwind } => ("system", unwind),
        Abi::Other(other) => return Some(other.clone()),
    };
    Some(if *unwind { format!("{name}-unwind") } else { name.to_string() })
}

/// `const async unsafe extern "C" ` as it precedes `fn`.
pub(super) fn qualifier_prefix(qualifiers: &Qualifiers) -> String {
    let mut out = String::new();
    if qualifiers.is_const {
        out.push_str("const ");
    }
    if qualifiers.is_async {
        out.push_str("async ");
    }
    if qualifiers.is_unsafe {
        out.push_str("unsafe ");
    }
    if let Some(abi) = &qualifiers.abi {
        out.push_str(&format!("extern \"{abi}\" "));
    }
    out
}
