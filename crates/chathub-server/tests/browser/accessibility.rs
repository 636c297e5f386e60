//! Accessible basics of the panel: text contrast of at least 4.5:1 (WCAG AA)
//! in the light and the dark color scheme, labels for screen readers, and
//! keyboard focus that reaches the panel's button and shows.

use serde_json::Value;

use crate::chromium::Browser;
use crate::support::{Server, panel};

const ID: &str = "operator-chat-panel-script";

/// The panel's text-bearing parts [`colors`] checks.
const TEXT_PARTS: &str = "h2, h3, p, li span, .badge, button, .label, time";

/// JavaScript: for every text-bearing part of the panel, its text color and
/// the background behind it (the nearest ancestor with an opaque one).
fn colors() -> String {
    colors_of(ID, TEXT_PARTS)
}

/// JavaScript: for every visible element `selector` finds in panel `id`
/// with text, its text color and the background behind it (the nearest
/// ancestor with an opaque one).
pub fn colors_of(id: &str, selector: &str) -> String {
    format!(
        r#"(() => {{
        const root = {}.shadowRoot;
        const opaque = (element) => {{
            for (let node = element; node && node !== root; node = node.parentNode) {{
                const background = getComputedStyle(node).backgroundColor;
                if (!/rgba\(.*,\s*0\)$/.test(background) && background !== 'transparent') return background;
            }}
            return null;
        }};
        return [...root.querySelectorAll({selector:?})]
            .filter((element) => element.textContent.trim() !== '' && element.getClientRects().length > 0)
            .map((element) => ({{
                text: element.textContent.trim().slice(0, 40),
                fg: getComputedStyle(element).color,
                bg: opaque(element),
            }}));
    }})()"#,
        panel(id)
    )
}

/// `rgb(r, g, b)` as 0–255 channels.
fn channels(color: &str) -> [f64; 3] {
    let inner = color.trim_start_matches("rgba(").trim_start_matches("rgb(").trim_end_matches(')');
    let values: Vec<f64> = inner.split(',').map(|part| part.trim().parse().expect("a channel")).collect();
    assert!(values.len() >= 3, "{color}");
    [values[0], values[1], values[2]]
}

/// WCAG relative luminance.
fn luminance(color: &str) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let [r, g, b] = channels(color);
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// WCAG contrast ratio of two colors.
pub fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn contrast_formula() {
    assert!((contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") - 21.0).abs() < 1e-9);
    assert!((contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") - 4.48).abs() < 0.01);
}

#[tokio::test]
async fn readable_in_light_and_dark_labelled_and_reachable_by_keyboard() {
    let server = Server::start(&[], true).await;
    let browser = Browser::launch().await;
    let page = browser.new_page().await;
    page.goto(&format!("{}/demo/widget", server.url())).await;
    page.wait_for("the panel to connect", &format!("{}?.dataset.state === 'connected'", panel(ID))).await;

    let mut backgrounds = Vec::new();
    for scheme in ["light", "dark"] {
        page.color_scheme(scheme).await;
        page.wait_for(
            &format!("the {scheme} scheme to apply"),
            &format!("matchMedia('(prefers-color-scheme: {scheme})').matches"),
        )
        .await;
        let parts: Vec<Value> = serde_json::from_value(page.eval(&colors()).await).expect("a list");
        assert!(parts.len() >= 8, "too few text parts found: {parts:?}");
        for part in &parts {
            let (fg, bg) = (part["fg"].as_str().expect("a color"), part["bg"].as_str().expect("a background"));
            let ratio = contrast(fg, bg);
            assert!(ratio >= 4.5, "{scheme}: `{}` is {fg} on {bg}, contrast {ratio:.2} < 4.5", part["text"]);
        }
        let section = page
            .eval(&format!("getComputedStyle({}.shadowRoot.querySelector('section')).backgroundColor", panel(ID)))
            .await;
        backgrounds.push(luminance(section.as_str().expect("a color")));
    }
    assert!(backgrounds[0] > 0.8 && backgrounds[1] < 0.05, "light then dark backgrounds: {backgrounds:?}");

    // Labels: a named region, a live status, a labelled list of operators.
    let labels = page
        .eval(&format!(
            "(() => {{ const root = {}.shadowRoot; return [
                root.querySelector('section').getAttribute('aria-label'),
                root.querySelector('[data-part=connection]').getAttribute('role'),
                root.querySelector('[data-part=operators]').getAttribute('aria-label'),
                root.querySelector('[data-part=notice]').getAttribute('role'),
            ]; }})()",
            panel(ID)
        ))
        .await;
    assert_eq!(
        labels,
        serde_json::json!([
            "Operator chat panel, Customer Support",
            "status",
            "Operators of Customer Support",
            "alert"
        ])
    );

    // Keyboard: Tab moves through the page's buttons into the panel's.
    let focused = format!("{}.shadowRoot.activeElement?.dataset?.part", panel(ID));
    let mut reached = false;
    for _ in 0..6 {
        page.press("Tab", 9, false).await;
        if page.eval(&focused).await == "refresh" {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab never reached the panel's Refresh button");
    let ring = page
        .eval(&format!(
            "(() => {{ const button = {}.shadowRoot.activeElement; const s = getComputedStyle(button); \
             return [button.matches(':focus-visible'), s.outlineStyle, s.outlineWidth]; }})()",
            panel(ID)
        ))
        .await;
    assert_eq!(ring, serde_json::json!([true, "solid", "3px"]), "a visible focus ring");
    page.assert_clean(&[]);
    browser.close().await;
}
