// Drives a rendered TypeScript runtime for the parity tests and the bench: one process reads
// JSON commands on stdin (one a line) and answers each with one JSON line on stdout.
//
//   {"op": "scenario", "config": {...}, "root": "...", "route": "main", "stream": false}
//   {"op": "prompt", "root": "...", "ref": "chat:production", "values": {...}}
//   {"op": "bench", "config": {...}, "root": "...", "route": "main", "calls": 200}
//   {"op": "rules"}: the cache-price rules rendered into the cost tracker
//   {"op": "price", "config": {...}, "usages": [[...]], "names": [...], "snapshot": "..."}
//
// Usage: node --import tsx driver.ts RUNTIME_DIR (the rendered src/ai directory).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

type Runtime = typeof import("./fixture/src/ai/index.js");
type Tracker = typeof import("./fixture/src/ai/cost-tracker.js");
interface Command {
  op: "scenario" | "prompt" | "bench" | "raw" | "rules" | "price";
  config?: unknown;
  root?: string;
  route?: string;
  stream?: boolean;
  ref?: string;
  values?: Record<string, unknown>;
  calls?: number;
  baseUrl?: string;
  callSites?: boolean;
  usages?: number[][];
  names?: string[];
  snapshot?: string;
}
const USER = [{ role: "user" as const, content: "Say hello" }];

async function scenario(rt: Runtime, command: Command): Promise<unknown> {
  const settings = rt.settingsFromObject(command.config, { root: command.root ?? "." });
  // The tracker the orchestrator makes itself (CostTracker.fromSettings: the snapshot's
  // prices with the config's pricing: overrides applied), as an application gets it.
  const ai = new rt.Orchestrator(settings, {
    retry: new rt.RetryPolicy({ baseS: 0.01, maxS: 0.05 }),
  });
  const tracker = ai.tracker;
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

function rules(tracker: Tracker): unknown {
  return {
    cache_rules: Object.fromEntries(tracker.CACHE_RULES),
    plain_input: tracker.PLAIN_INPUT,
    vendor_rules: tracker.VENDOR_RULES,
  };
}

const warnings: string[] = [];
process.on("warning", (warning) => warnings.push(warning.message));

/** The cost (exact decimal string, as the log records it) of each usage on each name, by
 * the snapshot with the config's overrides applied, and the warnings loading gave. */
async function price(rt: Runtime, tracker: Tracker, command: Command): Promise<unknown> {
  warnings.length = 0;
  let settings;
  try {
    settings = rt.settingsFromObject(command.config, { root: command.root ?? "." });
  } catch (caught) {
    if (caught instanceof rt.ConfigurationError) return { error: caught.message };
    throw caught;
  }
  const book = rt.PriceBook.load(command.snapshot).configured(settings);
  const costs = (command.names ?? []).map((name) =>
    (command.usages ?? []).map((counts) => {
      const [input, output, read, write, write1h, reasoning] = counts;
      const usage = rt.makeUsage({
        inputTokens: input, outputTokens: output, cacheReadTokens: read,
        cacheWriteTokens: write, cacheWrite1hTokens: write1h, reasoningTokens: reasoning,
      });
      const cost = book.price(name) === undefined ? undefined : book.cost(usage, name);
      return cost === undefined ? null : tracker.formatUsd(cost);
    }),
  );
  await new Promise((done) => setImmediate(done)); // warnings are emitted on the next tick
  return { costs, warnings: [...warnings] };
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
  const ai = new rt.Orchestrator(settings, { callSites: command.callSites ?? true });
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < (command.calls ?? 100); i += 1) {
    const started = performance.now();
    await ai.complete(command.route, USER, { feature: "bench", maxTokens: 64 });
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  await ai.close();
  return { times, cpu_ms: (used.user + used.system) / 1000 / times.length };
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
  const cpu = process.cpuUsage();
  for (let i = 0; i < (command.calls ?? 100); i += 1) {
    const started = performance.now();
    await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: USER });
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  return { times, cpu_ms: (used.user + used.system) / 1000 / times.length };
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? "src/ai";
  const rt = (await import(pathToFileURL(join(dir, "index.ts")).href)) as Runtime;
  const tracker = (await import(pathToFileURL(join(dir, "cost-tracker.ts")).href)) as Tracker;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as Command;
    let answer: unknown;
    try {
      if (command.op === "scenario") answer = await scenario(rt, command);
      else if (command.op === "prompt") answer = prompt(rt, command);
      else if (command.op === "bench") answer = await bench(rt, command);
      else if (command.op === "rules") answer = rules(tracker);
      else if (command.op === "price") answer = await price(rt, tracker, command);
      else answer = await raw(command, dir);
    } catch (caught) {
      answer = { crash: caught instanceof Error ? (caught.stack ?? caught.message) : String(caught) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

await main();
