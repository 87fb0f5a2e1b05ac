//! Renders rustdoc types, bounds and generics as fully qualified Rust-like strings.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use rustdoc_types::{
    Abi, AssocItemConstraint, AssocItemConstraintKind, Crate, FunctionHeader, FunctionPointer,
    GenericArg, GenericArgs, GenericBound, GenericParamDef, GenericParamDefKind, Id, Path,
    PreciseCapturingArg, Term, TraitBoundModifier, Type, WherePredicate,
};

use super::{Generics, Qualifiers};

/// Renders with the crate's path tables: local items by their canonical public path, foreign
/// items by the path rustdoc records for them.
pub(super) struct Renderer<'a> {
    krate: &'a Crate,
    public_paths: &'a HashMap<Id, String>,
    /// The other crates (besides std, core, alloc) whose items were rendered: the crate's
    /// public dependencies, as everything rendered is public API.
    external_crates: RefCell<BTreeSet<String>>,
}

/// Crates that ship with the toolchain: not dependencies a package chooses.
const TOOLCHAIN_CRATES: [&str; 5] = ["std", "core", "alloc", "proc_macro", "test"];

impl<'a> Renderer<'a> {
    pub(super) fn new(krate: &'a Crate, public_paths: &'a HashMap<Id, String>) -> Self {
        Renderer { krate, public_paths, external_crates: RefCell::new(BTreeSet::new()) }
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

    pub(super) fn path(&self, path: &Path) -> String {
        let mut out = self.item_path(&path.id, &path.path);
        if let Some(args) = &path.args {
            out.push_str(&self.generic_args(args));
        }
        out
    }

    pub(super) fn ty(&self, ty: &Type) -> String {
        match ty {
            Type::ResolvedPath(path) => self.path(path),
            Type::DynTrait(dyn_trait) => {
                let mut parts: Vec<String> = dyn_trait
                    .traits
                    .iter()
                    .map(|poly| format!("{}{}", self.hrtb(&poly.generic_params), self.path(&poly.trait_)))
                    .collect();
                if let Some(lifetime) = &dyn_trait.lifetime {
                    parts.push(lifetime.clone());
                }
                format!("dyn {}", parts.join(" + "))
            }
            Type::Generic(name) | Type::Primitive(name) => name.clone(),
            Type::FunctionPointer(pointer) => self.fn_pointer(pointer),
            Type::Tuple(types) => match types.as_slice() {
                [single] => format!("({},)", self.ty(single)),
                _ => format!("({})", self.list(types.iter().map(|t| self.ty(t)))),
            },
            Type::Slice(inner) => format!("[{}]", self.ty(inner)),
            Type::Array { type_, len } => format!("[{}; {}]", self.ty(type_), len),
            Type::Pat { type_, .. } => self.ty(type_),
            Type::ImplTrait(bounds) => format!("impl {}", self.bounds(bounds)),
            Type::Infer => "_".to_string(),
            Type::RawPointer { is_mutable, type_ } => {
                format!("*{} {}", if *is_mutable { "mut" } else { "const" }, self.ty(type_))
            }
            Type::BorrowedRef { lifetime, is_mutable, type_ } => {
                let mut out = String::from("&");
                if let Some(lifetime) = lifetime {
                    out.push_str(lifetime);
                    out.push(' ');
                }
                if *is_mutable {
                    out.push_str("mut ");
                }
                out.push_str(&self.ty(type_));
                out
            }
            Type::QualifiedPath { name, args, self_type, trait_ } => {
                let args = args.as_deref().map(|args| self.generic_args(args)).unwrap_or_default();
                match trait_ {
                    Some(trait_) => {
                        format!("<{} as {}>::{name}{args}", self.ty(self_type), self.path(trait_))
                    }
                    None => format!("{}::{name}{args}", self.ty(self_type)),
                }
            }
        }
    }

    fn list(&self, parts: impl Iterator<Item = String>) -> String {
        parts.collect::<Vec<_>>().join(", ")
    }

    fn fn_pointer(&self, pointer: &FunctionPointer) -> String {
        let inputs = self.list(pointer.sig.inputs.iter().map(|(_, ty)| self.ty(ty)));
        let variadic = if pointer.sig.is_c_variadic { ", ..." } else { "" };
        format!(
            "{}{}fn({inputs}{variadic}){}",
            self.hrtb(&pointer.generic_params),
            qualifier_prefix(&qualifiers(&pointer.header)),
            self.output(pointer.sig.output.as_ref())
        )
    }

    /// ` -> T`, or nothing for `()`.
    pub(super) fn output(&self, output: Option<&Type>) -> String {
        match output {
            Some(ty) if !matches!(ty, Type::Tuple(types) if types.is_empty()) => {
                format!(" -> {}", self.ty(ty))
            }
            _ => String::new(),
        }
    }

    fn hrtb(&self, params: &[GenericParamDef]) -> String {
        if params.is_empty() {
            return String::new();
        }
        format!("for<{}> ", self.list(params.iter().map(|p| self.param(p))))
    }

    pub(super) fn generic_args(&self, args: &GenericArgs) -> String {
        match args {
            GenericArgs::AngleBracketed { args, constraints } => {
                let parts: Vec<String> = args
                    .iter()
                    .map(|arg| match arg {
                        GenericArg::Lifetime(lifetime) => lifetime.clone(),
                        GenericArg::Type(ty) => self.ty(ty),
                        GenericArg::Const(constant) => constant.expr.clone(),
                        GenericArg::Infer => "_".to_string(),
                    })
                    .chain(constraints.iter().map(|c| self.constraint(c)))
                    .collect();
                if parts.is_empty() { String::new() } else { format!("<{}>", parts.join(", ")) }
            }
            GenericArgs::Parenthesized { inputs, output } => format!(
                "({}){}",
                self.list(inputs.iter().map(|t| self.ty(t))),
                self.output(output.as_ref())
            ),
            GenericArgs::ReturnTypeNotation => "(..)".to_string(),
        }
    }

    fn constraint(&self, constraint: &AssocItemConstraint) -> String {
        let args = constraint.args.as_deref().map(|a| self.generic_args(a)).unwrap_or_default();
        match &constraint.binding {
            AssocItemConstraintKind::Equality(term) => {
                format!("{}{args} = {}", constraint.name, self.term(term))
            }
            AssocItemConstraintKind::Constraint(bounds) => {
                format!("{}{args}: {}", constraint.name, self.bounds(bounds))
            }
        }
    }

    fn term(&self, term: &Term) -> String {
        match term {
            Term::Type(ty) => self.ty(ty),
            Term::Constant(constant) => constant.expr.clone(),
        }
    }

    pub(super) fn bound(&self, bound: &GenericBound) -> String {
        match bound {
            GenericBound::TraitBound { trait_, generic_params, modifier } => {
                let modifier = match modifier {
                    TraitBoundModifier::None => "",
                    TraitBoundModifier::Maybe => "?",
                    TraitBoundModifier::MaybeConst => "~const ",
                };
                format!("{}{modifier}{}", self.hrtb(generic_params), self.path(trait_))
            }
            GenericBound::Outlives(lifetime) => lifetime.clone(),
            GenericBound::Use(args) => format!(
                "use<{}>",
                self.list(args.iter().map(|arg| match arg {
                    PreciseCapturingArg::Lifetime(name) | PreciseCapturingArg::Param(name) => {
                        name.clone()
                    }
                }))
            ),
        }
    }

    /// `A + B`, each bound once (derives repeat the bounds they add).
    pub(super) fn bounds(&self, bounds: &[GenericBound]) -> String {
        let mut rendered: Vec<String> = Vec::with_capacity(bounds.len());
        for bound in bounds {
            let bound = self.bound(bound);
            if !rendered.contains(&bound) {
                rendered.push(bound);
            }
        }
        rendered.join(" + ")
    }

    /// A generic parameter as declared, with its inline bounds and default.
    fn param(&self, param: &GenericParamDef) -> String {
        match &param.kind {
            GenericParamDefKind::Lifetime { outlives } if outlives.is_empty() => param.name.clone(),
            GenericParamDefKind::Lifetime { outlives } => {
                format!("{}: {}", param.name, outlives.join(" + "))
            }
            GenericParamDefKind::Type { bounds, default, .. } => {
                let mut out = param.name.clone();
                if !bounds.is_empty() {
                    out.push_str(": ");
                    out.push_str(&self.bounds(bounds));
                }
                if let Some(default) = default {
                    out.push_str(" = ");
                    out.push_str(&self.ty(default));
                }
                out
            }
            GenericParamDefKind::Const { type_, default } => {
                let mut out = format!("const {}: {}", param.name, self.ty(type_));
                if let Some(default) = default {
                    out.push_str(" = ");
                    out.push_str(default);
                }
                out
            }
        }
    }

    /// The parameter list as declared (`<'a, T: Clone>`), omitting the parameters rustdoc
    /// synthesises for `impl Trait` arguments.
    pub(super) fn params_decl(&self, generics: &rustdoc_types::Generics) -> String {
        let params: Vec<String> =
            generics.params.iter().filter(|p| !is_synthetic(p)).map(|p| self.param(p)).collect();
        if params.is_empty() { String::new() } else { format!("<{}>", params.join(", ")) }
    }

    /// ` where T: Clone, ...`, or nothing.
    pub(super) fn where_clause(&self, generics: &rustdoc_types::Generics) -> String {
        let predicates: Vec<String> = generics
            .where_predicates
            .iter()
            .map(|predicate| match predicate {
                WherePredicate::BoundPredicate { type_, bounds, generic_params } => format!(
                    "{}{}: {}",
                    self.hrtb(generic_params),
                    self.ty(type_),
                    self.bounds(bounds)
                ),
                WherePredicate::LifetimePredicate { lifetime, outlives } => {
                    format!("{lifetime}: {}", outlives.join(" + "))
                }
                WherePredicate::EqPredicate { lhs, rhs } => {
                    format!("{} = {}", self.ty(lhs), self.term(rhs))
                }
            })
            .collect();
        if predicates.is_empty() {
            String::new()
        } else {
            format!(" where {}", predicates.join(", "))
        }
    }

    /// The normalised generics of one or more generic scopes (an impl block and its method).
    pub(super) fn generics(&self, scopes: &[&rustdoc_types::Generics]) -> Generics {
        let mut params = Vec::new();
        let mut predicates = Vec::new();
        for generics in scopes {
            for param in &generics.params {
                match &param.kind {
                    GenericParamDefKind::Lifetime { outlives } => {
                        params.push(param.name.clone());
                        predicates.extend(outlives.iter().map(|o| format!("{}: {o}", param.name)));
                    }
                    GenericParamDefKind::Type { bounds, default, is_synthetic } => {
                        // A synthetic parameter is an `impl Trait` argument: the argument type
                        // already carries its bounds.
                        if *is_synthetic {
                            continue;
                        }
                        params.push(match default {
                            Some(default) => format!("{} = {}", param.name, self.ty(default)),
                            None => param.name.clone(),
                        });
                        predicates.extend(
                            bounds.iter().map(|b| format!("{}: {}", param.name, self.bound(b))),
                        );
                    }
                    GenericParamDefKind::Const { .. } => params.push(self.param(param)),
                }
            }
            for predicate in &generics.where_predicates {
                match predicate {
                    WherePredicate::BoundPredicate { type_, bounds, generic_params } => {
                        if matches!(type_, Type::Generic(name) if is_synthetic_name(generics, name)) {
                            continue;
                        }
                        let hrtb = self.hrtb(generic_params);
                        let ty = self.ty(type_);
                        predicates
                            .extend(bounds.iter().map(|b| format!("{hrtb}{ty}: {}", self.bound(b))));
                    }
                    WherePredicate::LifetimePredicate { lifetime, outlives } => {
                        predicates.extend(outlives.iter().map(|o| format!("{lifetime}: {o}")));
                    }
                    WherePredicate::EqPredicate { lhs, rhs } => {
                        predicates.push(format!("{} = {}", self.ty(lhs), self.term(rhs)));
                    }
                }
            }
        }
        predicates.sort();
        predicates.dedup();
        Generics { params, predicates }
    }
}

fn is_synthetic(param: &GenericParamDef) -> bool {
    matches!(param.kind, GenericParamDefKind::Type { is_synthetic: true, .. })
}

fn is_synthetic_name(generics: &rustdoc_types::Generics, name: &str) -> bool {
    generics.params.iter().any(|p| p.name == name && is_synthetic(p))
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
