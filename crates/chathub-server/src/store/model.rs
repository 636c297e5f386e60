//! The in-memory read model: every company, organization and operator,
//! kept coherent with the database on every committed write, so no read
//! queries the database.

use std::collections::{BTreeMap, HashMap};

use chathub_types::company::Organization;
use chathub_types::operator::Operator;
use chathub_types::token::OperatorFacts;
use chathub_types::{CompanyId, OperatorId, OperatorStatus, OrganizationId};
use chrono::{DateTime, Utc};

/// A SHA-256 digest of an API key.
pub type ApiKeyDigest = [u8; 32];

/// A company as the read model keeps it.
#[derive(Debug, Clone)]
pub struct CompanyRecord {
    /// Its id.
    pub id: CompanyId,
    /// Its login.
    pub login: String,
    /// Its argon2id PHC string.
    pub password_hash: String,
    /// Its API key's digest, if it has one.
    pub api_key_digest: Option<ApiKeyDigest>,
    /// Whether this is the demo company created on first start.
    pub is_demo: bool,
}

/// An organization as the read model keeps it.
#[derive(Debug, Clone)]
pub struct OrganizationRecord {
    /// Its company.
    pub company: CompanyId,
    /// Its name.
    pub name: String,
    /// Its operators' ids, ascending.
    pub operators: Vec<OperatorId>,
}

/// An operator as the read model keeps it.
#[derive(Debug, Clone)]
pub struct OperatorRecord {
    /// Its organization.
    pub organization: OrganizationId,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: OperatorStatus,
    /// The last time it was made Inactive or Deleted (Decision 9).
    pub last_deactivated_at: Option<DateTime<Utc>>,
    /// The URL of its photo (seeded, Decision 33).
    pub photo: Option<String>,
}

/// Everything the server reads, in memory.
#[derive(Debug, Default)]
pub struct ReadModel {
    companies: HashMap<CompanyId, CompanyRecord>,
    by_login: HashMap<String, CompanyId>,
    by_api_key: HashMap<ApiKeyDigest, CompanyId>,
    organizations: BTreeMap<OrganizationId, OrganizationRecord>,
    operators: HashMap<OperatorId, OperatorRecord>,
    /// Clients, chats and messages (spec §7).
    pub(crate) chats: super::chat_model::ChatModel,
}

impl ReadModel {
    /// Adds or replaces a company.
    pub fn put_company(&mut self, company: CompanyRecord) {
        if let Some(old) = self.companies.get(&company.id) {
            self.by_login.remove(&old.login);
            if let Some(digest) = old.api_key_digest {
                self.by_api_key.remove(&digest);
            }
        }
        self.by_login.insert(company.login.clone(), company.id);
        if let Some(digest) = company.api_key_digest {
            self.by_api_key.insert(digest, company.id);
        }
        self.companies.insert(company.id, company);
    }

    /// Adds or renames an organization (keeping its operators).
    pub fn put_organization(&mut self, id: OrganizationId, company: CompanyId, name: String) {
        let entry = self.organizations.entry(id).or_insert_with(|| OrganizationRecord {
            company,
            name: String::new(),
            operators: Vec::new(),
        });
        entry.company = company;
        entry.name = name;
    }

    /// Adds or replaces an operator.
    pub fn put_operator(&mut self, id: OperatorId, operator: OperatorRecord) {
        if let Some(organization) = self.organizations.get_mut(&operator.organization)
            && let Err(position) = organization.operators.binary_search(&id)
        {
            organization.operators.insert(position, id);
        }
        self.operators.insert(id, operator);
    }

    /// Changes an operator's status, recording a deactivation instant.
    pub fn set_status(&mut self, id: OperatorId, status: OperatorStatus, at: DateTime<Utc>) {
        if let Some(operator) = self.operators.get_mut(&id) {
            operator.status = status;
            if !status.is_active() {
                operator.last_deactivated_at = Some(at);
            }
        }
    }

    /// A company by id.
    pub fn company(&self, id: CompanyId) -> Option<&CompanyRecord> {
        self.companies.get(&id)
    }

    /// A company by login.
    pub fn company_by_login(&self, login: &str) -> Option<&CompanyRecord> {
        self.by_login.get(login).and_then(|id| self.companies.get(id))
    }

    /// A company by API key digest.
    pub fn company_by_api_key(&self, digest: &ApiKeyDigest) -> Option<&CompanyRecord> {
        self.by_api_key.get(digest).and_then(|id| self.companies.get(id))
    }

    /// Any company at all?
    pub fn has_companies(&self) -> bool {
        !self.companies.is_empty()
    }

    /// The demo company, if there is one.
    pub fn demo_company(&self) -> Option<&CompanyRecord> {
        self.companies.values().filter(|c| c.is_demo).min_by_key(|c| c.id)
    }

    /// An organization by id.
    pub fn organization(&self, id: OrganizationId) -> Option<&OrganizationRecord> {
        self.organizations.get(&id)
    }

    /// Whether `organization` belongs to `company`.
    pub fn owns_organization(&self, company: CompanyId, organization: OrganizationId) -> bool {
        self.organizations.get(&organization).is_some_and(|o| o.company == company)
    }

    /// A company's organizations, by id.
    pub fn organizations_of(&self, company: CompanyId) -> Vec<Organization> {
        self.organizations
            .iter()
            .filter(|(_, o)| o.company == company)
            .map(|(id, o)| Organization { id: *id, name: o.name.clone() })
            .collect()
    }

    /// An organization's operators, by id (empty for an unknown one).
    pub fn operators_of(&self, organization: OrganizationId) -> Vec<Operator> {
        let Some(record) = self.organizations.get(&organization) else { return Vec::new() };
        let summary = Organization { id: organization, name: record.name.clone() };
        record
            .operators
            .iter()
            .filter_map(|id| {
                self.operators.get(id).map(|op| Operator {
                    id: *id,
                    name: op.name.clone(),
                    status: op.status,
                    organization: summary.clone(),
                })
            })
            .collect()
    }

    /// Every operator's id, in no particular order.
    pub fn operator_ids(&self) -> impl Iterator<Item = OperatorId> + '_ {
        self.operators.keys().copied()
    }

    /// An operator by id.
    pub fn operator(&self, id: OperatorId) -> Option<&OperatorRecord> {
        self.operators.get(&id)
    }

    /// An operator's company.
    pub fn company_of_operator(&self, id: OperatorId) -> Option<CompanyId> {
        let operator = self.operators.get(&id)?;
        self.organizations.get(&operator.organization).map(|o| o.company)
    }

    /// What token validation needs to know of an operator (Decision 11).
    pub fn operator_facts(&self, id: OperatorId) -> Option<OperatorFacts> {
        let operator = self.operators.get(&id)?;
        let company = self.organizations.get(&operator.organization)?.company;
        Some(OperatorFacts { company, status: operator.status, last_deactivated_at: operator.last_deactivated_at })
    }

    /// An operator of `organization` named `name`, if any (seed matching).
    pub fn operator_named(&self, organization: OrganizationId, name: &str) -> Option<OperatorId> {
        let record = self.organizations.get(&organization)?;
        record.operators.iter().copied().find(|id| self.operators.get(id).is_some_and(|op| op.name == name))
    }

    /// An organization of `company` named `name`, if any (seed matching).
    pub fn organization_named(&self, company: CompanyId, name: &str) -> Option<OrganizationId> {
        self.organizations.iter().find(|(_, o)| o.company == company && o.name == name).map(|(id, _)| *id)
    }

    /// The Active operator with the lowest id among `candidates`' organizations.
    pub fn first_active_operator_of(&self, company: CompanyId) -> Option<OperatorId> {
        self.organizations
            .values()
            .filter(|o| o.company == company)
            .flat_map(|o| o.operators.iter().copied())
            .filter(|id| self.operators.get(id).is_some_and(|op| op.status.is_active()))
            .min()
    }

    /// The Active operator with the lowest id, of any company.
    pub fn first_active_operator(&self) -> Option<OperatorId> {
        self.operators.iter().filter(|(_, op)| op.status.is_active()).map(|(id, _)| *id).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator(organization: i32, status: OperatorStatus) -> OperatorRecord {
        OperatorRecord {
            organization: OrganizationId(organization),
            name: "x".to_owned(),
            status,
            last_deactivated_at: None,
            photo: None,
        }
    }

    #[test]
    fn the_first_active_operator_is_the_lowest_active_id_of_any_company() {
        let mut model = ReadModel::default();
        assert_eq!(model.first_active_operator(), None);
        model.put_organization(OrganizationId(1), CompanyId(1), "a".to_owned());
        model.put_organization(OrganizationId(2), CompanyId(2), "b".to_owned());
        model.put_operator(OperatorId(3), operator(1, OperatorStatus::Inactive));
        assert_eq!(model.first_active_operator(), None);
        model.put_operator(OperatorId(9), operator(1, OperatorStatus::Active));
        model.put_operator(OperatorId(5), operator(2, OperatorStatus::Active));
        model.put_operator(OperatorId(4), operator(2, OperatorStatus::Deleted));
        assert_eq!(model.first_active_operator(), Some(OperatorId(5)));
        model.set_status(OperatorId(5), OperatorStatus::Inactive, Utc::now());
        assert_eq!(model.first_active_operator(), Some(OperatorId(9)));
    }
}
