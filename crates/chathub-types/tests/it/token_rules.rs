//! Token rules at their edges (Decisions 9–12): operator-token lifetime,
//! expiry without leeway, revocation, and the order of validate-token's answers.

use chathub_types::limits::{
    DEFAULT_COMPANY_TOKEN_TTL_SECS, MAX_OPERATOR_TOKEN_LIFETIME_SECS, OPERATOR_TOKEN_SKEW_SECS,
};
use chathub_types::operator::get_token;
use chathub_types::time::truncate_to_seconds;
use chathub_types::token::{
    ISSUER, LifetimeError, OperatorFacts, TokenClaims, TokenKind, TokenRejection, company_token_expiry, is_expired,
    is_revoked, operator_token_expiry, validate_operator_token,
};
use chathub_types::{CompanyId, OperatorId, OperatorStatus};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;

use crate::support::{self, instant};

/// 24 h + 60 s, the latest an operator token may be asked to expire.
const LATEST_MS: i64 = (MAX_OPERATOR_TOKEN_LIFETIME_SECS + OPERATOR_TOKEN_SKEW_SECS) * 1000;

fn ms(n: i64) -> TimeDelta {
    TimeDelta::milliseconds(n)
}

fn whole_second() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 20, 12, 0, 0).unwrap()
}

#[test]
fn lifetime_edges_at_a_whole_second_and_mid_second() {
    for now in [whole_second(), whole_second() + ms(500), whole_second() + TimeDelta::nanoseconds(999_999_999)] {
        let cut = |t: DateTime<Utc>| Ok(truncate_to_seconds(t).timestamp());
        assert_eq!(operator_token_expiry(now, now), Err(LifetimeError::NotInFuture), "exactly now");
        assert_eq!(operator_token_expiry(now - ms(1), now), Err(LifetimeError::NotInFuture), "now - 1 ms");
        assert_eq!(operator_token_expiry(now - TimeDelta::days(400), now), Err(LifetimeError::NotInFuture));
        assert_eq!(operator_token_expiry(now + TimeDelta::nanoseconds(1), now), cut(now + TimeDelta::nanoseconds(1)));
        assert_eq!(operator_token_expiry(now + ms(1), now), cut(now + ms(1)), "now + 1 ms");
        assert_eq!(operator_token_expiry(now + TimeDelta::hours(24), now), cut(now + TimeDelta::hours(24)));
        assert_eq!(operator_token_expiry(now + ms(LATEST_MS), now), cut(now + ms(LATEST_MS)), "24 h + 60 s");
        assert_eq!(
            operator_token_expiry(now + ms(LATEST_MS + 1), now),
            Err(LifetimeError::TooLong),
            "24 h + 60 s + 1 ms"
        );
        assert_eq!(
            operator_token_expiry(now + ms(LATEST_MS) + TimeDelta::nanoseconds(1), now),
            Err(LifetimeError::TooLong)
        );
        assert_eq!(operator_token_expiry(now + TimeDelta::days(365), now), Err(LifetimeError::TooLong));
    }
    // The exp is the requested instant cut to seconds: 12:00:00.999 gives 12:00:00.
    assert_eq!(operator_token_expiry(whole_second() + ms(999), whole_second()), Ok(whole_second().timestamp()));
}

#[test]
fn lifetime_errors_name_expires_at() {
    let now = whole_second();
    let request = get_token::Request { id: OperatorId(123), expires_at: now };
    let errors = request.expiry(now).unwrap_err();
    assert!(errors.names("$.expiresAt"));
    assert_eq!(errors.iter().next().map(|(_, m)| m), Some("expiresAt must be in the future."));
    let request = get_token::Request { expires_at: now + ms(LATEST_MS + 1), ..request };
    assert_eq!(
        request.expiry(now).unwrap_err().iter().next(),
        Some(("$.expiresAt", "expiresAt must be at most 24 hours from now."))
    );
    let request = get_token::Request { expires_at: now + TimeDelta::hours(1), ..request };
    assert_eq!(request.expiry(now), Ok(now.timestamp() + 3600));
}

#[test]
fn expiry_has_no_leeway() {
    let exp = whole_second().timestamp();
    assert!(!is_expired(exp, whole_second() - ms(1)), "a millisecond before exp");
    assert!(is_expired(exp, whole_second()), "exactly exp");
    assert!(is_expired(exp, whole_second() + ms(1)));
    assert!(is_expired(exp, whole_second() + TimeDelta::hours(1)));
    assert!(!is_expired(i64::MAX, DateTime::<Utc>::MAX_UTC));
    assert!(is_expired(i64::MIN, DateTime::<Utc>::MIN_UTC));
}

#[test]
fn company_tokens_live_for_the_configured_lifetime() {
    let now = whole_second() + ms(700);
    let default = TimeDelta::seconds(DEFAULT_COMPANY_TOKEN_TTL_SECS);
    assert_eq!(company_token_expiry(now, default), whole_second().timestamp() + 86_400);
    assert_eq!(company_token_expiry(now, TimeDelta::seconds(1)), whole_second().timestamp() + 1);
}

#[test]
fn revocation_edges() {
    let deactivated = whole_second() + ms(500);
    let second = whole_second().timestamp();
    assert!(is_revoked(second - 1, Some(deactivated)), "issued a second before");
    assert!(is_revoked(second, Some(deactivated)), "issued in the same second as the deactivation");
    assert!(is_revoked(second, Some(whole_second())), "same second, deactivated at .000");
    assert!(!is_revoked(second + 1, Some(deactivated)), "issued the second after");
    assert!(!is_revoked(second + 1, Some(whole_second() + TimeDelta::nanoseconds(999_999_999))));
    assert!(!is_revoked(second, None), "never deactivated");
    assert!(!is_revoked(i64::MIN, None));
}

#[test]
fn reactivation_keeps_old_tokens_revoked_and_new_ones_valid() {
    let t0 = whole_second();
    // Issued at t0, deactivated at t0+10s, reactivated at t0+20s, token issued at t0+30s.
    let last_deactivation = Some(t0 + TimeDelta::seconds(10));
    let early = t0.timestamp();
    let late = (t0 + TimeDelta::seconds(30)).timestamp();
    assert!(is_revoked(early, last_deactivation));
    assert!(!is_revoked(late, last_deactivation));
    // Deactivated again at t0+40s: both are revoked now.
    let again = Some(t0 + TimeDelta::seconds(40));
    assert!(is_revoked(early, again) && is_revoked(late, again));
}

/// The claims of an operator token for operator 123 issued at `iat`.
fn operator_claims(iat: i64, exp: i64) -> TokenClaims {
    TokenClaims { iss: ISSUER.into(), sub: "123".into(), iat, exp, jti: "j".into(), kind: TokenKind::Operator }
}

const CALLER: CompanyId = CompanyId(7);

fn facts(company: i32, status: OperatorStatus, last_deactivated_at: Option<DateTime<Utc>>) -> OperatorFacts {
    OperatorFacts { company: CompanyId(company), status, last_deactivated_at }
}

#[test]
fn validation_order_of_decision_11() {
    let now = whole_second();
    let iat = now.timestamp() - 60;
    let live = operator_claims(iat, now.timestamp() + 1);
    let dead = operator_claims(iat, now.timestamp());
    let company = TokenClaims { kind: TokenKind::Company, ..dead.clone() };
    let active = Some(facts(7, OperatorStatus::Active, None));
    let foreign_inactive_revoked = Some(facts(8, OperatorStatus::Inactive, Some(now)));
    let inactive_revoked = Some(facts(7, OperatorStatus::Deleted, Some(now)));
    let revoked = Some(facts(7, OperatorStatus::Active, Some(now - TimeDelta::seconds(60))));
    type Case<'a> = (Option<&'a TokenClaims>, Option<OperatorFacts>, Result<i32, TokenRejection>);
    let cases: [Case<'_>; 11] = [
        (None, active, Err(TokenRejection::Invalid)),
        (Some(&company), active, Err(TokenRejection::NotOperatorToken)),
        (Some(&dead), foreign_inactive_revoked, Err(TokenRejection::Expired)),
        (Some(&dead), active, Err(TokenRejection::Expired)),
        (Some(&live), None, Err(TokenRejection::Invalid)),
        (Some(&live), foreign_inactive_revoked, Err(TokenRejection::Invalid)),
        (Some(&live), inactive_revoked, Err(TokenRejection::OperatorNotActive)),
        (Some(&live), Some(facts(7, OperatorStatus::Unknown(9), None)), Err(TokenRejection::OperatorNotActive)),
        (Some(&live), revoked, Err(TokenRejection::Revoked)),
        (Some(&live), Some(facts(7, OperatorStatus::Active, Some(now - TimeDelta::seconds(61)))), Ok(123)),
        (Some(&live), active, Ok(123)),
    ];
    for (index, (claims, facts, expected)) in cases.into_iter().enumerate() {
        let mut looked_up = None;
        let outcome = validate_operator_token(claims, CALLER, now, |id| {
            looked_up = Some(id);
            facts
        });
        assert_eq!(outcome, expected, "case {index}");
        if expected.is_ok() {
            assert_eq!(looked_up, Some(123));
        }
    }
    // A `sub` that is not a 32-bit integer is not a token of ours.
    let odd = TokenClaims { sub: "op-123".into(), ..live.clone() };
    assert_eq!(validate_operator_token(Some(&odd), CALLER, now, |_| active), Err(TokenRejection::Invalid));
    let phrases: Vec<&str> = [
        TokenRejection::Invalid,
        TokenRejection::NotOperatorToken,
        TokenRejection::Expired,
        TokenRejection::OperatorNotActive,
        TokenRejection::Revoked,
    ]
    .iter()
    .map(|r| r.phrase())
    .collect();
    assert_eq!(
        phrases,
        ["Invalid token", "Not an operator token", "Token expired", "Operator is not active", "Token revoked"]
    );
    assert_eq!(TokenRejection::Revoked.to_string(), "Token revoked");
}

proptest! {
    #![proptest_config(support::config("proptest-regressions/it/token_rules.txt"))]

    /// Any request between now and 24 h + 60 s later (exclusive of now) is
    /// accepted with `exp` = the request cut to seconds; anything else is refused.
    #[test]
    fn lifetime_rule(now in instant(), delta_ms in -LATEST_MS..=2 * LATEST_MS, extra_nanos in 0i64..1_000_000) {
        let requested = now + ms(delta_ms) + TimeDelta::nanoseconds(extra_nanos);
        let outcome = operator_token_expiry(requested, now);
        if requested <= now {
            prop_assert_eq!(outcome, Err(LifetimeError::NotInFuture));
        } else if requested > now + ms(LATEST_MS) {
            prop_assert_eq!(outcome, Err(LifetimeError::TooLong));
        } else {
            let exp = outcome.expect("within the window");
            prop_assert_eq!(exp, truncate_to_seconds(requested).timestamp());
            let exp_at = DateTime::from_timestamp(exp, 0).expect("in range");
            prop_assert!(exp_at <= requested && requested - exp_at < TimeDelta::seconds(1));
        }
    }

    /// No `now` or request, however far out, makes the rules panic.
    #[test]
    fn rules_never_panic_at_the_ends_of_time(
        now in prop_oneof![instant(), Just(DateTime::<Utc>::MAX_UTC), Just(DateTime::<Utc>::MIN_UTC)],
        requested in prop_oneof![instant(), Just(DateTime::<Utc>::MAX_UTC), Just(DateTime::<Utc>::MIN_UTC)],
        ttl_secs in prop_oneof![Just(i64::MAX / 1000), Just(i64::MIN / 1000), any::<i32>().prop_map(i64::from)],
    ) {
        let outcome = operator_token_expiry(requested, now);
        prop_assert_eq!(outcome.is_ok(), requested > now && requested - now <= ms(LATEST_MS));
        let ttl = TimeDelta::try_seconds(ttl_secs).expect("within TimeDelta's range");
        let _ = company_token_expiry(now, ttl);
        let _ = is_revoked(now.timestamp(), Some(requested));
        let _ = is_expired(requested.timestamp(), now);
    }

    /// A token is revoked iff it was issued no later than the second of the last deactivation.
    #[test]
    fn revocation_rule(deactivated in instant(), offset in -3i64..=3) {
        let iat = deactivated.timestamp() + offset;
        prop_assert_eq!(is_revoked(iat, Some(deactivated)), offset <= 0);
        prop_assert!(!is_revoked(iat, None));
    }

    /// Expired from the second `exp` on, never before.
    #[test]
    fn expiry_rule(now in instant(), offset_ms in -3000i64..=3000) {
        let exp = now.timestamp();
        let at = truncate_to_seconds(now) + ms(offset_ms);
        prop_assert_eq!(is_expired(exp, at), offset_ms >= 0);
    }

    /// Every combination of failures gives the first answer in Decision 11's order.
    #[test]
    fn validation_order_holds_for_every_combination(
        verified in any::<bool>(),
        operator_kind in any::<bool>(),
        expired in any::<bool>(),
        numeric_sub in any::<bool>(),
        known in any::<bool>(),
        same_company in any::<bool>(),
        status in any::<i32>().prop_map(OperatorStatus::from_i32),
        revoked in any::<bool>(),
        now in instant(),
    ) {
        let iat = now.timestamp() - 100;
        let claims = TokenClaims {
            iss: ISSUER.into(),
            sub: if numeric_sub { "123".into() } else { "x123".into() },
            iat,
            exp: if expired { now.timestamp() } else { now.timestamp() + 1 },
            jti: "j".into(),
            kind: if operator_kind { TokenKind::Operator } else { TokenKind::Company },
        };
        let deactivated = DateTime::from_timestamp(if revoked { iat } else { iat - 1 }, 999_000_000);
        let operator = facts(if same_company { 7 } else { 8 }, status, deactivated);
        let outcome = validate_operator_token(verified.then_some(&claims), CALLER, now, |id| {
            (known && id == 123).then_some(operator)
        });
        let expected = if !verified {
            Err(TokenRejection::Invalid)
        } else if !operator_kind {
            Err(TokenRejection::NotOperatorToken)
        } else if expired {
            Err(TokenRejection::Expired)
        } else if !numeric_sub || !known || !same_company {
            Err(TokenRejection::Invalid)
        } else if status != OperatorStatus::Active {
            Err(TokenRejection::OperatorNotActive)
        } else if revoked {
            Err(TokenRejection::Revoked)
        } else {
            Ok(123)
        };
        prop_assert_eq!(outcome, expected);
    }
}
