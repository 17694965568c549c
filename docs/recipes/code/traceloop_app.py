"""Recipe: OpenLLMetry (traceloop-sdk). Traceloop.init sends OTLP/HTTP to
TRACELOOP_BASE_URL — point it at spanlens; no Traceloop account or key needed."""
from traceloop.sdk import Traceloop
from traceloop.sdk.decorators import workflow

Traceloop.init(app_name="recipe-traceloop", disable_batch=True)

import openai_app  # noqa: E402


@workflow(name="answer_questions")
def main():
    openai_app.run()


main()
