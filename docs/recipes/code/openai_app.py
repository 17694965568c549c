"""The app every Python recipe instruments: two chat calls and one embedding call
through the official OpenAI client. It knows nothing about tracing; the recipe's
set-up (imported first) does. OPENAI_BASE_URL points it at scripts/fake_openai.py."""
from openai import OpenAI


def run():
    client = OpenAI()
    for question in ["What is the capital of France?", "And of Italy?"]:
        r = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": question}],
        )
        print(r.choices[0].message.content)
    client.embeddings.create(model="text-embedding-3-small", input=["Paris", "Rome"])
