//! Model-name matching: how a model name seen on a span finds its row in the table.
//!
//! Both table keys and queried names go through the same *identity forms*, each a
//! rewrite that keeps the exact model snapshot:
//!
//! 1. trimmed, lower-cased (`GPT-4o-Mini` → `gpt-4o-mini`);
//! 2. path prefixes dropped, keeping the last `/` segment (`openai/…`, `azure/…`,
//!    `azure/eu/…`, `models/gemini-…`, `vertex_ai/…`, `publishers/google/models/…`,
//!    Bedrock ARNs `arn:aws:bedrock:…:inference-profile/…`); OpenAI fine-tunes
//!    `ft:BASE:org::id` become `ft:BASE`;
//! 3. a Bedrock region prefix (`us.`, `eu.`, `apac.`, `global.`, …) dropped when a
//!    vendor prefix follows; then 4. the vendor prefix (`anthropic.`, `amazon.`, …);
//! 5. version tags: Bedrock `-v1:0` / `-1:0` / `:0` (and a bare `-v1` after a vendor
//!    prefix), Vertex `@20240620` → `-20240620` (dropping a `-v2` before the `@`),
//!    `@latest` and `:latest` dropped.
//!
//! Every table entry is indexed under each of its identity forms. A query tries its
//! forms most specific first, then *relaxed* forms of the last one: one date suffix
//! dropped (`-2024-07-18`, `-20241022`, `-09-2025`, `-05-20`, `-0613`, `-002`), then
//! one tag (`-latest`, `-preview`, `-exp`, `-experimental`). A tag is never dropped
//! before a date: `gpt-4-0125-preview` must not become `gpt-4`. Only whole suffixes
//! of those shapes are ever removed, so no name can reach another family by a loose
//! prefix (`gpt-4o` never prices as `gpt-4`, `gpt-4o-mini` never as `gpt-4o`).
//!
//! The first form that hits wins; within its bucket the entry is chosen by: the
//! provider (the span's hint, else one inferred from the name's shape), the Bedrock
//! region the name carried, the entry whose key *is* the form, a lab's own API
//! over a reseller (Azure, Bedrock, Vertex, Together, …), the shortest key.
//! User aliases (Azure deployments) are checked before all of this.

use std::borrow::Cow;

use super::table::Data;

/// Bedrock cross-region inference prefixes.
const REGIONS: &[&str] = &[
    "us", "us-gov", "eu", "apac", "au", "jp", "ca", "in", "global",
];

/// Bedrock model-vendor prefixes.
const VENDORS: &[&str] = &[
    "ai21",
    "amazon",
    "anthropic",
    "cohere",
    "deepseek",
    "google",
    "meta",
    "minimax",
    "mistral",
    "moonshot",
    "moonshotai",
    "nvidia",
    "openai",
    "qwen",
    "stability",
    "twelvelabs",
    "writer",
    "xai",
    "zai",
];

/// The identity forms of one name, most specific first, and what its shape says.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Forms {
    pub forms: Vec<String>,
    /// The Bedrock region prefix the name carried (`us`, `eu`, …).
    pub region: Option<String>,
    /// The provider the name's shape implies (`azure/…`, `x@date`, `us.anthropic.…`).
    pub provider: Option<String>,
}

impl Forms {
    pub fn of(name: &str) -> Forms {
        let lower = name.trim().to_lowercase();
        if lower.is_empty() {
            return Forms::default();
        }
        let mut out = Forms {
            provider: infer_path_provider(&lower),
            ..Forms::default()
        };
        push(&mut out.forms, &lower);
        let last = lower.rsplit('/').next().unwrap_or(&lower);
        if let Some(rest) = last.strip_prefix("ft:") {
            let base = rest.split(':').next().unwrap_or(rest);
            push(&mut out.forms, last);
            push(&mut out.forms, &format!("ft:{base}"));
            return out;
        }
        push(&mut out.forms, last);
        let mut bare = last;
        if let Some((region, rest)) = bare.split_once('.')
            && REGIONS.contains(&region)
            && has_vendor_prefix(rest)
        {
            out.region = Some(region.to_owned());
            bare = rest;
            push(&mut out.forms, bare);
        }
        let mut vendor = false;
        if has_vendor_prefix(bare) {
            vendor = true;
            bare = bare.split_once('.').map_or(bare, |(_, rest)| rest);
            push(&mut out.forms, bare);
            out.provider.get_or_insert_with(|| "bedrock".to_owned());
        }
        if bare.contains('@') {
            out.provider.get_or_insert_with(|| "vertex_ai".to_owned());
        }
        let versionless = strip_version(bare, vendor);
        push(&mut out.forms, &versionless);
        out
    }
}

fn push(forms: &mut Vec<String>, s: &str) {
    if !s.is_empty() && forms.last().is_none_or(|l| l != s) {
        forms.push(s.to_owned());
    }
}

fn has_vendor_prefix(s: &str) -> bool {
    s.split_once('.')
        .is_some_and(|(v, rest)| !rest.is_empty() && VENDORS.contains(&v))
}

/// The provider named by a path prefix (`azure/…`, `models/…`, an ARN).
fn infer_path_provider(lower: &str) -> Option<String> {
    if lower.starts_with("arn:aws:bedrock") {
        return Some("bedrock".to_owned());
    }
    let (first, _) = lower.split_once('/')?;
    let p = match first {
        "models" | "tunedmodels" => "gemini",
        "projects" | "publishers" => "vertex_ai",
        other => return Some(normalize_provider(other).into_owned()),
    };
    Some(p.to_owned())
}

/// Drops version tags that never change the snapshot (see the module header, step 5).
fn strip_version(s: &str, bedrock: bool) -> String {
    if let Some((stem, tag)) = s.rsplit_once('@') {
        let stem = strip_v_number(stem).unwrap_or(stem);
        return if !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_digit()) {
            format!("{stem}-{tag}")
        } else {
            stem.to_owned()
        };
    }
    if let Some(stem) = s.strip_suffix(":latest") {
        return stem.to_owned();
    }
    if let Some((head, tail)) = s.rsplit_once(':')
        && all_digits(tail)
    {
        // `-v1:0`, `-1:0` or a bare `:0`.
        let head = match head.rsplit_once('-') {
            Some((stem, v)) if all_digits(v.strip_prefix('v').unwrap_or(v)) => stem,
            _ => head,
        };
        return head.to_owned();
    }
    if bedrock && let Some(stem) = strip_v_number(s) {
        return stem.to_owned();
    }
    s.to_owned()
}

/// `name-v2` → `name`.
fn strip_v_number(s: &str) -> Option<&str> {
    let (stem, v) = s.rsplit_once('-')?;
    let digits = v.strip_prefix('v')?;
    (all_digits(digits) && !stem.is_empty()).then_some(stem)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The relaxed forms of a name: one date suffix dropped, then one tag.
pub(super) fn relaxed_forms(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut cur = name;
    if let Some(s) = strip_date(cur) {
        out.push(s);
        cur = s;
    }
    if let Some(s) = strip_tag(cur) {
        out.push(s);
    }
    out
}

/// Digit-and-dash shape of a suffix: `d` a digit, `-` a dash.
fn shape_matches(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            _ => c == p,
        })
}

fn strip_date(s: &str) -> Option<&str> {
    // Longest shapes first, so `-2024-07-18` is not read as `-07-18`.
    const SHAPES: &[&str] = &[
        "-dddd-dd-dd", // OpenAI 2024-07-18
        "-dddddddd",   // Anthropic 20241022
        "-dd-dddd",    // 09-2025
        "-dd-dd",      // Gemini previews 05-20
        "-dddd",       // 0613, 2407, 0309
        "-ddd",        // Gemini 002
    ];
    SHAPES.iter().find_map(|shape| {
        let cut = s.len().checked_sub(shape.len())?;
        let (stem, tail) = (s.get(..cut)?, s.get(cut..)?);
        (!stem.is_empty() && shape_matches(tail, shape)).then_some(stem)
    })
}

fn strip_tag(s: &str) -> Option<&str> {
    ["-latest", "-preview", "-experimental", "-exp"]
        .iter()
        .find_map(|tag| s.strip_suffix(tag).filter(|stem| !stem.is_empty()))
}

/// One spelling per provider: the span's `gen_ai.provider.name` / `gen_ai.system`
/// values and LiteLLM's provider names meet here.
pub(super) fn normalize_provider(p: &str) -> Cow<'static, str> {
    let p = p.trim().to_lowercase();
    let name = match p.as_str() {
        s if s.contains("azure") || s.starts_with("az.") => "azure",
        s if s.contains("bedrock") || s.starts_with("aws") => "bedrock",
        s if s.contains("vertex") => "vertex_ai",
        "gemini" | "gcp.gemini" | "gcp.gen_ai" | "google" | "google_genai" | "google-genai"
        | "google_ai_studio" => "gemini",
        "openai" | "text-completion-openai" => "openai",
        "mistral" | "mistral_ai" | "mistralai" => "mistral",
        "cohere" | "cohere_chat" => "cohere",
        "xai" | "x_ai" | "x.ai" => "xai",
        "together" | "together_ai" | "togetherai" => "together_ai",
        "fireworks" | "fireworks_ai" => "fireworks_ai",
        _ => return Cow::Owned(p),
    };
    Cow::Borrowed(name)
}

/// Platforms that resell other labs' models: without a hint, a name is taken to be
/// the lab's own API (`mistral-large-latest` → `mistral/…`, not `azure/…`).
fn is_host(provider: &str) -> bool {
    matches!(
        provider,
        "azure"
            | "bedrock"
            | "vertex_ai"
            | "perplexity"
            | "together_ai"
            | "fireworks_ai"
            | "groq"
            | "ollama"
    )
}

impl Data {
    /// The index of the entry that prices `model`, if any.
    pub(super) fn resolve(&self, model: &str, provider: Option<&str>) -> Option<usize> {
        let q = Forms::of(model);
        if let Some((_, i)) = q.forms.iter().find_map(|f| self.aliases.get(f)) {
            return Some(*i);
        }
        let hint = provider.map(normalize_provider).filter(|p| !p.is_empty());
        let preferred = hint.as_deref().or(q.provider.as_deref());
        let last = q.forms.last()?;
        let relaxed = relaxed_forms(last);
        let candidates = q.forms.iter().map(String::as_str).chain(relaxed);
        for form in candidates {
            if let Some(bucket) = self.index.get(form) {
                return self.best(bucket, form, preferred, q.region.as_deref());
            }
        }
        None
    }

    fn best(
        &self,
        bucket: &[usize],
        form: &str,
        provider: Option<&str>,
        region: Option<&str>,
    ) -> Option<usize> {
        bucket.iter().copied().min_by_key(|&i| {
            let e = &self.entries[i];
            let other_provider = provider.is_some_and(|p| p != e.provider);
            let other_region = region.is_some_and(|r| {
                !(e.key.starts_with(r) && e.key.as_bytes().get(r.len()) == Some(&b'.'))
            });
            (
                other_provider,
                other_region,
                e.key != form,
                is_host(&e.provider),
                e.key.len(),
                &e.key,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::PriceTable;
    use super::*;

    /// Runs `name => form, form, …` lines through `f`.
    fn check_forms(cases: &str, f: impl Fn(&str) -> Vec<String>) {
        for line in cases.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, want) = line.split_once("=>").unwrap();
            let want: Vec<&str> = want
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(f(name.trim()), want, "{line}");
        }
    }

    #[test]
    fn identity_forms() {
        check_forms(
            "
            GPT-4o-Mini => gpt-4o-mini
            openai/gpt-4o => openai/gpt-4o, gpt-4o
            models/gemini-2.5-flash => models/gemini-2.5-flash, gemini-2.5-flash
            us.anthropic.claude-3-haiku-20240307-v1:0 => us.anthropic.claude-3-haiku-20240307-v1:0, \
                anthropic.claude-3-haiku-20240307-v1:0, claude-3-haiku-20240307-v1:0, \
                claude-3-haiku-20240307
            anthropic.claude-opus-4-6-v1 => anthropic.claude-opus-4-6-v1, claude-opus-4-6-v1, claude-opus-4-6
            openai.gpt-oss-120b-1:0 => openai.gpt-oss-120b-1:0, gpt-oss-120b-1:0, gpt-oss-120b
            claude-3-5-sonnet-v2@20241022 => claude-3-5-sonnet-v2@20241022, claude-3-5-sonnet-20241022
            claude-3-opus@latest => claude-3-opus@latest, claude-3-opus
            llama3:latest => llama3:latest, llama3
            nvidia-nemotron-v2 => nvidia-nemotron-v2
            ft:gpt-4o-mini-2024-07-18:acme::x1 => ft:gpt-4o-mini-2024-07-18:acme::x1, ft:gpt-4o-mini-2024-07-18
            =>
            ",
            |name| Forms::of(name).forms,
        );
        let q = Forms::of("eu.anthropic.claude-sonnet-4-6");
        assert_eq!(
            (q.region.as_deref(), q.provider.as_deref()),
            (Some("eu"), Some("bedrock"))
        );
        assert_eq!(
            Forms::of("azure/my-deploy").provider.as_deref(),
            Some("azure")
        );
        assert_eq!(
            Forms::of("claude-x@20240101").provider.as_deref(),
            Some("vertex_ai")
        );
    }

    #[test]
    fn relaxed() {
        check_forms(
            "
            gpt-4o-mini-2024-07-18 => gpt-4o-mini
            claude-3-5-sonnet-20241022 => claude-3-5-sonnet
            gemini-2.5-pro-preview-06-05 => gemini-2.5-pro-preview, gemini-2.5-pro
            gemini-2.5-flash-preview-09-2025 => gemini-2.5-flash-preview, gemini-2.5-flash
            gpt-4-0613 => gpt-4
            gemini-1.5-pro-002 => gemini-1.5-pro
            claude-3-5-haiku-latest => claude-3-5-haiku
            gpt-4-0125-preview => gpt-4-0125
            gpt-4o =>
            gpt-4o-mini =>
            claude-opus-4-5 =>
            text-embedding-3-small =>
            ",
            |name| relaxed_forms(name).into_iter().map(str::to_owned).collect(),
        );
    }

    #[test]
    fn providers() {
        for (raw, want) in [
            ("openai", "openai"),
            ("az.ai.openai", "azure"),
            ("azure.ai.inference", "azure"),
            ("aws.bedrock", "bedrock"),
            ("bedrock_converse", "bedrock"),
            ("gcp.vertex_ai", "vertex_ai"),
            ("vertex_ai-language-models", "vertex_ai"),
            ("gcp.gemini", "gemini"),
            ("mistral_ai", "mistral"),
            ("cohere_chat", "cohere"),
            ("x_ai", "xai"),
            ("Anthropic", "anthropic"),
        ] {
            assert_eq!(normalize_provider(raw), want, "{raw}");
        }
    }

    /// Runs `model | provider hint | expected row` lines against a table.
    fn check_table(t: &PriceTable, cases: &str) {
        for line in cases.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            let hint = Some(cols[1]).filter(|h| !h.is_empty());
            let want = Some(cols[2]).filter(|w| *w != "-");
            let got = t.lookup_entry(cols[0], hint).map(|m| m.name);
            assert_eq!(got, want, "{line}");
        }
    }

    /// Names as spans carry them → the builtin row that prices them (`-`: none).
    #[test]
    fn builtin_matching_table() {
        check_table(
            &PriceTable::builtin(),
            "
            gpt-4o-mini                                 |              | gpt-4o-mini
            GPT-4o-Mini                                 |              | gpt-4o-mini
            openai/gpt-4o-mini                          |              | gpt-4o-mini
            gpt-4o-mini-2024-07-18                      |              | gpt-4o-mini-2024-07-18
            gpt-4o-mini-2099-01-01                      |              | gpt-4o-mini
            gpt-4o-2099-01-01                           |              | gpt-4o
            gpt-4o-mini                                 | az.ai.openai | azure/gpt-4o-mini
            gpt-4o                                      | openai       | gpt-4o
            azure/gpt-4o-mini                           |              | azure/gpt-4o-mini
            azure/eu/gpt-4o                             |              | azure/eu/gpt-4o
            gpt-35-turbo                                |              | azure/gpt-35-turbo
            gpt-4-0314                                  |              | gpt-4
            gpt-4-0125-preview                          |              | azure/gpt-4-0125-preview
            gpt-4o-mini-fancy                           |              | -
            gpt-4o-turbo                                |              | -
            gpt-4.5                                     |              | -
            o3-mini-2030-01-01                          |              | o3-mini
            ft:gpt-4o-mini-2024-07-18:acme::x1          |              | ft:gpt-4o-mini-2024-07-18
            models/gemini-2.5-flash                     |              | gemini/gemini-2.5-flash
            gemini-2.5-flash                            | gcp.vertex_ai| gemini-2.5-flash
            gemini-2.5-flash                            | gcp.gemini   | gemini/gemini-2.5-flash
            gemini-2.5-pro-preview-06-05                |              | gemini-2.5-pro
            vertex_ai/gemini-3.1-flash-lite             |              | vertex_ai/gemini-3.1-flash-lite
            anthropic/claude-opus-4-5                   |              | claude-opus-4-5
            claude-sonnet-4-5-latest                    |              | claude-sonnet-4-5
            claude-sonnet-4-5@20250929                  |              | claude-sonnet-4-5-20250929
            claude-sonnet-4-5-20250929                  | aws.bedrock  | anthropic.claude-sonnet-4-5-20250929-v1:0
            us.anthropic.claude-sonnet-4-5-20250929-v1:0|              | us.anthropic.claude-sonnet-4-5-20250929-v1:0
            ca.anthropic.claude-sonnet-4-5-20250929-v1:0|              | anthropic.claude-sonnet-4-5-20250929-v1:0
            us.anthropic.claude-opus-4-6-v1:0           |              | us.anthropic.claude-opus-4-6-v1
            bedrock/global.anthropic.claude-opus-4-7    |              | global.anthropic.claude-opus-4-7
            arn:aws:bedrock:eu-west-1:1:inference-profile/eu.anthropic.claude-sonnet-4-6 | | eu.anthropic.claude-sonnet-4-6
            claude-3-5-sonnet-20241022                  |              | -
            meta-llama/Llama-3.1-405B-Instruct          |              | together_ai/meta-llama/Llama-3.1-405B-Instruct
            mistral-large-latest                        |              | mistral/mistral-large-latest
            mistral-large-latest                        | azure        | azure/mistral-large-latest
            text-embedding-3-small                      |              | text-embedding-3-small
            unknown-model                               |              | -
                                                        |              | -
            ",
        );
    }

    /// Rules the builtin table has no rows to show (Claude 3.x, Bedrock `-v2:0`, …).
    #[test]
    fn fixture_matching_table() {
        let row = |p: &str| format!(r#"{{"provider":"{p}","input_cost_per_token":1e-6}}"#);
        let (a, b, o) = (row("anthropic"), row("bedrock"), row("openai"));
        let text = format!(
            r#"{{"models": {{
              "claude-3-5-sonnet-20241022": {a}, "claude-3-5-sonnet-20240620": {a},
              "claude-3-5-haiku": {a}, "claude-3-haiku-20240307": {a},
              "anthropic.claude-3-haiku-20240307-v1:0": {b},
              "gpt-4": {o}, "gpt-4o": {o}, "gpt-4o-mini": {o}, "o1": {o}
            }}}}"#
        );
        check_table(
            &PriceTable::from_json_str(&text).unwrap(),
            "
            claude-3-5-sonnet-20241022                | | claude-3-5-sonnet-20241022
            claude-3-5-sonnet-v2@20241022             | | claude-3-5-sonnet-20241022
            claude-3-5-sonnet@20240620                | | claude-3-5-sonnet-20240620
            anthropic.claude-3-5-sonnet-20241022-v2:0 | | claude-3-5-sonnet-20241022
            claude-3-5-haiku-latest                   | | claude-3-5-haiku
            claude-3-5-haiku-20241022                 | | claude-3-5-haiku
            anthropic.claude-3-haiku-20240307-v1:0    | | anthropic.claude-3-haiku-20240307-v1:0
            us.anthropic.claude-3-haiku-20240307-v1:0 | | anthropic.claude-3-haiku-20240307-v1:0
            claude-3-haiku-20240307                   | | claude-3-haiku-20240307
            gpt-4o-mini-2024-07-18                    | | gpt-4o-mini
            gpt-4o-2024-08-06                         | | gpt-4o
            gpt-4-turbo                               | | -
            gpt-4o-audio-preview                      | | -
            o1-preview                                | | o1
            claude-3-opus-20240229                    | | -
            ",
        );
    }
}
