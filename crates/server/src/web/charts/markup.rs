//! A minimal SVG writer. Element and attribute names are fixed strings in this module tree;
//! every attribute value and every text node goes through one escaping function, so a label
//! from user data can never open a tag or end an attribute.

/// Attributes of one element: fixed names, values escaped when written.
pub(super) type Attrs<'a> = &'a [(&'static str, &'a str)];

/// An SVG document being written; elements are closed in order, so the output is balanced.
pub(super) struct Doc {
    out: String,
    open: Vec<&'static str>,
}

impl Doc {
    pub(super) fn new() -> Self {
        Self {
            out: String::with_capacity(8 * 1024),
            open: Vec::new(),
        }
    }

    fn start(&mut self, name: &'static str, attrs: Attrs<'_>) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value);
            self.out.push('"');
        }
    }

    pub(super) fn open(&mut self, name: &'static str, attrs: Attrs<'_>) {
        self.start(name, attrs);
        self.out.push('>');
        self.open.push(name);
    }

    pub(super) fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// An element without content: `<line …/>`.
    pub(super) fn leaf(&mut self, name: &'static str, attrs: Attrs<'_>) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    pub(super) fn text(&mut self, text: &str) {
        escape_into(&mut self.out, &clean(text));
    }

    /// An element holding only text: `<title>…</title>`.
    pub(super) fn element(&mut self, name: &'static str, attrs: Attrs<'_>, text: &str) {
        self.open(name, attrs);
        self.text(text);
        self.close();
    }

    /// A `<text>` cut to `max` characters; when cut, the full text is its tooltip.
    pub(super) fn label(&mut self, attrs: Attrs<'_>, text: &str, max: usize) {
        let full = clean(text);
        let short = truncate(&full, max);
        self.open("text", attrs);
        if short != full {
            self.element("title", &[], &full);
        }
        self.text(&short);
        self.close();
    }

    /// A link around what follows, if `href` is one we are willing to emit.
    pub(super) fn open_link(&mut self, href: Option<&str>) -> bool {
        match href.and_then(safe_href) {
            Some(href) => {
                self.open("a", &[("href", href)]);
                true
            }
            None => false,
        }
    }

    pub(super) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML; a line break in a label is a space.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// One line of text: control characters (line breaks, tabs) become spaces.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// At most `max` characters, the last one an ellipsis when the text was longer.
pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

/// Links stay on the console or go to the web: relative paths, queries, fragments and
/// http(s). Anything else (`javascript:`, `data:`, protocol-relative `//host`) is dropped.
pub(super) fn safe_href(href: &str) -> Option<&str> {
    let lower = href.trim().to_ascii_lowercase();
    let relative = (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('?')
        || lower.starts_with('#');
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    (relative || web).then_some(href.trim())
}

/// A coordinate to one decimal; never `NaN` or `inf` in the output.
pub(super) fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

/// An id for the chart's `<title>`, `<desc>` and patterns: stable for the same chart, and
/// different for charts with different titles or data on one page.
pub(super) fn chart_id(parts: &[&str]) -> String {
    // FNV-1a: a few lines, no dependency, and only uniqueness on a page matters.
    let mut hash: u32 = 0x811c_9dc5;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    }
    format!("chart-{hash:08x}")
}
