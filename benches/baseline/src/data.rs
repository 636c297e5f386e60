//! The data the baseline serves, hard-coded: one company, three
//! organizations, a few operators. [`seed_toml`] writes the same data as a
//! chathub-server seed, so both servers answer with the same bodies.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chathub_types::company::Organization;
use chathub_types::operator::Operator;
use chathub_types::token::OperatorFacts;
use chathub_types::{CompanyId, OperatorId, OperatorStatus, OrganizationId};
use chrono::{DateTime, Utc};

/// The company's login.
pub const LOGIN: &str = "bench";
/// The company's password (compared as it is: no hashing here).
pub const PASSWORD: &str = "bench-password-1";
/// The only company's id (the first row of a fresh chathub-server database).
const COMPANY: CompanyId = CompanyId(1);

/// One organization of the seed and its operators (name, status).
struct SeedOrganization {
    id: i32,
    name: &'static str,
    operators: &'static [(&'static str, i32)],
}

/// In seed order: chathub-server numbers operators 1, 2, … in this order.
const ORGANIZATIONS: &[SeedOrganization] = &[
    SeedOrganization {
        id: 24,
        name: "Customer Support",
        operators: &[
            ("John Smith", 0),
            ("Mike Wilson", 1),
            ("Alex Brown", 0),
            ("Emma Davis", 0),
            ("Olena Kovalenko", 2),
            ("Taras Melnyk", 0),
        ],
    },
    SeedOrganization { id: 6, name: "Sales Team", operators: &[("Jane Doe", 0)] },
    SeedOrganization { id: 42, name: "Technical Support", operators: &[("Hank Hill", 0)] },
];

/// The seed file for chathub-server with exactly this data.
pub fn seed_toml() -> String {
    let mut out = String::from("# Written by chathub-bench-baseline --print-seed for cargo xtask bench.\n");
    let _ = write!(out, "[[company]]\nlogin = \"{LOGIN}\"\npassword = \"{PASSWORD}\"\n");
    for organization in ORGANIZATIONS {
        let _ = write!(out, "\n[[company.organization]]\nid = {}\nname = \"{}\"\n", organization.id, organization.name);
        for (name, status) in organization.operators {
            let _ = write!(out, "\n[[company.organization.operator]]\nname = \"{name}\"\nstatus = {status}\n");
        }
    }
    out
}

/// An organization's record.
struct OrganizationRecord {
    company: CompanyId,
    name: String,
    operators: Vec<OperatorId>,
}

/// An operator's record.
struct OperatorRecord {
    organization: OrganizationId,
    name: String,
    status: OperatorStatus,
    last_deactivated_at: Option<DateTime<Utc>>,
}

/// Everything the baseline knows.
pub struct Data {
    organizations: BTreeMap<OrganizationId, OrganizationRecord>,
    operators: HashMap<OperatorId, OperatorRecord>,
    next_operator: i32,
}

impl Data {
    /// The hard-coded data.
    pub fn seeded() -> Self {
        let mut data = Self { organizations: BTreeMap::new(), operators: HashMap::new(), next_operator: 1 };
        for organization in ORGANIZATIONS {
            let id = OrganizationId(organization.id);
            data.organizations.insert(
                id,
                OrganizationRecord { company: COMPANY, name: organization.name.to_owned(), operators: Vec::new() },
            );
            for &(name, status) in organization.operators {
                data.add_operator(id, name.to_owned(), OperatorStatus::from_i32(status));
            }
        }
        data
    }

    /// The company signing in with `login` and `password`, compared as they are.
    pub fn sign_in(&self, login: &str, password: &str) -> Option<CompanyId> {
        (login == LOGIN && password == PASSWORD).then_some(COMPANY)
    }

    /// Whether `company` exists.
    pub fn has_company(&self, company: CompanyId) -> bool {
        company == COMPANY
    }

    /// The company's organizations, by id.
    pub fn organizations_of(&self, company: CompanyId) -> Vec<Organization> {
        self.organizations
            .iter()
            .filter(|(_, record)| record.company == company)
            .map(|(id, record)| Organization { id: *id, name: record.name.clone() })
            .collect()
    }

    /// Whether `company` owns `organization`.
    pub fn owns(&self, company: CompanyId, organization: OrganizationId) -> bool {
        self.organizations.get(&organization).is_some_and(|record| record.company == company)
    }

    /// An organization's operators, by id.
    pub fn operators_of(&self, organization: OrganizationId) -> Vec<Operator> {
        let Some(record) = self.organizations.get(&organization) else { return Vec::new() };
        let summary = Organization { id: organization, name: record.name.clone() };
        record
            .operators
            .iter()
            .filter_map(|id| {
                self.operators.get(id).map(|operator| Operator {
                    id: *id,
                    name: operator.name.clone(),
                    status: operator.status,
                    organization: summary.clone(),
                })
            })
            .collect()
    }

    /// Adds an operator and returns its id.
    pub fn add_operator(&mut self, organization: OrganizationId, name: String, status: OperatorStatus) -> OperatorId {
        let id = OperatorId(self.next_operator);
        self.next_operator += 1;
        if let Some(record) = self.organizations.get_mut(&organization) {
            record.operators.push(id);
        }
        self.operators.insert(id, OperatorRecord { organization, name, status, last_deactivated_at: None });
        id
    }

    /// The company owning an operator.
    pub fn company_of_operator(&self, id: OperatorId) -> Option<CompanyId> {
        let operator = self.operators.get(&id)?;
        self.organizations.get(&operator.organization).map(|record| record.company)
    }

    /// An operator's organization, status and last deactivation.
    pub fn operator(&self, id: OperatorId) -> Option<(OrganizationId, OperatorFacts)> {
        let operator = self.operators.get(&id)?;
        let company = self.organizations.get(&operator.organization)?.company;
        Some((
            operator.organization,
            OperatorFacts { company, status: operator.status, last_deactivated_at: operator.last_deactivated_at },
        ))
    }

    /// Sets an operator's status; `false` when there is no such operator.
    pub fn set_status(&mut self, id: OperatorId, status: OperatorStatus, now: DateTime<Utc>) -> bool {
        let Some(operator) = self.operators.get_mut(&id) else { return false };
        if !status.is_active() {
            operator.last_deactivated_at = Some(now);
        }
        operator.status = status;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_file_holds_every_operator_in_id_order() {
        let seed = seed_toml();
        let data = Data::seeded();
        let mut position = 0;
        for id in 1..data.next_operator {
            let name = &data.operators[&OperatorId(id)].name;
            let found = seed[position..].find(&format!("name = \"{name}\"")).unwrap();
            position += found;
        }
        assert!(seed.contains("login = \"bench\""));
        assert_eq!(data.operators_of(OrganizationId(24)).len(), 6);
        assert_eq!(data.organizations_of(COMPANY).iter().map(|o| o.id.0).collect::<Vec<_>>(), [6, 24, 42]);
    }
}
