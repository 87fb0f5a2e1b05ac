//! Types, bounds and generics as structure, in the normalized form the diff compares.
//!
//! Every value here is built by [`super::normalize`], which makes equivalent spellings equal:
//! `Self` resolved to the impl's self type, generic parameters renamed by position, lifetimes
//! renamed by first appearance with elision made explicit, bounds kept as sorted sets, type
//! aliases expanded. `Display` renders the normalized form for people (listings, messages); the
//! diff never compares rendered text.

use std::fmt::{self, Display, Formatter, Write};

use serde::{Deserialize, Serialize};

/// A type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// A named type: fully qualified path and generic arguments.
    Path(TyPath),
    /// A generic parameter by its canonical name (`T`, `U`...), or `Self` inside a trait.
    Param(String),
    Primitive(String),
    /// `&'a T`: the lifetime is always explicit here (elision resolved).
    Ref { lifetime: String, mutable: bool, inner: Box<Ty> },
    Ptr { mutable: bool, inner: Box<Ty> },
    Slice(Box<Ty>),
    Array { inner: Box<Ty>, len: String },
    Tuple(Vec<Ty>),
    FnPtr(Box<FnPtr>),
    /// `dyn A + B + 'l`: bounds sorted, the object lifetime always explicit.
    Dyn { bounds: Vec<Bound>, lifetime: String },
    /// `impl A + B`: bounds sorted.
    Impl(Vec<Bound>),
    /// `<T as Trait>::Name<args>` (or `T::Name` when rustdoc gives no trait).
    Assoc { self_ty: Box<Ty>, trait_: Option<TyPath>, name: String, args: Option<Box<GenericArgs>> },
    Infer,
}

/// A function pointer type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FnPtr {
    /// `for<'a>` lifetimes, including those elision introduces, sorted.
    pub binder: Vec<String>,
    pub qualifiers: super::Qualifiers,
    pub inputs: Vec<Ty>,
    pub output: Ty,
    pub variadic: bool,
}

/// A path with its generic arguments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TyPath {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Box<GenericArgs>>,
}

/// The arguments of a path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenericArgs {
    /// `<'a, T, N, Item = U>`; never empty (no arguments is `None` on the path).
    Angle { args: Vec<GenericArg>, constraints: Vec<Constraint> },
    /// `Fn(A, B) -> C`.
    Fn { inputs: Vec<Ty>, output: Ty },
    /// `f(..)` (return type notation).
    ReturnType,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenericArg {
    Lifetime(String),
    Type(Ty),
    Const(String),
    Infer,
}

/// `Item = T` or `Item: Bound` in generic arguments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Constraint {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Box<GenericArgs>>,
    pub kind: ConstraintKind,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    Equals(Term),
    /// Sorted.
    Bounds(Vec<Bound>),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    Type(Ty),
    Const(String),
}

/// One bound.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Trait {
        /// `for<'a>` lifetimes, sorted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        binder: Vec<String>,
        #[serde(default, skip_serializing_if = "is_default")]
        modifier: Modifier,
        trait_: TyPath,
    },
    Outlives(String),
    /// `use<'a, T>` precise capturing.
    Use(Vec<String>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifier {
    #[default]
    None,
    /// `?Sized`
    Maybe,
    /// `~const`
    MaybeConst,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A declared generic parameter, by its canonical name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GenericParam {
    pub name: String,
    pub kind: ParamKind,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    Lifetime,
    Type { default: Option<Ty> },
    Const { ty: Ty, default: Option<String> },
}

/// One constraint of a where clause or an inline bound, one bound each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Predicate {
    /// `for<'a> T: Bound`
    Bound {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        binder: Vec<String>,
        ty: Ty,
        bound: Bound,
    },
    /// `'a: 'b`
    Outlives { lifetime: String, outlives: String },
    /// `T::Item = U`
    Equals { lhs: Ty, rhs: Term },
}

impl Predicate {
    /// `?Sized` relaxes a default bound: adding it loosens, removing it tightens.
    pub fn relaxes(&self) -> bool {
        matches!(self, Predicate::Bound { bound: Bound::Trait { modifier: Modifier::Maybe, .. }, .. })
    }

    /// The generic parameter this predicate constrains directly, if any.
    pub fn subject_param(&self) -> Option<&str> {
        match self {
            Predicate::Bound { ty: Ty::Param(name), .. } => Some(name),
            Predicate::Outlives { lifetime, .. } => Some(lifetime),
            _ => None,
        }
    }
}

impl Ty {
    pub fn unit() -> Ty {
        Ty::Tuple(Vec::new())
    }

    pub fn is_unit(&self) -> bool {
        matches!(self, Ty::Tuple(elements) if elements.is_empty())
    }

    /// This type with every `Ty::Param` named in `substitution` replaced.
    pub fn substitute(&self, substitution: &dyn Fn(&str) -> Option<Ty>) -> Ty {
        let mut ty = self.clone();
        ty.visit_params_mut(&mut |ty| {
            if let Ty::Param(name) = ty
                && let Some(replacement) = substitution(name)
            {
                *ty = replacement;
            }
        });
        ty
    }

    fn visit_params_mut(&mut self, f: &mut dyn FnMut(&mut Ty)) {
        match self {
            Ty::Param(_) => f(self),
            Ty::Path(path) => path.visit_params_mut(f),
            Ty::Ref { inner, .. } | Ty::Ptr { inner, .. } | Ty::Slice(inner) | Ty::Array { inner, .. } => inner.visit_params_mut(f),
            Ty::Tuple(elements) => elements.iter_mut().for_each(|t| t.visit_params_mut(f)),
            Ty::FnPtr(pointer) => {
                pointer.inputs.iter_mut().for_each(|t| t.visit_params_mut(f));
                pointer.output.visit_params_mut(f);
            }
            Ty::Dyn { bounds, .. } | Ty::Impl(bounds) => bounds.iter_mut().for_each(|b| b.visit_params_mut(f)),
            Ty::Assoc { self_ty, trait_, args, .. } => {
                self_ty.visit_params_mut(f);
                if let Some(trait_) = trait_ {
                    trait_.visit_params_mut(f);
                }
                if let Some(args) = args {
                    args.visit_params_mut(f);
                }
            }
            Ty::Primitive(_) | Ty::Infer => {}
        }
    }

    /// This type with the trait of each `<X as Trait>::Name` projection replaced where `f`
    /// (given `X`, `Trait` and `Name`) gives another.
    pub fn map_projections(&self, f: &dyn Fn(&Ty, &TyPath, &str) -> Option<TyPath>) -> Ty {
        let map = |ty: &Ty| ty.map_projections(f);
        match self {
            Ty::Assoc { self_ty, trait_, name, args } => Ty::Assoc {
                trait_: trait_.as_ref().map(|t| f(self_ty, t, name).unwrap_or_else(|| t.clone())),
                self_ty: Box::new(map(self_ty)),
                name: name.clone(),
                args: args.clone(),
            },
            Ty::Path(path) => Ty::Path(TyPath {
                path: path.path.clone(),
                args: path.args.as_deref().map(|args| {
                    Box::new(match args {
                        GenericArgs::Angle { args, constraints } => GenericArgs::Angle {
                            args: args
                                .iter()
                                .map(|arg| match arg {
                                    GenericArg::Type(ty) => GenericArg::Type(map(ty)),
                                    other => other.clone(),
                                })
                                .collect(),
                            constraints: constraints.clone(),
                        },
                        other => other.clone(),
                    })
                }),
            }),
            Ty::Ref { lifetime, mutable, inner } => Ty::Ref { lifetime: lifetime.clone(), mutable: *mutable, inner: Box::new(map(inner)) },
            Ty::Ptr { mutable, inner } => Ty::Ptr { mutable: *mutable, inner: Box::new(map(inner)) },
            Ty::Slice(inner) => Ty::Slice(Box::new(map(inner))),
            Ty::Array { inner, len } => Ty::Array { inner: Box::new(map(inner)), len: len.clone() },
            Ty::Tuple(elements) => Ty::Tuple(elements.iter().map(map).collect()),
            other => other.clone(),
        }
    }

    /// Whether `self` (a type with generic parameters) can stand for `concrete`: each parameter
    /// matched consistently. Used to see that a generic impl covers the type an old one named.
    pub fn covers(&self, concrete: &Ty) -> bool {
        let mut bound: Vec<(String, Ty)> = Vec::new();
        unify(self, concrete, &mut bound)
    }
}

fn unify(pattern: &Ty, concrete: &Ty, bound: &mut Vec<(String, Ty)>) -> bool {
    match (pattern, concrete) {
        (Ty::Param(name), _) if name != "Self" => match bound.iter().find(|(n, _)| n == name) {
            Some((_, ty)) => ty == concrete,
            None => {
                bound.push((name.clone(), concrete.clone()));
                true
            }
        },
        (Ty::Path(a), Ty::Path(b)) => {
            a.path == b.path
                && match (a.args.as_deref(), b.args.as_deref()) {
                    (None, None) => true,
                    (Some(GenericArgs::Angle { args: x, constraints: cx }), Some(GenericArgs::Angle { args: y, constraints: cy })) => {
                        cx == cy
                            && x.len() == y.len()
                            && x.iter().zip(y).all(|pair| match pair {
                                (GenericArg::Type(p), GenericArg::Type(c)) => unify(p, c, bound),
                                (GenericArg::Lifetime(_), GenericArg::Lifetime(_)) => true,
                                (p, c) => p == c,
                            })
                    }
                    (x, y) => x == y,
                }
        }
        (Ty::Ref { mutable: a, inner: x, .. }, Ty::Ref { mutable: b, inner: y, .. }) => a == b && unify(x, y, bound),
        (Ty::Slice(x), Ty::Slice(y)) => unify(x, y, bound),
        (Ty::Tuple(xs), Ty::Tuple(ys)) => xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| unify(x, y, bound)),
        _ => pattern == concrete,
    }
}

impl TyPath {
    fn visit_params_mut(&mut self, f: &mut dyn FnMut(&mut Ty)) {
        if let Some(args) = &mut self.args {
            args.visit_params_mut(f);
        }
    }
}

impl GenericArgs {
    fn visit_params_mut(&mut self, f: &mut dyn FnMut(&mut Ty)) {
        match self {
            GenericArgs::Angle { args, constraints } => {
                for arg in args {
                    if let GenericArg::Type(ty) = arg {
                        ty.visit_params_mut(f);
                    }
                }
                for constraint in constraints {
                    match &mut constraint.kind {
                        ConstraintKind::Equals(Term::Type(ty)) => ty.visit_params_mut(f),
                        ConstraintKind::Bounds(bounds) => bounds.iter_mut().for_each(|b| b.visit_params_mut(f)),
                        ConstraintKind::Equals(Term::Const(_)) => {}
                    }
                }
            }
            GenericArgs::Fn { inputs, output } => {
                inputs.iter_mut().for_each(|t| t.visit_params_mut(f));
                output.visit_params_mut(f);
            }
            GenericArgs::ReturnType => {}
        }
    }
}

impl Bound {
    fn visit_params_mut(&mut self, f: &mut dyn FnMut(&mut Ty)) {
        if let Bound::Trait { trait_, .. } = self {
            trait_.visit_params_mut(f);
        }
    }

    /// The trait's path, for trait bounds.
    pub fn trait_path(&self) -> Option<&str> {
        match self {
            Bound::Trait { trait_, .. } => Some(&trait_.path),
            _ => None,
        }
    }
}

/// `A + B`.
pub struct JoinBounds<'a>(pub &'a [Bound]);

impl Display for JoinBounds<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (index, bound) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(" + ")?;
            }
            write!(f, "{bound}")?;
        }
        Ok(())
    }
}

fn binder(f: &mut Formatter<'_>, lifetimes: &[String]) -> fmt::Result {
    if lifetimes.is_empty() {
        return Ok(());
    }
    write!(f, "for<{}> ", lifetimes.join(", "))
}

fn comma_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// ` -> T`, or nothing for `()`.
pub struct Output<'a>(pub &'a Ty);

impl Display for Output<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_unit() { Ok(()) } else { write!(f, " -> {}", self.0) }
    }
}

impl Display for Ty {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Path(path) => write!(f, "{path}"),
            Ty::Param(name) | Ty::Primitive(name) => f.write_str(name),
            Ty::Ref { lifetime, mutable, inner } => {
                f.write_char('&')?;
                if lifetime != "'_" {
                    write!(f, "{lifetime} ")?;
                }
                if *mutable {
                    f.write_str("mut ")?;
                }
                write!(f, "{inner}")
            }
            Ty::Ptr { mutable, inner } => write!(f, "*{} {inner}", if *mutable { "mut" } else { "const" }),
            Ty::Slice(inner) => write!(f, "[{inner}]"),
            Ty::Array { inner, len } => write!(f, "[{inner}; {len}]"),
            Ty::Tuple(elements) if elements.len() == 1 => write!(f, "({},)", elements[0]),
            Ty::Tuple(elements) => {
                f.write_char('(')?;
                comma_list(f, elements)?;
                f.write_char(')')
            }
            Ty::FnPtr(pointer) => {
                binder(f, &pointer.binder)?;
                f.write_str(&super::normalize::qualifier_prefix(&pointer.qualifiers))?;
                f.write_str("fn(")?;
                comma_list(f, &pointer.inputs)?;
                if pointer.variadic {
                    f.write_str(", ...")?;
                }
                write!(f, "){}", Output(&pointer.output))
            }
            Ty::Dyn { bounds, lifetime } => {
                write!(f, "dyn {}", JoinBounds(bounds))?;
                if lifetime != "'_" {
                    write!(f, " + {lifetime}")?;
                }
                Ok(())
            }
            Ty::Impl(bounds) => write!(f, "impl {}", JoinBounds(bounds)),
            Ty::Assoc { self_ty, trait_, name, args } => {
                match trait_ {
                    Some(trait_) => write!(f, "<{self_ty} as {trait_}>::{name}")?,
                    None => write!(f, "{self_ty}::{name}")?,
                }
                if let Some(args) = args {
                    write!(f, "{args}")?;
                }
                Ok(())
            }
            Ty::Infer => f.write_char('_'),
        }
    }
}

impl Display for TyPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(args) = &self.args {
            write!(f, "{args}")?;
        }
        Ok(())
    }
}

impl Display for GenericArgs {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GenericArgs::Angle { args, constraints } => {
                f.write_char('<')?;
                comma_list(f, args)?;
                if !args.is_empty() && !constraints.is_empty() {
                    f.write_str(", ")?;
                }
                comma_list(f, constraints)?;
                f.write_char('>')
            }
            GenericArgs::Fn { inputs, output } => {
                f.write_char('(')?;
                comma_list(f, inputs)?;
                write!(f, "){}", Output(output))
            }
            GenericArgs::ReturnType => f.write_str("(..)"),
        }
    }
}

impl Display for GenericArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GenericArg::Lifetime(name) | GenericArg::Const(name) => f.write_str(name),
            GenericArg::Type(ty) => write!(f, "{ty}"),
            GenericArg::Infer => f.write_char('_'),
        }
    }
}

impl Display for Constraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(args) = &self.args {
            write!(f, "{args}")?;
        }
        match &self.kind {
            ConstraintKind::Equals(term) => write!(f, " = {term}"),
            ConstraintKind::Bounds(bounds) => write!(f, ": {}", JoinBounds(bounds)),
        }
    }
}

impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Term::Type(ty) => write!(f, "{ty}"),
            Term::Const(expr) => f.write_str(expr),
        }
    }
}

impl Display for Bound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Trait { binder: lifetimes, modifier, trait_ } => {
                binder(f, lifetimes)?;
                f.write_str(match modifier {
                    Modifier::None => "",
                    Modifier::Maybe => "?",
                    Modifier::MaybeConst => "~const ",
                })?;
                write!(f, "{trait_}")
            }
            Bound::Outlives(lifetime) => f.write_str(lifetime),
            Bound::Use(args) => write!(f, "use<{}>", args.join(", ")),
        }
    }
}

impl Display for GenericParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParamKind::Lifetime => f.write_str(&self.name),
            ParamKind::Type { default: None } => f.write_str(&self.name),
            ParamKind::Type { default: Some(default) } => write!(f, "{} = {default}", self.name),
            ParamKind::Const { ty, default } => {
                write!(f, "const {}: {ty}", self.name)?;
                if let Some(default) = default {
                    write!(f, " = {default}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Predicate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Bound { binder: lifetimes, ty, bound } => {
                binder(f, lifetimes)?;
                write!(f, "{ty}: {bound}")
            }
            Predicate::Outlives { lifetime, outlives } => write!(f, "{lifetime}: {outlives}"),
            Predicate::Equals { lhs, rhs } => write!(f, "{lhs} = {rhs}"),
        }
    }
}
