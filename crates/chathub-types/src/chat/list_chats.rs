//! `GET /api/chat/chats`: chats, filtered and paged (Decision 21).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Chat, ChatStatus, MessageSource};
use crate::query::{all_values, encode, first_value, parse_i32, parse_integer};
use crate::validation::ValidationErrors;
use crate::{Auth, Endpoint, Method, OperatorId, OrganizationId};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "chat.list",
    method: Method::Get,
    path: "/api/chat/chats",
    auth: Auth::CompanyOrOperator,
    has_body: false,
};

/// Items per page when `per_page` is absent.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// Most items per page.
pub const MAX_PER_PAGE: u32 = 100;

/// One bound of a `date` filter: a calendar day (UTC) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// `2026-01-28`: a UTC day.
    Day(NaiveDate),
    /// `2026-01-28T10:15:00Z`: an instant.
    Instant(DateTime<Utc>),
}

impl DateBound {
    /// Reads a date (`YYYY-MM-DD`) or a date-time (Decision 13).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() == 10 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            return NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Self::Day);
        }
        crate::time::parse_instant(text).ok().map(Self::Instant)
    }

    /// The instant it starts at.
    pub fn start(self) -> DateTime<Utc> {
        match self {
            Self::Day(day) => day.and_time(chrono::NaiveTime::MIN).and_utc(),
            Self::Instant(instant) => instant,
        }
    }

    /// The instant a range ending at it stops (exclusive): a day's end, or the instant.
    pub fn end(self) -> DateTime<Utc> {
        match self {
            Self::Day(day) => day.succ_opt().unwrap_or(day).and_time(chrono::NaiveTime::MIN).and_utc(),
            Self::Instant(instant) => instant,
        }
    }

    fn to_query_value(self) -> String {
        match self {
            Self::Day(day) => day.format("%Y-%m-%d").to_string(),
            Self::Instant(instant) => crate::time::format_instant(instant),
        }
    }
}

/// The `date` filter on `createdAt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFilter {
    /// One value: that UTC day, or from that instant on.
    Once(DateBound),
    /// Two values: `[first, second)`, a second date meaning that day's end.
    Between(DateBound, DateBound),
}

impl DateFilter {
    /// One UTC day.
    pub fn day(day: NaiveDate) -> Self {
        Self::Once(DateBound::Day(day))
    }

    /// From the start of `first` to the end of `last` (UTC days, both included):
    /// the vendor's `?date=2026-01-28&date=2026-01-29` is two days.
    pub fn days(first: NaiveDate, last: NaiveDate) -> Self {
        Self::Between(DateBound::Day(first), DateBound::Day(last))
    }

    /// From this instant on.
    pub fn since(instant: DateTime<Utc>) -> Self {
        Self::Once(DateBound::Instant(instant))
    }

    /// Whether a server would accept it (Decision 21: a range's second
    /// value, read at its start, not earlier than the first).
    pub fn is_ordered(self) -> bool {
        match self {
            Self::Once(_) => true,
            Self::Between(from, until) => until.start() >= from.start(),
        }
    }

    /// Whether `instant` falls in the filter.
    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        match self {
            Self::Once(DateBound::Day(day)) => {
                DateBound::Day(day).start() <= instant && instant < DateBound::Day(day).end()
            }
            Self::Once(DateBound::Instant(from)) => from <= instant,
            Self::Between(from, until) => from.start() <= instant && instant < until.end(),
        }
    }
}

/// The query, every rule of Decision 21 applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The page, from 1.
    pub page: u32,
    /// Items per page, 1-100.
    pub per_page: u32,
    /// A case-insensitive substring of theme, client name or phone.
    pub search: Option<String>,
    /// Only chats on this messenger (any integer; unknown ones match nothing).
    pub source: Option<i32>,
    /// Only chats created in this range.
    pub date: Option<DateFilter>,
    /// Only chats of the client with this Telegram user id.
    pub tg_user_id: Option<i64>,
    /// Only chats of the client with these phone digits (as given; its digits count).
    pub phone: Option<String>,
    /// Only chats with this status.
    pub status: Option<i32>,
    /// Only chats of this organization.
    pub organization_id: Option<OrganizationId>,
    /// Only chats assigned to this operator.
    pub operator_id: Option<OperatorId>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            search: None,
            source: None,
            date: None,
            tg_user_id: None,
            phone: None,
            status: None,
            organization_id: None,
            operator_id: None,
        }
    }
}

impl Query {
    /// The default query: page 1, 20 per page, no filters. Add filters
    /// with the builder methods.
    ///
    /// ```
    /// use chathub_types::chat::list_chats::{DateFilter, Query};
    /// use chathub_types::chat::{ChatStatus, MessageSource};
    /// use chrono::NaiveDate;
    /// let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    /// let query = Query::new()
    ///     .per_page(50)
    ///     .search("olena")
    ///     .source(MessageSource::TelegramBot)
    ///     .status(ChatStatus::Open)
    ///     .organization(24)
    ///     .date(DateFilter::days(day(28), day(29)));
    /// assert_eq!(
    ///     query.to_query_string(),
    ///     "per_page=50&search=olena&source=2&date=2026-01-28&date=2026-01-29&status=1&organizationId=24"
    /// );
    /// assert!(query.check().is_ok());
    /// assert!(Query::new().per_page(0).check().unwrap_err().names("per_page"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The page, from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Items per page, 1-100 (default 20).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page;
        self
    }

    /// Only chats whose theme, client name or phone holds this text (any case).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only chats on this messenger.
    pub fn source(mut self, source: MessageSource) -> Self {
        self.source = Some(source.to_i32());
        self
    }

    /// Only chats with this status.
    pub fn status(mut self, status: ChatStatus) -> Self {
        self.status = Some(status.to_i32());
        self
    }

    /// Only chats of this organization.
    pub fn organization(mut self, organization: impl Into<OrganizationId>) -> Self {
        self.organization_id = Some(organization.into());
        self
    }

    /// Only chats assigned to this operator.
    pub fn operator(mut self, operator: impl Into<OperatorId>) -> Self {
        self.operator_id = Some(operator.into());
        self
    }

    /// Only chats of the client with this phone: its digits count, so
    /// `+380 (50) 123-45-67` finds `380501234567`.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Only chats of the client with this Telegram user id.
    pub fn tg_user_id(mut self, id: i64) -> Self {
        self.tg_user_id = Some(id);
        self
    }

    /// Only chats created in this range.
    pub fn date(mut self, date: DateFilter) -> Self {
        self.date = Some(date);
        self
    }

    /// The rules a server checks that the query itself can break (Decision
    /// 21): `page` from 1, `per_page` 1-100, a `date` range in order.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !(1..=i32::MAX.unsigned_abs()).contains(&self.page) {
            errors.add("page", "The page must be an integer from 1.");
        }
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            errors.add("per_page", format!("The per_page must be an integer from 1 to {MAX_PER_PAGE}."));
        }
        if self.date.is_some_and(|date| !date.is_ordered()) {
            errors.add("date", "The second date must not be earlier than the first.");
        }
        errors.into_result()
    }

    /// Reads a raw query string (without `?`), naming every bad parameter.
    ///
    /// ```
    /// use chathub_types::chat::list_chats::Query;
    /// let query = Query::parse(Some("PAGE=2&per_page=5&search=olena&date=2026-01-28&date=2026-01-29")).unwrap();
    /// assert_eq!((query.page, query.per_page, query.search.as_deref()), (2, 5, Some("olena")));
    /// assert!(Query::parse(Some("per_page=101")).unwrap_err().names("per_page"));
    /// assert!(Query::parse(Some("date=1&date=2&date=3")).unwrap_err().names("date"));
    /// assert_eq!(Query::parse(None).unwrap(), Query::default());
    /// ```
    pub fn parse(raw: Option<&str>) -> Result<Self, ValidationErrors> {
        let raw = raw.unwrap_or("");
        let mut errors = ValidationErrors::new();
        let mut query = Self::default();
        if let Some(value) = first_value(raw, "page") {
            match parse_i32(&value).filter(|page| *page >= 1) {
                Some(page) => query.page = page.unsigned_abs(),
                None => errors.add("page", "The page must be an integer from 1."),
            }
        }
        if let Some(value) = first_value(raw, "per_page") {
            match parse_i32(&value).filter(|n| (1..=MAX_PER_PAGE as i32).contains(n)) {
                Some(per_page) => query.per_page = per_page.unsigned_abs(),
                None => errors.add("per_page", format!("The per_page must be an integer from 1 to {MAX_PER_PAGE}.")),
            }
        }
        query.search = first_value(raw, "search").filter(|search| !search.is_empty());
        query.phone = first_value(raw, "phone");
        let mut int = |name: &str| {
            let value = first_value(raw, name)?;
            let parsed = parse_i32(&value);
            if parsed.is_none() {
                errors.add(name, crate::query::not_valid(name, &value));
            }
            parsed
        };
        query.source = int("source");
        query.status = int("status");
        query.organization_id = int("organizationId").map(OrganizationId);
        query.operator_id = int("operatorId").map(OperatorId);
        if let Some(value) = first_value(raw, "tg_user_id") {
            match parse_integer::<i64>(&value) {
                Some(id) => query.tg_user_id = Some(id),
                None => errors.add("tg_user_id", crate::query::not_valid("tg_user_id", &value)),
            }
        }
        let dates = all_values(raw, "date");
        let bounds: Vec<Option<DateBound>> = dates.iter().map(|date| DateBound::parse(date)).collect();
        match bounds.as_slice() {
            [] => {}
            [Some(once)] => query.date = Some(DateFilter::Once(*once)),
            [Some(from), Some(until)] if until.start() >= from.start() => {
                query.date = Some(DateFilter::Between(*from, *until));
            }
            [Some(_), Some(_)] => errors.add("date", "The second date must not be earlier than the first."),
            [_] | [_, _] => {
                errors.add("date", "A date must be a date (2026-01-28) or a date-time (2026-01-28T10:15:00Z).")
            }
            _ => errors.add("date", "At most two dates may be given (a range)."),
        }
        errors.into_result().map(|()| query)
    }

    /// Whether `chat` passes every filter (visibility is the server's check).
    pub fn matches(&self, chat: &Chat) -> bool {
        self.prepared().matches(chat)
    }

    /// The filters with their text prepared once, for many chats.
    fn prepared(&self) -> Prepared<'_> {
        Prepared {
            query: self,
            needle: self.search.as_deref().map(str::to_lowercase),
            phone_digits: self.phone.as_deref().map(digits),
        }
    }

    /// Sorts `chats` newest id first, filters and pages them.
    pub fn apply(&self, chats: impl IntoIterator<Item = Chat>) -> Response {
        let filter = self.prepared();
        let mut matching: Vec<Chat> = chats.into_iter().filter(|chat| filter.matches(chat)).collect();
        matching.sort_by_key(|chat| std::cmp::Reverse(chat.id));
        let total = matching.len() as u64;
        let skip = (self.page as usize - 1).saturating_mul(self.per_page as usize);
        let items = matching.into_iter().skip(skip).take(self.per_page as usize).collect();
        Response { total, items }
    }

    /// The query string for a request (without `?`).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.page != 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            pairs.push(("per_page", self.per_page.to_string()));
        }
        if let Some(search) = &self.search {
            pairs.push(("search", search.clone()));
        }
        if let Some(source) = self.source {
            pairs.push(("source", source.to_string()));
        }
        match self.date {
            Some(DateFilter::Once(bound)) => pairs.push(("date", bound.to_query_value())),
            Some(DateFilter::Between(from, until)) => {
                pairs.push(("date", from.to_query_value()));
                pairs.push(("date", until.to_query_value()));
            }
            None => {}
        }
        if let Some(id) = self.tg_user_id {
            pairs.push(("tg_user_id", id.to_string()));
        }
        if let Some(phone) = &self.phone {
            pairs.push(("phone", phone.clone()));
        }
        if let Some(status) = self.status {
            pairs.push(("status", status.to_string()));
        }
        if let Some(id) = self.organization_id {
            pairs.push(("organizationId", id.to_string()));
        }
        if let Some(id) = self.operator_id {
            pairs.push(("operatorId", id.to_string()));
        }
        pairs.iter().map(|(name, value)| format!("{name}={}", encode(value))).collect::<Vec<_>>().join("&")
    }
}

/// A query's filters with the search text lowercased and the phone's
/// digits picked once ([`Query::apply`] checks many chats).
struct Prepared<'a> {
    query: &'a Query,
    /// The search text, lowercased.
    needle: Option<String>,
    /// The phone filter's digits.
    phone_digits: Option<String>,
}

impl Prepared<'_> {
    fn matches(&self, chat: &Chat) -> bool {
        if let Some(needle) = &self.needle {
            let found = [chat.theme.as_deref(), chat.client.name.as_deref(), chat.client.phone.as_deref()]
                .into_iter()
                .flatten()
                .any(|field| field.to_lowercase().contains(needle.as_str()));
            if !found {
                return false;
            }
        }
        if let Some(wanted) = &self.phone_digits {
            let client: Option<String> = chat.client.phone.as_deref().map(digits);
            if wanted.is_empty() || client.as_deref() != Some(wanted.as_str()) {
                return false;
            }
        }
        let query = self.query;
        query.source.is_none_or(|source| chat.mess_source == MessageSource::from_i32(source))
            && query.status.is_none_or(|status| chat.chat_status == ChatStatus::from_i32(status))
            && query.tg_user_id.is_none_or(|id| chat.client.tg_user_id == Some(id))
            && query.organization_id.is_none_or(|id| chat.organization_id == id)
            && query.operator_id.is_none_or(|id| chat.operator.as_ref().is_some_and(|op| op.id == id))
            && query.date.is_none_or(|date| date.contains(chat.created_at))
    }
}

/// The ASCII digits of a phone number.
fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The answer: how many chats match, and one page of them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    /// How many chats match, over every page.
    pub total: u64,
    /// This page, newest id first.
    pub items: Vec<Chat>,
}
