//! The outlet plugin contract through the real C ABI (in-process): SDK compliance, and that
//! it claims exactly its own articles among all fixtures.

use textkit::outlet::OutletRules;

#[test]
fn claims_its_own_articles_only() {
    textkit::testing::assert_outlet_contract(outlet_rfa::ingestd_plugin_v1, &["004_"]);
}

#[test]
fn rules_name_is_the_crate_name() {
    assert_eq!(textkit::outlets::Rfa::NAME, env!("CARGO_PKG_NAME"));
}
