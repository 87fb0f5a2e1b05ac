//! The listing of a crate that uses every kind of item, and its determinism.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use apicheck::{ApiFile, ApiModel, ListingOptions, Workspace};

/// The rustdoc JSON of fixtures/all-items, generated once.
fn all_items_json() -> &'static PathBuf {
    static JSON: OnceLock<PathBuf> = OnceLock::new();
    JSON.get_or_init(|| {
        let workspace = Workspace::load(Some(&support::fixtures().join("all-items/Cargo.toml"))).unwrap();
        let package = workspace.package("all-items").unwrap();
        workspace.rustdoc(&[package], Some(&support::fixture_target_dir("all-items"))).unwrap().remove(0)
    })
}

fn model() -> ApiModel {
    ApiFile::read(all_items_json()).unwrap().model()
}

#[test]
fn listing_of_every_item_kind() {
    insta::assert_snapshot!(model().listing(ListingOptions::default()));
}

#[test]
fn blanket_impls_are_in_the_model_but_listed_only_on_request() {
    let model = model();
    let default = model.listing(ListingOptions::default());
    let with_blanket = model.listing(ListingOptions { blanket_impls: true, ..Default::default() });
    assert!(!default.contains("core::convert::Into<U>"), "{default}");
    assert!(with_blanket.contains("impl<T, U> core::convert::Into<T> for all_items::Meters where T: core::convert::From<U>"), "{with_blanket}");
    let without_auto = model.listing(ListingOptions { hide_auto_traits: true, ..Default::default() });
    assert!(default.contains("impl core::marker::Send for all_items::Meters"));
    assert!(!without_auto.contains("core::marker::Send for"));
}

#[test]
fn the_model_is_deterministic_and_survives_a_round_trip_through_json() {
    let first = model();
    let second = model();
    assert_eq!(first, second);
    let saved = serde_json::to_string(&first).unwrap();
    let reloaded: ApiModel = serde_json::from_str(&saved).unwrap();
    assert_eq!(reloaded, first);
    assert_eq!(reloaded.listing(ListingOptions::default()), first.listing(ListingOptions::default()));
}

#[test]
fn items_are_reachable_at_every_public_path() {
    let model = model();
    let paths: Vec<&str> = model.items.iter().map(|i| i.key.as_str()).collect();
    for key in [
        "struct all_items::Config",
        "struct all_items::prelude::Config",
        "function all_items::make_slug",
        "function all_items::from_glob",
        "enum_variant all_items::Low",
        "reexport all_items::HashMap",
    ] {
        assert!(paths.contains(&key), "{key} missing from {paths:#?}");
    }
    let alias = model.get("struct all_items::prelude::Config").unwrap();
    assert_eq!(alias.alias_of.as_deref(), Some("all_items::Config"));
    assert!(model.get("function all_items::__internal_helper").unwrap().hidden);
    assert!(model.get("function all_items::sealed::Sealed").is_none(), "the sealing trait is not reachable");
    let storage = model.get("trait all_items::Storage").unwrap();
    assert!(matches!(storage.detail, apicheck::model::Detail::Trait { sealed: true, .. }));
    let render = model.get("trait all_items::Render").unwrap();
    assert!(matches!(render.detail, apicheck::model::Detail::Trait { sealed: false, .. }));
}
