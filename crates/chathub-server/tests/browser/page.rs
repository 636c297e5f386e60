//! One browser tab: navigation, script evaluation, waiting for a condition
//! in the page, real mouse and keyboard input, screenshots, and what the tab
//! logged and requested.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::cdp::Connection;

/// How long a test waits for the page to reach an expected state.
pub const WAIT: Duration = Duration::from_secs(15);

/// Collects the page's window `error` events (the panel's `token expired`
/// and `token revoked` among them) before any page script runs.
const ERROR_COLLECTOR: &str = r"
window.__panelErrors = [];
window.addEventListener('error', (event) => { window.__panelErrors.push(String(event.message)); });
";

/// A tab with its DevTools session.
pub struct Page {
    connection: Connection,
    session: String,
}

/// A console error or exception the page reported.
#[derive(Debug, Clone)]
pub struct ConsoleError {
    /// `exception`, `console` or the log entry's source (`network`, `javascript`, ...).
    pub source: String,
    /// What it said.
    pub text: String,
}

impl Page {
    /// Turns on the domains the tests read and installs the error collector.
    pub async fn open(connection: Connection, session: String) -> Self {
        let page = Self { connection, session };
        for domain in ["Page.enable", "Runtime.enable", "Network.enable", "Log.enable"] {
            page.call(domain, json!({})).await;
        }
        page.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": ERROR_COLLECTOR })).await;
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 900, "height": 760, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
        page
    }

    /// A DevTools command on this tab; a failure fails the test.
    pub async fn call(&self, method: &str, params: Value) -> Value {
        self.connection.call(Some(&self.session), method, params).await.unwrap_or_else(|error| panic!("{error}"))
    }

    /// Loads `url` and waits for its load event.
    pub async fn goto(&self, url: &str) {
        let mark = self.connection.event_count();
        let navigated = self.call("Page.navigate", json!({ "url": url })).await;
        assert!(navigated.get("errorText").is_none(), "navigating to {url}: {navigated}");
        self.connection.wait_for_event(&self.session, "Page.loadEventFired", mark, WAIT).await;
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value.
    pub async fn eval(&self, expression: &str) -> Value {
        let answer = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true, "userGesture": true }),
            )
            .await;
        if let Some(details) = answer.get("exceptionDetails") {
            let description = details["exception"]["description"].as_str().unwrap_or_default();
            panic!("evaluating `{expression}` threw: {description} {details}");
        }
        answer["result"].get("value").cloned().unwrap_or(Value::Null)
    }

    /// Waits until `expression` is truthy in the page (checked every 20 ms
    /// in the page) and returns its value; fails after [`WAIT`] saying `what`.
    pub async fn wait_for(&self, what: &str, expression: &str) -> Value {
        self.wait_for_within(what, expression, WAIT).await
    }

    /// As [`Self::wait_for`], failing after `limit`: for a deadline that is a requirement.
    pub async fn wait_for_within(&self, what: &str, expression: &str, limit: Duration) -> Value {
        let script = format!(
            r"(async () => {{
                const deadline = performance.now() + {ms};
                for (;;) {{
                    let value;
                    try {{ value = (() => ({expression}))(); }} catch (error) {{ value = undefined; }}
                    if (value) return value;
                    if (performance.now() > deadline) return {{ __timedOut: true }};
                    await new Promise((resolve) => setTimeout(resolve, 20));
                }}
            }})()",
            ms = limit.as_millis(),
        );
        let value = self.eval(&script).await;
        if value.get("__timedOut").is_some() {
            let panels = self.eval(PANELS_SUMMARY).await;
            panic!("timed out after {limit:?} waiting for {what} (`{expression}`); panels: {panels}");
        }
        value
    }

    /// Clicks the middle of the element `selector` finds, with real mouse events.
    pub async fn click(&self, selector: &str) {
        self.click_element(&format!("document.querySelector({selector:?})")).await;
    }

    /// Clicks the middle of the element `element` (JavaScript) evaluates to,
    /// scrolled into view, with real mouse events (so also inside a shadow root).
    pub async fn click_element(&self, element: &str) {
        let rect = self
            .eval(&format!(
                "(() => {{ const element = {element}; element.scrollIntoView({{ block: 'center' }}); \
                 const r = element.getBoundingClientRect(); \
                 return {{ x: r.x + r.width / 2, y: r.y + r.height / 2 }}; }})()"
            ))
            .await;
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": rect["x"], "y": rect["y"], "button": "left", "clickCount": 1 }),
            )
            .await;
        }
    }

    /// Types `text` into the focused element, as a keyboard or an input method would.
    pub async fn insert_text(&self, text: &str) {
        self.call("Input.insertText", json!({ "text": text })).await;
    }

    /// Presses a key (e.g. `Tab`, with `shift`).
    pub async fn press(&self, key: &str, code: u32, shift: bool) {
        let modifiers = if shift { 8 } else { 0 };
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code, "modifiers": modifiers }),
            )
            .await;
        }
    }

    /// Sets `prefers-color-scheme` to `light` or `dark`.
    pub async fn color_scheme(&self, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png", "optimizeForSpeed": false })).await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("screenshot is base64")
    }

    /// A PNG of the element `element` (JavaScript) evaluates to, with a `margin` in CSS pixels around it.
    pub async fn screenshot_of(&self, element: &str, margin: f64) -> Vec<u8> {
        let rect = self
            .eval(&format!(
                "(() => {{ const r = ({element}).getBoundingClientRect(); \
                 return {{ x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }}; }})()"
            ))
            .await;
        let number = |key: &str| rect[key].as_f64().expect("a number");
        let clip = json!({
            "x": (number("x") - margin).max(0.0),
            "y": (number("y") - margin).max(0.0),
            "width": number("width") + 2.0 * margin,
            "height": number("height") + 2.0 * margin,
            "scale": 1,
        });
        let shot = self
            .call(
                "Page.captureScreenshot",
                json!({ "format": "png", "clip": clip, "captureBeyondViewport": true, "optimizeForSpeed": false }),
            )
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("screenshot is base64")
    }

    /// The window `error` events' messages so far.
    pub async fn error_events(&self) -> Vec<String> {
        serde_json::from_value(self.eval("window.__panelErrors ?? []").await).expect("a list of messages")
    }

    /// Every exception, `console.error`/`console.assert` and error-level log entry so far.
    pub fn console_errors(&self) -> Vec<ConsoleError> {
        let mut errors = Vec::new();
        for event in self.connection.events_of(&self.session) {
            let params = &event.params;
            match event.method.as_str() {
                "Runtime.exceptionThrown" => errors.push(ConsoleError {
                    source: "exception".to_owned(),
                    text: params["exceptionDetails"].to_string(),
                }),
                "Runtime.consoleAPICalled" if matches!(params["type"].as_str(), Some("error" | "assert")) => {
                    errors.push(ConsoleError { source: "console".to_owned(), text: params["args"].to_string() })
                }
                "Log.entryAdded" if params["entry"]["level"] == "error" => errors.push(ConsoleError {
                    source: params["entry"]["source"].as_str().unwrap_or("log").to_owned(),
                    text: format!(
                        "{} ({})",
                        params["entry"]["text"].as_str().unwrap_or_default(),
                        params["entry"]["url"].as_str().unwrap_or_default()
                    ),
                }),
                _ => {}
            }
        }
        errors
    }

    /// Every URL the tab requested so far (documents, scripts, fetches, preflights).
    pub fn requested_urls(&self) -> Vec<String> {
        self.requests_since(0).into_iter().map(|(_, url)| url).collect()
    }

    /// A mark: what happens from now on is "since" it.
    pub fn mark(&self) -> usize {
        self.connection.event_count()
    }

    /// The requests (method and URL; `WEBSOCKET` for a socket) the tab made since `mark`.
    pub fn requests_since(&self, mark: usize) -> Vec<(String, String)> {
        self.connection
            .events_since(&self.session, mark)
            .into_iter()
            .filter(|event| event.method == "Network.requestWillBeSent" || event.method == "Network.webSocketCreated")
            .filter_map(|event| {
                let url = event.params["request"]["url"].as_str().or_else(|| event.params["url"].as_str())?;
                let method = event.params["request"]["method"].as_str().unwrap_or("WEBSOCKET");
                Some((method.to_owned(), url.to_owned()))
            })
            .collect()
    }

    /// Pauses the requests whose URL matches `pattern` (`*` any characters)
    /// at `stage` (`Request`: before they are sent; `Response`: answered,
    /// before the page sees the answer); see [`Self::paused`].
    pub async fn intercept(&self, pattern: &str, stage: &str) {
        self.call("Fetch.enable", json!({ "patterns": [{ "urlPattern": pattern, "requestStage": stage }] })).await;
    }

    /// As [`Self::intercept`], for several `(pattern, stage)` pairs at once.
    pub async fn intercept_each(&self, patterns: &[(&str, &str)]) {
        let patterns: Vec<Value> =
            patterns.iter().map(|(pattern, stage)| json!({ "urlPattern": pattern, "requestStage": stage })).collect();
        self.call("Fetch.enable", json!({ "patterns": patterns })).await;
    }

    /// The next paused request (or answer) since `mark`, whatever its method:
    /// the mark after it and the `Fetch.requestPaused` parameters (`requestId`,
    /// `request`, and at the `Response` stage `responseStatusCode` and `responseHeaders`).
    pub async fn next_paused(&self, mark: usize) -> (usize, Value) {
        let (index, event) = self.connection.wait_for_event(&self.session, "Fetch.requestPaused", mark, WAIT).await;
        (index + 1, event.params)
    }

    /// Answers a paused request (or replaces a paused answer) with `status`,
    /// `headers` (`[{name, value}]`) and `body`.
    pub async fn fulfil(&self, id: &str, status: u16, headers: Value, body: &str) {
        let body = base64::engine::general_purpose::STANDARD.encode(body);
        self.call(
            "Fetch.fulfillRequest",
            json!({ "requestId": id, "responseCode": status, "responseHeaders": headers, "body": body }),
        )
        .await;
    }

    /// Runs `source` in every document this tab loads from now on, before the page's scripts.
    pub async fn add_init_script(&self, source: &str) {
        self.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source })).await;
    }

    /// Stops pausing requests.
    pub async fn stop_intercepting(&self) {
        self.call("Fetch.disable", json!({})).await;
    }

    /// The next paused request of `method` since `mark` (others are let go
    /// on): the mark after it and its id for [`Self::resume`] or [`Self::fail`].
    pub async fn paused(&self, method: &str, mut mark: usize) -> (usize, String) {
        loop {
            let (index, event) = self.connection.wait_for_event(&self.session, "Fetch.requestPaused", mark, WAIT).await;
            mark = index + 1;
            let id = event.params["requestId"].as_str().expect("a requestId").to_owned();
            if event.params["request"]["method"] == method {
                return (mark, id);
            }
            self.resume(&id).await;
        }
    }

    /// Lets a paused request (or its answer) go on.
    pub async fn resume(&self, id: &str) {
        self.call("Fetch.continueRequest", json!({ "requestId": id })).await;
    }

    /// Fails a paused request as a network error.
    pub async fn fail(&self, id: &str) {
        self.call("Fetch.failRequest", json!({ "requestId": id, "errorReason": "Failed" })).await;
    }

    /// Fails unless every request stayed on the loopback interface and the
    /// console shows no error outside `allowed` (each a predicate on one error).
    pub fn assert_clean(&self, allowed: &[&dyn Fn(&ConsoleError) -> bool]) {
        let urls = self.requested_urls();
        assert!(!urls.is_empty(), "the page requested nothing at all; is the network domain on?");
        let outside: Vec<_> = urls.iter().filter(|url| !is_loopback_url(url)).collect();
        assert!(outside.is_empty(), "requests left the loopback interface: {outside:?}");
        let unexpected: Vec<_> =
            self.console_errors().into_iter().filter(|error| !allowed.iter().any(|allow| allow(error))).collect();
        assert!(unexpected.is_empty(), "console errors: {unexpected:#?}");
    }
}

/// A summary of the panels on the page, for failure messages.
pub const PANELS_SUMMARY: &str = r"JSON.stringify([...document.querySelectorAll('[data-operator-chat-panel]')].map((host) => ({
    for: host.dataset.operatorChatPanel,
    state: host.dataset.state,
    text: host.shadowRoot?.querySelector('section')?.textContent?.replace(/\s+/g, ' ').slice(0, 1200),
    reply: host.shadowRoot?.querySelector('[data-part=reply-text]')?.value?.slice(0, 80),
    focus: host.shadowRoot?.activeElement?.dataset?.part ?? host.shadowRoot?.activeElement?.tagName ?? null,
})))";

/// `data:`, `about:`, `blob:`, or http(s)/ws(s) to 127.0.0.0/8, `::1` or `localhost`.
pub fn is_loopback_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else { return false };
    match scheme {
        "data" | "about" | "blob" => true,
        "http" | "https" | "ws" | "wss" => {
            let authority = rest.trim_start_matches("//").split(['/', '?', '#']).next().unwrap_or_default();
            let host = match authority.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
            };
            host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

#[test]
fn loopback_urls() {
    for url in
        ["http://127.0.0.1:8080/x", "http://127.0.0.2/", "ws://[::1]:9/", "http://localhost/", "data:,", "about:blank"]
    {
        assert!(is_loopback_url(url), "{url}");
    }
    for url in ["https://widget.smsbat.com/x", "http://10.0.0.1/", "http://[2001:db8::1]/", "chrome://newtab", "x"] {
        assert!(!is_loopback_url(url), "{url}");
    }
}
