//! Built-in short texts the demo scenarios draw from: weather questions, docs
//! questions with their retrievable chunks, chat prompts, support tickets and
//! documents to summarize. Everything is invented; nothing resembles a secret.

/// City, weather condition, temperature (°C) for the weather agent.
pub(super) const CITIES: &[(&str, &str, i64)] = &[
    ("Paris", "light rain", 14),
    ("Lyon", "sunny", 21),
    ("Berlin", "overcast", 11),
    ("Lisbon", "clear", 24),
    ("Oslo", "snow showers", -2),
    ("Tokyo", "humid, scattered clouds", 27),
    ("Montreal", "windy", 6),
    ("Nairobi", "thunderstorms", 19),
];

/// Questions of a first turn (`{city}` is replaced).
pub(super) const FIRST_TURN: &[&str] = &[
    "What's the weather like in {city} right now?",
    "Do I need a jacket in {city} today?",
    "Is it a good day for a bike ride in {city}?",
];

/// Questions of later turns in the same session.
pub(super) const LATER_TURN: &[&str] = &[
    "And what about {city}?",
    "Should I take an umbrella in {city} tomorrow?",
    "Compare that with {city}, please.",
    "Thanks! One more: how warm is it in {city}?",
];

pub(super) const WEATHER_SYSTEM: &str = "You are a concise weather assistant. Use the \
    get_weather tool for current conditions and get_forecast for tomorrow. Answer in one \
    or two sentences and give temperatures in Celsius.";

/// A long-ish system prompt, used now and then.
pub(super) const WEATHER_SYSTEM_LONG: &str = "You are WeatherPal, a friendly and precise \
    weather assistant embedded in a travel planning app.\n\nRules:\n1. Always call \
    get_weather before describing current conditions; never guess.\n2. For questions \
    about tomorrow or later, call get_forecast with the number of days ahead.\n3. Give \
    temperatures in Celsius, and in Fahrenheit only if the user asks.\n4. Mention \
    precipitation, wind above 30 km/h, and UV index above 6 when relevant.\n5. If a tool \
    fails, apologise briefly and suggest trying again in a minute; do not invent \
    numbers.\n6. Keep answers under 60 words unless the user asks for detail.\n7. Suggest \
    clothing or activities only when the question implies planning.\n8. Never give \
    safety-critical advice (storms, avalanches); point to the local weather service \
    instead.\n\nTone: warm, brief, practical. Use the user's language. Do not use emoji \
    unless the user does. When comparing cities, use a short list with one line per \
    city. Dates are in the user's local time zone.";

/// A docs question, the ids of the chunks that answer it, and the answer.
pub(super) const DOC_QUESTIONS: &[(&str, &[&str], &str)] = &[
    (
        "How long are traces kept, and can I change it?",
        &["docs/retention.md#1", "docs/retention.md#2"],
        "Traces are kept for 7 days by default. Set `retention.max_age` (e.g. `30d`) or \
         `retention.max_disk` in the config file; the oldest traces are removed first, \
         whole traces at a time.",
    ),
    (
        "Which ports does the receiver listen on?",
        &["docs/receiver.md#1", "docs/receiver.md#3"],
        "OTLP/gRPC on 4317 and OTLP/HTTP on 4318, on loopback by default. Use \
         `--grpc-addr` and `--http-addr` to change them.",
    ),
    (
        "Does the HTTP endpoint accept gzip?",
        &["docs/receiver.md#2"],
        "Yes. Send `Content-Encoding: gzip`; the size limit applies after \
         decompression (64 MiB by default).",
    ),
    (
        "How do I export a trace as JSON?",
        &["docs/cli.md#4", "docs/cli.md#5"],
        "Run `spanlens export --trace <id> --format otlp-json`, or `spanlens trace <id> \
         --json` for the normalized view with tokens and costs.",
    ),
];

/// Retrievable chunks: id, content.
pub(super) const DOC_CHUNKS: &[(&str, &str)] = &[
    (
        "docs/retention.md#1",
        "Retention: by default traces older than 7 days are deleted. The age limit is \
         set with retention.max_age.",
    ),
    (
        "docs/retention.md#2",
        "A disk budget (retention.max_disk) removes the oldest traces first, always as \
         whole traces, until the store fits.",
    ),
    (
        "docs/receiver.md#1",
        "The receiver listens for OTLP/gRPC on port 4317 and OTLP/HTTP on port 4318, \
         bound to 127.0.0.1 and ::1.",
    ),
    (
        "docs/receiver.md#2",
        "Compressed requests: gzip is accepted on both protocols. Limits are checked \
         after decompression.",
    ),
    (
        "docs/receiver.md#3",
        "Listen addresses can be changed with --grpc-addr and --http-addr; each flag \
         can be repeated.",
    ),
    (
        "docs/cli.md#4",
        "spanlens export writes stored traces as OTLP JSON or JSON Lines; --trace \
         selects one trace.",
    ),
    (
        "docs/cli.md#5",
        "spanlens trace ID --json prints every span with its LLM facet: model, tokens, \
         cost and messages.",
    ),
    (
        "docs/ui.md#2",
        "Press / to filter the trace list, e to jump to errors and ? for the key map.",
    ),
    (
        "docs/install.md#1",
        "spanlens is a single static binary; copy it to the host, no runtime needed.",
    ),
];

/// Chat prompts and answers for the streamed chat UI.
pub(super) const CHATS: &[(&str, &str)] = &[
    (
        "Write a haiku about the borrow checker.",
        "Two owners collide,\nthe compiler shakes its head:\nlend, but give it back.",
    ),
    (
        "Summarize: the team agreed to ship v2 on Friday, move the migration to next \
         sprint, and ask design for a new empty state.",
        "Ship v2 on Friday; migration moves to next sprint; design will provide a new \
         empty state.",
    ),
    (
        "Translate 'see you tomorrow at the station' into French and Spanish.",
        "French: « À demain à la gare ». Spanish: «Hasta mañana en la estación».",
    ),
    (
        "Give me three names for a cat that likes keyboards.",
        "1. Ctrl\n2. Pixel\n3. Sir Typesalot",
    ),
    (
        "Explain what a p99 latency is in one sentence.",
        "The p99 latency is the time under which 99% of requests complete, so only 1 in \
         100 is slower.",
    ),
];

/// Previous turns of a chat conversation (user, assistant).
pub(super) const CHAT_HISTORY: &[(&str, &str)] = &[
    (
        "Hi! Can you help me with some writing?",
        "Of course. What are you working on?",
    ),
    (
        "I'm preparing a short team update.",
        "Great, send me the notes and I'll help.",
    ),
];

/// Support tickets: text, category, drafted reply.
pub(super) const TICKETS: &[(&str, &str, &str)] = &[
    (
        "My order #48213 still says 'processing' after 6 days. Can you check?",
        "shipping",
        "Sorry for the wait! Order #48213 left our warehouse this morning; you'll get a \
         tracking link by email within the hour.",
    ),
    (
        "I was charged twice for my March invoice.",
        "billing",
        "Thanks for flagging this. I can see the duplicate charge and have refunded it; \
         it should appear in 3-5 business days.",
    ),
    (
        "How do I reset my password? The reset email never arrives.",
        "account",
        "Please check your spam folder first. I've re-sent the reset email from \
         no-reply@example.com; the link is valid for 30 minutes.",
    ),
    (
        "Can I change the delivery address on an order that shipped yesterday?",
        "shipping",
        "Once shipped we can't edit the address, but I've asked the carrier to hold the \
         parcel at the nearest pickup point for you.",
    ),
    (
        "The app crashes when I open the settings page on Android.",
        "technical",
        "Thanks for the report. Version 4.2.1, out today, fixes a crash on the settings \
         page; please update and let us know if it persists.",
    ),
];

/// Documents for the batch summarizer: title, text, summary.
pub(super) const DOCUMENTS: &[(&str, &str, &str)] = &[
    (
        "Q3 incident review",
        "On 14 August the checkout service returned errors for 42 minutes after a \
         config change disabled the payment provider's fallback. Rollback restored \
         service. Actions: config validation in CI, alert on fallback usage.",
        "A config change broke checkout for 42 minutes; fixed by rollback. Adding CI \
         validation and fallback alerts.",
    ),
    (
        "Onboarding guide",
        "New engineers get laptop access on day one, pair with a buddy in week one, and \
         ship a small change by the end of week two. Docs live in the handbook repo.",
        "Day one access, a buddy in week one, a first change by week two.",
    ),
    (
        "Customer interview notes",
        "Three of five customers want CSV export; two mention slow dashboards on large \
         accounts; everyone likes the new search.",
        "Top asks: CSV export and faster dashboards; new search is well liked.",
    ),
];

/// Python frames of an OpenAI client call that hit a rate limit.
pub(super) const OPENAI_FRAMES: &[(&str, u32, &str)] = &[
    ("/opt/app/summarizer/pipeline.py", 88, "summarize"),
    ("/opt/app/summarizer/llm.py", 41, "complete"),
    (
        "/opt/venv/lib/python3.12/site-packages/openai/_utils/_utils.py",
        287,
        "wrapper",
    ),
    (
        "/opt/venv/lib/python3.12/site-packages/openai/resources/chat/completions/completions.py",
        925,
        "create",
    ),
    (
        "/opt/venv/lib/python3.12/site-packages/openai/_base_client.py",
        1047,
        "request",
    ),
];
