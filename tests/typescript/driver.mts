// Drives a rendered TypeScript runtime for the parity tests and the bench: one process reads
// JSON commands on stdin (one a line) and answers each with one JSON line on stdout.
//
//   {"op": "scenario", "config": {...}, "root": "...", "route": "main", "stream": false}
//   {"op": "prompt", "root": "...", "ref": "chat:production", "values": {...}}
//   {"op": "bench", "config": {...}, "root": "...", "route": "main", "calls": 200}
//
// Usage: node --import tsx driver.ts RUNTIME_DIR (the rendered src/ai directory).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

type Runtime = typeof import("./fixture/src/ai/index.js");
interface Command {
  op: "scenario" | "prompt" | "bench" | "raw";
  config?: unknown;
  root?: string;
  route?: string;
  stream?: boolean;
  ref?: string;
  values?: Record<string, unknown>;
  calls?: number;
  baseUrl?: string;
}
const USER = [{ role: "user" as const, content: "Say hello" }];

async function scenario(rt: Runtime, command: Command): Promise<unknown> {
  const settings = rt.settingsFromObject(command.config, { root: command.root ?? "." });
  const tracker = new rt.CostTracker(new rt.JsonlSink(settings.usageLog), {
    prices: rt.PriceBook.load(),
  });
  const ai = new rt.Orchestrator(settings, {
    tracker,
    retry: new rt.RetryPolicy({ baseS: 0.01, maxS: 0.05 }),
  });
  const started = performance.now();
  let answeredBy: string | null = null;
  let error: string | null = null;
  let attempts = 0;
  try {
    if (command.stream) {
      const stream = ai.stream(command.route, USER, { feature: "matrix" });
      for await (const text of stream) void text;
      answeredBy = stream.completion?.modelId ?? null;
      attempts = stream.completion?.attempts ?? 0;
    } else {
      const answer = await ai.complete(command.route, USER, { feature: "matrix" });
      answeredBy = answer.modelId;
      attempts = answer.attempts;
    }
  } catch (caught) {
    if (!(caught instanceof rt.ProviderError)) throw caught;
    error = caught.errorClass;
  }
  const seconds = (performance.now() - started) / 1000;
  await tracker.close();
  return { answered_by: answeredBy, error, attempts, seconds };
}

function prompt(rt: Runtime, command: Command): unknown {
  try {
    const rendered = new rt.PromptLibrary(command.root).render(command.ref ?? "", command.values);
    return { messages: rendered.messages, ref: rendered.ref };
  } catch (caught) {
    if (caught instanceof rt.PromptError) return { error: caught.message };
    throw caught;
  }
}

/** Per-call wall times (ms) of `calls` completions through the orchestrator. */
async function bench(rt: Runtime, command: Command): Promise<unknown> {
  const settings = rt.settingsFromObject(command.config, { root: command.root ?? "." });
  const ai = new rt.Orchestrator(settings);
  const times: number[] = [];
  for (let i = 0; i < (command.calls ?? 100); i += 1) {
    const started = performance.now();
    await ai.complete(command.route, USER, { feature: "bench", maxTokens: 64 });
    times.push(performance.now() - started);
  }
  await ai.close();
  return { times };
}

/** The same calls made with the SDK alone (the floor the orchestrator adds to). */
async function raw(command: Command, dir: string): Promise<unknown> {
  // The SDK the rendered project installed (this file lives outside that project).
  const sdk = createRequire(join(dir, "index.ts"))("@anthropic-ai/sdk") as {
    default: typeof import("@anthropic-ai/sdk").default;
  };
  const Anthropic = sdk.default;
  const client = new Anthropic({ baseURL: command.baseUrl ?? null, maxRetries: 0 });
  const times: number[] = [];
  for (let i = 0; i < (command.calls ?? 100); i += 1) {
    const started = performance.now();
    await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: USER });
    times.push(performance.now() - started);
  }
  return { times };
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? "src/ai";
  const rt = (await import(pathToFileURL(join(dir, "index.ts")).href)) as Runtime;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as Command;
    let answer: unknown;
    try {
      if (command.op === "scenario") answer = await scenario(rt, command);
      else if (command.op === "prompt") answer = prompt(rt, command);
      else if (command.op === "bench") answer = await bench(rt, command);
      else answer = await raw(command, dir);
    } catch (caught) {
      answer = { crash: caught instanceof Error ? (caught.stack ?? caught.message) : String(caught) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

await main();
