//! The fideslang manifest resources `privflow import fides` reads (fideslang 3.1.4's models, the
//! attributes the import uses); every other attribute of a manifest is accepted and ignored.

use serde::Deserialize;

/// One fideslang manifest file: the resource lists this import reads. Everything else a manifest
/// may hold (policies, evaluations, metadata) is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Manifest {
    pub organization: Vec<Organization>,
    pub system: Vec<System>,
    pub dataset: Vec<Dataset>,
    pub data_category: Vec<TaxonomyEntry>,
    pub data_use: Vec<TaxonomyEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Organization {
    pub fides_key: String,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct System {
    pub fides_key: String,
    pub name: Option<String>,
    pub organization_fides_key: Option<String>,
    pub system_type: Option<String>,
    pub vendor_id: Option<String>,
    pub legal_name: Option<String>,
    pub egress: Vec<DataFlow>,
    pub ingress: Vec<DataFlow>,
    pub privacy_declarations: Vec<Declaration>,
    pub dataset_references: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DataFlow {
    pub fides_key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data_categories: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Declaration {
    pub name: Option<String>,
    pub data_categories: Vec<String>,
    pub data_use: String,
    pub egress: Option<Vec<String>>,
    pub ingress: Option<Vec<String>>,
    pub dataset_references: Option<Vec<String>>,
    pub retention_period: Option<String>,
    pub processes_special_category_data: bool,
    pub data_shared_with_third_parties: bool,
    pub third_parties: Option<String>,
    pub shared_categories: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Dataset {
    pub fides_key: String,
    pub name: Option<String>,
    pub organization_fides_key: Option<String>,
    pub data_categories: Vec<String>,
    pub collections: Vec<DatasetNode>,
}

/// A collection or a field of a dataset: its categories, and its own fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DatasetNode {
    pub data_categories: Option<Vec<String>>,
    pub fields: Option<Vec<DatasetNode>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaxonomyEntry {
    pub fides_key: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub parent_key: Option<String>,
}
