# A notebook exported to a script: module-level client, legacy API, a file stuffed into a prompt.
import json
from pathlib import Path

import openai

openai.api_key_path = None
client = openai.OpenAI()

handbook = Path("docs/handbook.md").read_text()

resp = client.chat.completions.create(  # expect: openai.chat.completions.create
    model="gpt-4o",
    messages=[
        {"role": "system", "content": "Answer from the handbook."},
        {"role": "user", "content": handbook},
    ],
    max_tokens=500,
)
print(resp.choices[0].message.content)

old = openai.ChatCompletion.create(  # expect: openai.ChatCompletion.create
    model="gpt-3.5-turbo",
    messages=[{"role": "user", "content": "Say hi"}],
)
print(old)

direct = openai.chat.completions.create(  # expect: openai.chat.completions.create
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Say hi"}],
    timeout=5,
)

with open("data/records.json") as fh:  # noqa: PTH123
    records = json.load(fh)

for record in records:
    out = client.responses.create(  # expect: openai.responses.create
        model="gpt-4.1", input=json.dumps(record), max_output_tokens=200
    )
    print(out.output_text)

report = client.chat.completions.create(  # expect: openai.chat.completions.create
    model="gpt-4o",
    messages=[{"role": "user", "content": open("reports/q3.txt").read()}],  # noqa: PTH123, SIM115
    max_tokens=20000,
)
