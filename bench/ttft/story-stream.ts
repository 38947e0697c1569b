/**
 * An author's open editor, as far as bench:ttft needs it: the story's event stream (GET /api/stories/{id}/events,
 * Server-Sent Events, API token), every `job` event kept with the moment it arrived, and a way to wait for the first
 * event that matches.
 */
import { clock } from "./fake-openai";

export interface JobEvent {
  at: number;
  job: {
    id: string;
    status: string;
    partialText?: string | null;
    outputText?: string | null;
    resolution?: string | null;
    page?: unknown;
  };
}

export interface StoryStream {
  events: JobEvent[];
  /** The first event (already received or still to come) that matches; undefined after `timeoutMs`. */
  first(match: (event: JobEvent) => boolean, timeoutMs: number): Promise<JobEvent | undefined>;
  close(): void;
}

export async function openStoryStream(base: string, storyId: string, secret: string): Promise<StoryStream> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/stories/${storyId}/events`, {
    headers: { authorization: `Bearer ${secret}`, accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`events stream answered ${res.status}: ${await res.text()}`);
  const events: JobEvent[] = [];
  const waiters = new Set<(event: JobEvent) => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const at = clock();
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          const lines = block.split("\n");
          if (!lines.includes("event: job")) continue;
          const data = lines
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          const event: JobEvent = { at, job: JSON.parse(data) };
          events.push(event);
          for (const waiter of [...waiters]) waiter(event);
        }
      }
    } catch {
      // closed by close()
    }
  })();
  return {
    events,
    first(match, timeoutMs) {
      const known = events.find(match);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const waiter = (event: JobEvent) => {
          if (!match(event)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(event);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(undefined);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => controller.abort(),
  };
}
