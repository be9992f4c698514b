//! Markup text: what HTML and SVG content or attribute values need escaped, shared by the HTML
//! report and the diagram so neither depends on the other for it.

/// Text safe in HTML content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
